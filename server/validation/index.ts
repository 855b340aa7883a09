// Completion validation (decision 001 and 003): `createCompletionValidator(surveyJson)` once per
// survey version, then `validate(data, locale)` per completed submission.
import { compileFastValidator, UnsupportedSurveyFeature } from './fast-engine';
import { createReferenceValidator } from './reference-engine';
import type { CompletionValidator } from './types';

export type { CompletionValidator, Locale, ValidationError, ValidationResult } from './types';
export { createReferenceValidator } from './reference-engine';

export type EngineInfo = { engine: 'fast' } | { engine: 'reference'; reason: string };

/**
 * Builds the validator of completed answer sets for one survey version. The rules come only from
 * `surveyJson`, with survey-core 3.0.0 as the reference engine, plus the strict checks of
 * decision 003. Costs ~50 ms (three survey-core Models, one per locale); cache the result per
 * version. Throws (at build time, never when validating) if the survey uses a question type the
 * strict rules cannot check.
 *
 * @example
 *   const validate = createCompletionValidator(surveyJson);
 *   validate({ adult: true, age: 34 }, 'ru'); // { ok: false, errors: [{ question: 'resident', message: '…' }] }
 */
export function createCompletionValidator(surveyJson: object): CompletionValidator & { readonly info: EngineInfo } {
  let validate: CompletionValidator;
  let info: EngineInfo;
  try {
    validate = compileFastValidator(surveyJson);
    info = { engine: 'fast' };
  } catch (e) {
    if (!(e instanceof UnsupportedSurveyFeature)) throw e;
    // Still correct and strict, just slower (a survey-core Model per validation, ~5 ms).
    validate = createReferenceValidator(surveyJson);
    info = { engine: 'reference', reason: e.message };
  }
  return Object.assign((data: unknown, locale: Parameters<CompletionValidator>[1]) => validate(data, locale), { info });
}
export { createPartialValidator, answerBoundsProblem, MAX_ANSWER_DEPTH, MAX_ANSWER_SIZE, type PartialValidator } from './partial';
