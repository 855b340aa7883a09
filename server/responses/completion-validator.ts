// The seam to the strict completion validator (server/validation/, owned by the validation
// feature). Responses never validate answers themselves: they ask this function for the
// validator of the exact survey version answered.
import type { LoadedSurveyVersion } from '../surveys/service';
import { createCompletionValidator, type CompletionValidator } from '../validation';

export type { CompletionValidator, Locale } from '../validation';

// Building a validator costs tens to hundreds of ms (survey-core Models per locale); versions are
// immutable and cached per database, so one validator per loaded version object is enough.
const validators = new WeakMap<LoadedSurveyVersion, CompletionValidator>();

/** The completion validator for a survey version (built on first use, then cached). */
export function completionValidatorFor(version: LoadedSurveyVersion): CompletionValidator {
  let v = validators.get(version);
  if (!v) {
    v = createCompletionValidator(version.row.json);
    validators.set(version, v);
  }
  return v;
}
