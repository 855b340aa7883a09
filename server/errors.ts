// The one error family of server features (docs/decisions/005). Services and queries throw a
// DomainError with a stable code and an English message for developers; they never know about
// HTTP. The app's terminal error handler (server/http/domain-status.ts) maps each code to a
// status in one table, so a new code fails to compile until it is given one.

/** Every code a server feature throws, grouped by what went wrong. */
export type DomainErrorCode =
  // something named does not exist
  | 'link_not_found'
  | 'response_not_found'
  | 'survey_not_found'
  | 'survey_version_not_found'
  // the request conflicts with the stored state
  | 'wave_closed'
  | 'invitation_used'
  | 'already_completed'
  | 'response_id_conflict'
  | 'survey_version_mismatch'
  // the content was read but is invalid
  | 'invalid_answers';

/**
 * A failure the caller can act on. `details` is sent to the client as it is (for
 * `invalid_answers`: `[{ question, message }]` in the respondent's language).
 * @example throw new DomainError('wave_closed', 'The survey wave "2026 Q3" is closed.')
 */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
