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

import { rng } from './random';

/** The seeded generator (test/helpers/random.ts), re-exported for the tests that import it from here. */
export { rng };

type Json = Record<string, unknown>;

/**
 * A valid, eligible answer set for any survey built like the official one (screener booleans true,
 * then every question of the JSON answered with one of its own choices / within its own range;
 * optional questions skipped now and then). Reads the rules from the survey JSON, so it follows
 * the questionnaire as it changes.
 */
export function generateAnswers(surveyJson: Json, seed: number): Record<string, unknown> {
  const random = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const out: Record<string, unknown> = {};
  const visit = (el: Json) => {
    if (Array.isArray(el.elements)) (el.elements as Json[]).forEach(visit);
    const name = el.name as string;
    if (['adult', 'resident', 'consent'].includes(name)) { out[name] = true; return; }
    if (el.isRequired !== true && random() < 0.15) return;
    switch (el.type) {
      case 'radiogroup':
      case 'dropdown': {
        const choices = (el.choices as unknown[]).map((c) => (typeof c === 'object' && c !== null ? (c as Json).value : c));
        out[name] = pick(choices);
        break;
      }
      case 'rating': {
        // A rating that lists its values (the official c5: 0–10 and "hard to say") offers exactly those.
        if (Array.isArray(el.rateValues) && el.rateValues.length > 0) {
          out[name] = pick((el.rateValues as unknown[]).map((v) => (typeof v === 'object' && v !== null ? (v as Json).value : v)));
          break;
        }
        const min = Number(el.rateMin ?? 1);
        const max = Number(el.rateMax ?? 5);
        out[name] = min + Math.floor(random() * (max - min + 1));
        break;
      }
      case 'text':
        if (el.inputType === 'number') {
          const min = Number(el.min ?? 0);
          const max = Math.min(Number(el.max ?? 100), 90);
          out[name] = min + Math.floor(random() * (max - min + 1));
        }
        break;
      case 'boolean':
        out[name] = random() < 0.5;
        break;
      default:
        break;
    }
  };
  ((surveyJson.pages as Json[]) ?? []).forEach(visit);
  return out;
}
