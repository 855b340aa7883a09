// The fast engine must agree with the reference engine (survey-core's own Model deciding
// visibility, required-ness and its rules, plus the same strict checks) on thousands of generated
// answer sets, valid and hostile. A disagreement prints the seed, locale and data to replay.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCompletionValidator, createReferenceValidator } from '../../../server/validation';
import type { ValidationResult } from '../../../server/validation';
import { collectQuestions, makeRng, mutate, pick, randomAnswers, repair } from './answer-generator';

const LOCALES = ['kk', 'ru', 'en'] as const;

function load(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, unknown>;
}

function normalise(r: ValidationResult): { ok: boolean; errors: string[] } {
  return { ok: r.ok, errors: r.ok ? [] : r.errors.map((e) => `${e.question} :: ${e.message}`).sort() };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function differential(survey: Record<string, unknown>, seed: number, count: number): Promise<{ valid: number; invalid: number; hostile: number }> {
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

describe('fast engine agrees with survey-core (differential)', () => {
  const fixtures = ['../../fixtures/validation/features.json', '../../fixtures/validation/official-like.json'];
  for (const path of fixtures) {
    for (const seed of [1, 2, 3, 4]) {
      it(`${path.split('/').pop()} seed ${seed}: 250 answer sets`, async () => {
        const tally = await differential(load(path), seed, 250);
        // Both outcomes must be well represented, or the comparison proves little.
        expect(tally.valid).toBeGreaterThan(12);
        expect(tally.invalid).toBeGreaterThan(50);
        expect(tally.hostile).toBeGreaterThan(50);
      }, 60_000);
    }
  }
});
