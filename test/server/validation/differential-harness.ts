// The differential harness: the fast engine must agree with the reference engine (survey-core's
// own Model deciding visibility, required-ness and its rules, plus the same strict checks) on
// generated answer sets, valid and hostile. A disagreement names the seed, set, locale and data.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { createCompletionValidator, createReferenceValidator } from '../../../server/validation';
import type { ValidationResult } from '../../../server/validation';
import { collectQuestions, makeRng, mutate, pick, randomAnswers, repair } from './answer-generator';

const LOCALES = ['kk', 'ru', 'en'] as const;

/** Reads a JSON file relative to the repository root. */
export function load(pathFromRoot: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../../' + pathFromRoot, import.meta.url), 'utf8')) as Record<string, unknown>;
}

function normalise(r: ValidationResult): { ok: boolean; errors: string[] } {
  return { ok: r.ok, errors: r.ok ? [] : r.errors.map((e) => `${e.question} :: ${e.message}`).sort() };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function differential(survey: Record<string, unknown>, seed: number, count: number): Promise<{ valid: number; invalid: number; hostile: number }> {
  const fast = createCompletionValidator(survey);
  expect(fast.info).toEqual({ engine: 'fast' });
  const reference = createReferenceValidator(survey);
  const qs = collectQuestions(survey);
  const rng = makeRng(seed);
  const tally = { valid: 0, invalid: 0, hostile: 0 };
  for (let i = 0; i < count; i++) {
    // survey-core queues microtasks per validation; let them run so memory does not pile up.
    if (i % 25 === 0) await yieldToLoop();
    let data: unknown = repair(rng, qs, randomAnswers(rng, qs, pick(rng, [0.05, 0.3, 0.7])), fast, pick(rng, [0, 2, 6]));
    const hostile = rng() < 0.4;
    if (hostile) {
      const n = 1 + Math.floor(rng() * 3);
      for (let k = 0; k < n && typeof data === 'object' && data !== null && !Array.isArray(data); k++) {
        data = mutate(rng, qs, data as Record<string, unknown>);
      }
    }
    const locale = pick(rng, LOCALES);
    const a = normalise(fast(data, locale));
    const b = normalise(reference(data, locale));
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`engines disagree (seed ${seed}, set ${i}, locale ${locale})\ndata: ${JSON.stringify(data)}\nfast: ${JSON.stringify(a)}\nreference: ${JSON.stringify(b)}`);
    }
    if (hostile) tally.hostile++;
    if (a.ok) tally.valid++;
    else tally.invalid++;
  }
  return tally;
}

/** Sets per test; DIFF_SETS=5000 npx vitest run test/server/validation for a deeper run. */
export const SETS_PER_TEST = Number(process.env.DIFF_SETS ?? 250);

export async function expectAgreement(survey: Record<string, unknown>, seed: number): Promise<void> {
  const tally = await differential(survey, seed, SETS_PER_TEST);
  // Both outcomes must be well represented, or the comparison proves little.
  expect(tally.valid).toBeGreaterThan(SETS_PER_TEST * 0.05);
  expect(tally.invalid).toBeGreaterThan(SETS_PER_TEST * 0.2);
  expect(tally.hostile).toBeGreaterThan(SETS_PER_TEST * 0.2);
}
