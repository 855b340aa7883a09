// The seam to the strict validators (server/validation/, owned by the validation feature).
// Responses never validate answers themselves: they ask these functions for the validator of the
// exact survey version answered.
import type { LoadedSurveyVersion } from '../surveys/service';
import { createCompletionValidator, createPartialValidator, type CompletionValidator, type PartialValidator } from '../validation';

export type { CompletionValidator, Locale, PartialValidator } from '../validation';

// Building a validator costs tens to hundreds of ms (survey-core Models per locale); versions are
// immutable and cached per database, so one validator per loaded version object is enough.
const validators = new WeakMap<LoadedSurveyVersion, CompletionValidator>();
const partialValidators = new WeakMap<LoadedSurveyVersion, PartialValidator>();

/** The completion validator for a survey version (built on first use, then cached). */
export function completionValidatorFor(version: LoadedSurveyVersion): CompletionValidator {
  let v = validators.get(version);
  if (!v) {
    v = createCompletionValidator(version.row.json);
    validators.set(version, v);
  }
  return v;
}

/** The partial-save validator for a survey version (built on first use, then cached). */
export function partialValidatorFor(version: LoadedSurveyVersion): PartialValidator {
  let v = partialValidators.get(version);
  if (!v) {
    v = createPartialValidator(version.row.json);
    partialValidators.set(version, v);
  }
  return v;
}
