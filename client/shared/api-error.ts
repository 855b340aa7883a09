// The one error type of the client's JSON APIs, shared by the audiences that send requests (the
// respondent page, client/respond/api.ts, and the console, client/admin/api.ts). Every /api answer
// that is not a success carries `{ error: { code, message, details? } }` (server/http/errors.ts);
// this holds it with the HTTP status. Plain TypeScript: it pulls no audience's code into another's
// bundle (decision 014).

/** The server refused (or no answer came): its status, its error code, message and details. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when no answer came (offline, server down). */
    readonly status: number,
    /** The server's error code (`invalid_answers`, `csrf_failed`…), or `http_<status>` when the body had none. */
    readonly code: string,
    message: string,
    /** The error body's details (field problems, limits), as sent. */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
