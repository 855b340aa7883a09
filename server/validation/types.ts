import type { Locale } from './messages';

export type { Locale };

/** One problem with a submitted answer set; `question` is the question name ('' = the whole set). */
export interface ValidationError {
  question: string;
  message: string;
}

export type ValidationResult = { ok: true } | { ok: false; errors: ValidationError[] };

/** Validates one completed answer set. Never throws on any input; problems are returned. */
export type CompletionValidator = (data: unknown, locale: Locale) => ValidationResult;

/** Upper bound on errors returned for one submission, so hostile input cannot amplify work. */
export const MAX_ERRORS = 100;
