// The one validation helper at the HTTP boundary: every body, path parameter and query string is
// parsed by a zod schema here, and a mismatch becomes 422 invalid_request with one detail per
// offending field (`{ field, message }`, field as a dotted path such as "body.currentPageNo").
import type { Request } from 'express';
import { z } from 'zod';
import { UnprocessableError } from './errors';

type Part = 'body' | 'params' | 'query';

/** Any zod schema: classic (zod) or mini (zod/mini, as contract/ uses for the browser's sake). */
type Schema = z.core.$ZodType;

function parsePart<S extends Schema>(part: Part, schema: S, value: unknown): z.core.output<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new UnprocessableError('invalid_request', `invalid request ${part}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}

/** Parses `req.body` (already JSON-decoded by express.json) with `schema`, or throws 422. */
export function parseBody<S extends Schema>(req: Request, schema: S): z.core.output<S> {
  // express.json leaves body undefined when there was no JSON body; report it as a missing body.
  return parsePart('body', schema, req.body);
}

/** Parses `req.params` with `schema`, or throws 422. */
export function parseParams<S extends Schema>(req: Request, schema: S): z.core.output<S> {
  return parsePart('params', schema, req.params);
}

/** Parses `req.query` with `schema`, or throws 422. */
export function parseQuery<S extends Schema>(req: Request, schema: S): z.core.output<S> {
  return parsePart('query', schema, req.query);
}
