// The one mapping from domain error codes to HTTP statuses (docs/decisions/005). Services throw
// DomainError (server/errors.ts); only the terminal error handler in app.ts reads this table.
import type { DomainErrorCode } from '../errors';

export const DOMAIN_STATUS: Record<DomainErrorCode, 404 | 409 | 422> = {
  link_not_found: 404,
  response_not_found: 404,
  survey_not_found: 404,
  survey_version_not_found: 404,
  wave_closed: 409,
  invitation_used: 409,
  already_completed: 409,
  response_id_conflict: 409,
  survey_version_mismatch: 409,
  invalid_answers: 422,
};
