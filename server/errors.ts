// The one error family of the server (docs/decisions/005). Services, queries and the compute path
// throw a DomainError: what went wrong (`kind`), a stable machine-readable `code`, a one-line
// English message for developers naming the file, line, column, option or id at fault, and
// optional `details`. They never know about HTTP or exit codes: each edge maps `kind` in one place
// — the app's terminal error handler to a status (server/http/domain-status.ts), the command line
// to an exit code (server/cli/domain-command.ts). A server fault (a missing configuration, a bug)
// is not a DomainError: it is a plain Error, logged and answered 500 / left to the CLI's handler.
import type { AnalysisErrorCode } from '../analysis/errors';
import type { AntibotErrorCode } from '../contract/antibot';

/**
 * What went wrong, for the edges' mappings:
 * - `not_found`: something named (a link, wave, frame, run, indicator, period) does not exist;
 * - `conflict`: the request conflicts with the stored state (a closed wave, a name taken);
 * - `bad_data`: the content (answers, a file, a wave's responses) was read but is invalid;
 * - `bad_usage`: the request itself is wrong (an option or parameter value);
 * - `rate_limited`: too many requests of this kind from this source for now (try again later);
 * - `refused`: a check the request must pass failed (the open link's proof of work).
 */
export type DomainErrorKind = 'not_found' | 'conflict' | 'bad_data' | 'bad_usage' | 'rate_limited' | 'refused';

/**
 * Every code a server feature throws, grouped by the kind it is thrown with. Codes are a contract
 * (API clients and scripts branch on them): add one here before throwing it, never rename one.
 */
export type DomainErrorCode =
  // not_found
  | 'link_not_found'
  | 'response_not_found'
  | 'survey_not_found'
  | 'survey_version_not_found'
  | 'wave_not_found'
  | 'frame_not_found'
  | 'run_not_found'
  | 'unknown_indicator'
  | 'unknown_period'
  | 'unknown_run'
  | 'user_not_found'
  | 'job_not_found'
  | 'database_not_found'
  // conflict
  | 'wave_closed'
  | 'invitation_used'
  | 'already_completed'
  | 'response_id_conflict'
  | 'survey_version_mismatch'
  | 'no_survey'
  | 'frame_exists'
  | 'run_outdated'
  | 'no_period'
  | 'already_published'
  | 'not_published'
  | 'period_taken'
  | 'wave_open'
  | 'quota_full'
  | 'email_taken'
  | 'same_password'
  | 'last_admin'
  | 'quotas_unavailable'
  | 'flag_not_applicable'
  | 'already_overruled'
  | 'schema_not_current'
  | 'database_in_use'
  | 'target_not_empty'
  // bad_data (an AnalysisError's code is kept when the engine rejects the data)
  | 'invalid_answers'
  | 'invalid_frame'
  | 'invalid_file'
  | 'invalid_import'
  | 'empty_wave'
  | 'mixed_scoring'
  | 'too_few'
  | 'inconsistent_scores'
  | 'value_too_long'
  | 'not_numeric'
  | 'invalid_quota'
  | 'weak_password'
  | 'not_a_kelisim_database'
  | 'copy_row_refused'
  | 'copy_verification_failed'
  | AnalysisErrorCode
  // bad_usage
  | 'invalid_option'
  | 'run_of_other_wave'
  | 'wrong_password'
  | 'target_unreachable'
  // rate_limited and refused: the open link's protection (server/antibot, contract/antibot.ts)
  | AntibotErrorCode;

/**
 * A failure the caller can act on. `details` is sent to an HTTP client as it is (for
 * `invalid_answers`: `[{ question, message }]` in the respondent's language).
 * @example throw new DomainError('conflict', 'wave_closed', 'The survey wave "2026 Q3" is closed.')
 * @example throw new DomainError('bad_data', 'invalid_frame', `${file} line 3, column population: not a number`, { file, line: 3 })
 */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
