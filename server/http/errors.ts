// The error family of the HTTP layer itself: what only HTTP can know (a body that cannot be read,
// is too large or of the wrong media type, a request that does not match its schema, an unknown
// route, a missing sign-in). Services never throw these: they throw DomainError (server/errors.ts),
// which the terminal error handler in app.ts maps to a status (decision 005). Both become
// `{ error: { code, message, details? } }`. Anything else is an internal fault: logged
// server-side, answered with a generic 500 that never carries a message or stack from the fault.

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** 400: the request could not be read at all (e.g. malformed JSON). */
export class BadRequestError extends HttpError {
  constructor(code: string, message: string, details?: unknown) { super(400, code, message, details); }
}

/** 404: the route (or, for a feature router, the thing it names) does not exist. */
export class NotFoundError extends HttpError {
  constructor(code: string, message: string, details?: unknown) { super(404, code, message, details); }
}

/** 409: the request is well-formed but conflicts with the stored state. */
export class ConflictError extends HttpError {
  constructor(code: string, message: string, details?: unknown) { super(409, code, message, details); }
}

/** 413: the body is larger than the configured limit. */
export class PayloadTooLargeError extends HttpError {
  constructor(message: string) { super(413, 'payload_too_large', message); }
}

/** 415: the body is not JSON. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string) { super(415, 'unsupported_media_type', message); }
}

/** 422: the request was read but its content is invalid (its shape; invalid answers are a DomainError). */
export class UnprocessableError extends HttpError {
  constructor(code: string, message: string, details?: unknown) { super(422, code, message, details); }
}
