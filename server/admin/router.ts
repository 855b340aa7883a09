// The console API's router (issue 8): exactly the routes of contract/admin-api.ts, each with its
// access rule, CSRF check, body and query parsing from the contract, then its handler. The
// handlers live with their features (server/auth/routes.ts, server/admin/<feature>/routes.ts) and
// call the same services as the `kelisim` commands.
import express, { Router, type Request, type Response } from 'express';
import type { z } from 'zod/mini';
import { ADMIN_ROUTES, CSV_MEDIA_TYPE, MAX_UPLOAD_BYTES, XLSX_MEDIA_TYPE, type AdminRoute, type AdminRouteName } from '../../contract/admin-api';
import { checkAccess, checkCsrfToken, checkOrigin, type Clock } from '../auth/http';
import type { SessionInfo } from '../auth/service';
import type { FeatureDeps } from '../features';
import { HttpError, UnsupportedMediaTypeError } from '../http/errors';
import { parseBody, parseQuery } from '../http/validate';
import type { JobRunner } from './runs/jobs';

export interface AdminDeps extends FeatureDeps {
  clock: Clock;
  /** The database file (estimate runs open their own connection in a worker thread). */
  dbFile: string | undefined;
  /** The public base URL for links (e.g. https://survey.example.kz); else the request's own origin. */
  publicBaseUrl: string | undefined;
  jobs: JobRunner;
}

type Routes = typeof ADMIN_ROUTES;
type BodyOf<R> = R extends { body: infer B } ? (B extends z.core.$ZodType ? z.core.output<B> : Buffer) : undefined;
type QueryOf<R> = R extends { query: infer Q } ? (Q extends z.core.$ZodType ? z.core.output<Q> : never) : undefined;
type ResultOf<R> = R extends { response: infer A } ? (A extends z.core.$ZodType ? z.core.output<A> : A extends null ? void : void) : never;

export interface Ctx<K extends AdminRouteName> {
  req: Request;
  res: Response;
  /** null only on the login route. */
  session: K extends 'login' ? SessionInfo | null : SessionInfo;
  body: BodyOf<Routes[K]>;
  query: QueryOf<Routes[K]>;
  /** The request's actor for the audit log: 'user:<id>'. */
  actor: string;
  now: Date;
}

/** A handler answers its route's response (sent as JSON with the route's status) or, for files, writes `res` itself. */
export type Handlers = { [K in AdminRouteName]: (ctx: Ctx<K>) => Promise<ResultOf<Routes[K]>> | ResultOf<Routes[K]> };

const uploadParser = express.raw({ type: [CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, 'application/octet-stream'], limit: MAX_UPLOAD_BYTES });

function readUpload(req: Request, kind: 'csv' | 'csv-or-xlsx'): Buffer {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const ok = type === CSV_MEDIA_TYPE || (kind === 'csv-or-xlsx' && (type === XLSX_MEDIA_TYPE || type === 'application/octet-stream'));
  if (!ok) throw new UnsupportedMediaTypeError(`Send the file itself as the body with Content-Type ${kind === 'csv' ? CSV_MEDIA_TYPE : `${CSV_MEDIA_TYPE} or ${XLSX_MEDIA_TYPE}`}, not "${type || 'none'}".`);
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(422, 'invalid_request', 'The uploaded file is empty; choose the file again.');
  return req.body;
}

/** Builds the router from the contract's route table and the features' handlers. */
export function adminRouter(deps: AdminDeps, handlers: Handlers): Router {
  const router = Router();
  const publicOrigin = deps.publicBaseUrl ? new URL(deps.publicBaseUrl).origin : undefined;
  for (const [name, route] of Object.entries(ADMIN_ROUTES) as [AdminRouteName, AdminRoute][]) {
    const handler = handlers[name] as (ctx: Ctx<AdminRouteName>) => unknown;
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const stack = [];
    if (route.body === 'csv' || route.body === 'csv-or-xlsx') {
      const kind = route.body;
      // Access and CSRF are checked before the file is read.
      stack.push((req: Request, res: Response, next: (e?: unknown) => void) => {
        try {
          const session = checkAccess(res, route.access);
          checkOrigin(req, publicOrigin);
          if (session) checkCsrfToken(req, session);
          next();
        } catch (e) { next(e); }
      }, uploadParser, (req: Request, _res: Response, next: (e?: unknown) => void) => {
        try { readUpload(req, kind); next(); } catch (e) { next(e); }
      });
    }
    router[method](route.path, ...stack, async (req: Request, res: Response) => {
      const session = checkAccess(res, route.access);
      checkOrigin(req, publicOrigin);
      if (session) checkCsrfToken(req, session);
      if (typeof route.body !== 'string' && isFileBody(req)) throw new UnsupportedMediaTypeError(`${route.method} /api/admin${route.path} takes JSON (Content-Type: application/json), not a file.`);
      const body = route.body === undefined ? undefined
        : typeof route.body === 'string' ? req.body as Buffer
        : parseBody(req, route.body);
      const query = route.query ? parseQuery(req, route.query) : undefined;
      const now = deps.clock();
      const result = await handler({ req, res, session: session!, body, query, actor: session ? `user:${session.user.id}` : 'anonymous', now } as Ctx<AdminRouteName>);
      if (res.headersSent) return;
      if (route.response === null) { res.status(204).end(); return; }
      res.status(route.status).json(result);
    });
  }
  return router;
}

function isFileBody(req: Request): boolean {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return type === CSV_MEDIA_TYPE || type === XLSX_MEDIA_TYPE || type === 'application/octet-stream';
}

/** True for a console upload (the file is the body; `req.path` relative to /api), which the app lets past its JSON-only rule. */
export function isAdminUpload(req: Request): boolean {
  return req.path.startsWith('/admin/') && isFileBody(req);
}
