// Answer sets for the mini survey (test/fixtures/mini-survey), valid unless a test spoils them.

/** A complete, valid, eligible answer set; `overrides` replace or (with undefined) remove keys. */
export function miniAnswers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    adult: true, resident: true, consent: true,
    region: 'KZ-75', settlement: 'urban', sex: 'f', age: 34, ethnicity: 'kazakh',
    a1: 4, a2: 5, a3: 2, b1: 1, b2: 'dk', c1: 3, c5: 7,
  };
  const out = { ...base, ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete out[k];
  return out;
}

/** A screened-out answer set: not a resident. */
export function miniScreenedOut(): Record<string, unknown> {
  return { adult: true, resident: false };
}
