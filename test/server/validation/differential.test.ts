// Fast engine vs survey-core reference on the fixture surveys (see differential-harness.ts).
import { describe, it } from 'vitest';
import { expectAgreement, load, SETS_PER_TEST } from './differential-harness';

describe('fast engine agrees with survey-core on fixture surveys', () => {
  const cases: [string, number[]][] = [
    ['test/fixtures/validation/features.json', [1, 2, 3, 4]],
    ['test/fixtures/validation/official-like.json', [1]],
  ];
  for (const [path, seeds] of cases) {
    for (const seed of seeds) {
      it(`${path.split('/').pop()} seed ${seed}: ${SETS_PER_TEST} answer sets`, () => expectAgreement(load(path), seed), 120_000);
    }
  }
});
