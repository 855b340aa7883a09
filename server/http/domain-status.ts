// The one mapping from domain errors to HTTP statuses (docs/decisions/005). Services throw
// DomainError (server/errors.ts); only the terminal error handler in app.ts calls statusOf.
// A status follows from the error's kind; a code that must answer otherwise (an API contract
// fixing another status) gets its exception in this file, nowhere else.
import type { DomainError, DomainErrorKind } from '../errors';

const KIND_STATUS: Record<DomainErrorKind, 400 | 403 | 404 | 409 | 422 | 429> = {
  not_found: 404,
  conflict: 409,
  bad_data: 422,
  bad_usage: 400,
  rate_limited: 429,
  refused: 403,
};

/** The HTTP status of a domain error. */
export function statusOf(err: DomainError): 400 | 403 | 404 | 409 | 422 | 429 {
  return KIND_STATUS[err.kind];
}
