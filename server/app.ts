// The Express application, built by a factory so tests run it on a real socket (port 0) against
// their own database without going through main.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import express, { Router, type ErrorRequestHandler, type Express } from 'express';
import type { Config } from './config';
import type { Antibot } from './antibot/guard';
import type { Db } from './db/open';
import type { Store } from './db/store';
import { createSqliteStore } from './db/store-sqlite';
import type { WriteQueue } from './db/write-queue';
import { DomainError } from './errors';
import { FEATURES, type Feature, type FeatureDeps } from './features';
import { isAdminUpload } from './admin/router';
import { securityHeaders } from './http/security-headers';
import { compressedAssets } from './http/compression';
import { statusOf } from './http/domain-status';
import { HttpError, NotFoundError } from './http/errors';
import { requireUtf8Json } from './http/media-type';
import { mountFeature } from './http/policy';
import { PublicAnswerCache } from './results/answer-cache';

export interface AppDeps {
  /**
   * The SQLite connection of the features not yet moved to the store (decision 027, step 2).
   * Absent (PostgreSQL): such a feature fails on its first use of it, naming itself.
   */
  db?: Db;
  /**
   * The store the features' services use (decision 027). Absent: the SQLite store over `db`, with
   * `syncWal`. The synchronous write jobs of features not yet moved to the store run in its group
   * commit too (one transaction, one fsync for both kinds).
   */
  store?: Store;
  config: Pick<Config, 'bodyLimitBytes' | 'staticDir'>;
  /** Where internal errors are reported (default console.error); never sent to clients. */
  logError?: (message: string, err: unknown) => void;
  /**
   * fsync of the WAL before acknowledging writes, for a connection opened with synchronous=NORMAL
   * (server/db/write-queue.ts). Omit it for a synchronous=FULL connection.
   */
  syncWal?: () => Promise<void>;
  /** The feature routers to mount under /api (default: server/features.ts); tests add their own. */
  features?: readonly Feature[];
  /**
   * The open link's limits and proof of work (server/antibot/guard.ts). main.ts always passes
   * one (KELISIM_ANTIBOT=off makes it record without refusing); absent, the app has none.
   */
  antibot?: Antibot;
  /** The console's clock (tests inject one to expire sessions); default the system clock. */
  clock?: () => Date;
  /** The database file `db` is connected to (console estimate runs and exports open their own connections). */
  dbFile?: string;
  /** The public base URL (config BASE_URL): console links and its Origin check. */
  publicBaseUrl?: string;
  /** Express's `trust proxy` (e.g. 1 behind one reverse proxy), so req.secure and req.ip are the client's. */
  trustProxy?: boolean | number | string;
  /** The console's estimate job runner (tests inject one). */
  jobs?: FeatureDeps['jobs'];
  /** The public API's cache of finished answers (decision 032); default one per app with its default bounds. */
  publicAnswers?: PublicAnswerCache;
}

/**
 * Stands in for the SQLite connection on another engine while features move to the store
 * (decision 027, step 2): any use of it throws, naming what is missing.
 */
function notMovedYet(dialect: string): Db {
  return new Proxy({} as Db, {
    get(_target, key) {
      throw new Error(`a feature used the SQLite connection (.${String(key)}) on ${dialect}: it has not moved to the store yet (decision 027)`);
    },
  });
}

/**
 * On another engine than SQLite, a feature whose router cannot even be built (it uses the SQLite
 * connection as it starts: not moved to the store yet) fails each of its requests with that error
 * (an internal error, logged) instead of stopping the server (decision 027, step 2).
 */
function builtOnUse(feature: Feature): Feature {
  return {
    ...feature,
    router: (deps) => {
      try {
        return feature.router(deps);
      } catch (err) {
        const failing = Router();
        failing.use((_req, _res, next) => next(err));
        return failing;
      }
    },
  };
}

/** Maps body-parser's error types (express.json) to the API's codes. */
function bodyParserError(err: unknown, limit: number): HttpError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch ((err as { type: unknown }).type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed_json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', `The request body is larger than the limit of ${limit} bytes.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'The request body must be UTF-8 JSON.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpError(400, 'bad_request', 'The request body could not be read completely.');
    default:
      return undefined;
  }
}

export function createApp({ db, store: givenStore, config, logError = (m, e) => console.error(m, e), syncWal, features = FEATURES, antibot, clock, dbFile, publicBaseUrl, trustProxy, jobs, publicAnswers = new PublicAnswerCache() }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  if (!db && !givenStore) throw new Error('createApp needs a store or a SQLite connection');
  const store = givenStore ?? createSqliteStore(db!, { syncWal, onSyncError: (err) => logError('fsync of the database WAL failed:', err) });
  // Finished public-API answers, served before any other middleware with the headers the full
  // path sent (helmet's included) once the results router has recorded them (decision 032).
  // It runs before Express's own dispatch (app.handle), so a hit costs no router or middleware.
  const lean = publicAnswers.handler(store.sql);
  const dispatch = (app as unknown as { handle: (req: IncomingMessage, res: ServerResponse, done?: unknown) => void }).handle;
  (app as unknown as { handle: typeof dispatch }).handle = function handle(req, res, done) {
    lean(req, res, () => dispatch.call(this, req, res, done));
  };
  // helmet's security headers for every answer (CSP fitted to the built client: server/http/security-headers.ts).
  app.use(securityHeaders(config.staticDir));
  // An API answer's ETag is its feature's cache policy (server/features.ts): only 'public-etag'
  // features compute one. Static files keep theirs: express.static and sendFile compute their own.
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });

  // --- API -----------------------------------------------------------------------------------
  // A console upload (the file is the body: CSV or XLSX) is read by its own route, not as JSON.
  app.use('/api', (req, res, next) => (isAdminUpload(req) ? next() : requireUtf8Json(req, res, next)), express.json({ limit: config.bodyLimitBytes }));
  // A synchronous job on `db` inside the store's group commit: the same connection, its own savepoint.
  const sqliteDb = db ?? notMovedYet(store.dialect);
  const writes: WriteQueue = { run: (fn) => store.write(() => Promise.resolve(fn(sqliteDb))) };
  // Each feature under its own path, with its own access rule and cache policy (decision 005).
  const deps: FeatureDeps = { db: sqliteDb, store, writes, antibot, clock, dbFile, publicBaseUrl, jobs, publicAnswers };
  for (const feature of db ? features : features.map(builtOnUse)) app.use('/api', mountFeature(feature, deps));
  app.use('/api', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next(new NotFoundError('not_found', `There is no API endpoint ${req.method} ${req.originalUrl.split('?')[0]}.`));
  });

  // --- Built client ----------------------------------------------------------------------------
  // Vite fingerprints everything under /assets, so those files never change: cache for a year.
  app.use('/assets', compressedAssets(path.join(config.staticDir, 'assets')));
  app.use('/assets', express.static(path.join(config.staticDir, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  app.use(express.static(config.staticDir, { index: false, maxAge: 0 }));
  // Client-side routes get the SPA shell; no-cache so a new build is picked up at once.
  app.get(['/', '/s/*splat', '/admin', '/admin/*splat'], (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(config.staticDir, 'index.html'), (err) => {
      if (err) next(new NotFoundError('client_not_built', 'The web client is not built: run `npm run build` (npm start does it).'));
    });
  });

  // Any other page a browser navigates to (it asks for text/html explicitly) gets the shell with
  // status 404, so the client shows its translated "page not found" screen; a missing asset and
  // every other client get the JSON error.
  app.use((req, res, next) => {
    const notFound = new NotFoundError('not_found', `Nothing at ${req.originalUrl.split('?')[0]}.`);
    const browserPage = req.method === 'GET' && !req.path.startsWith('/assets/') && (req.get('accept') ?? '').includes('text/html');
    if (!browserPage) return next(notFound);
    res.status(404).setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(config.staticDir, 'index.html'), (err) => { if (err) next(notFound); });
  });

  // --- The one terminal error handler ---------------------------------------------------------
  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    // An error answer is never cached, whatever the feature's policy for its successful answers.
    if (req.path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
    let httpError = err instanceof DomainError
      ? new HttpError(statusOf(err), err.code, err.message, err.details)
      : err instanceof HttpError ? err : bodyParserError(err, config.bodyLimitBytes);
    if (!httpError && typeof err === 'object' && err !== null) {
      // Other client errors raised by Express itself (e.g. a malformed %-escape in the path).
      const status = (err as { status?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        httpError = new HttpError(status, status === 404 ? 'not_found' : 'bad_request', 'The request could not be understood.');
      }
    }
    if (!httpError) {
      logError(`internal error on ${req.method} ${req.originalUrl}:`, err);
      res.status(500).json({ error: { code: 'internal_error', message: 'An internal error occurred; it has been logged.' } });
      return;
    }
    const body: { code: string; message: string; details?: unknown } = { code: httpError.code, message: httpError.message };
    if (httpError.details !== undefined) body.details = httpError.details;
    res.status(httpError.status).json({ error: body });
  };
  app.use(onError);

  return app;
}
