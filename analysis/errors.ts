// The one error family of analysis/. Every failure the engine reports is an AnalysisError with a
// stable machine-readable `code` and a message that names what was wrong, where, and what to do;
// callers (the CLI, the server) map codes to exit statuses or HTTP responses without parsing text.

/** Codes of every error analysis/ throws. */
export type AnalysisErrorCode =
  | 'invalid_scoring_spec'
  | 'invalid_item_value'
  | 'invalid_age'
  | 'invalid_margins'
  | 'empty_category'
  | 'not_converged'
  | 'invalid_input';

/**
 * Base class of all analysis errors.
 * @example
 * try { ageBand(12) } catch (e) { if (e instanceof AnalysisError) e.code } // 'invalid_age'
 */
export class AnalysisError extends Error {
  readonly code: AnalysisErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: AnalysisErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AnalysisError';
    this.code = code;
    this.details = details;
  }
}
