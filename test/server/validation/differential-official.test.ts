// Fast engine vs survey-core reference on the official questionnaire (see differential-harness.ts).
import { describe, it } from 'vitest';
import { expectAgreement, load, SETS_PER_TEST } from './differential-harness';

describe('fast engine agrees with survey-core on the official questionnaire', () => {
  for (const seed of [11, 12, 13]) {
    it(`surveys/official/survey.json seed ${seed}: ${SETS_PER_TEST} answer sets`, () => expectAgreement(load('surveys/official/survey.json'), seed), 120_000);
  }
});
