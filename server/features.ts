// The feature routers the app mounts under /api, each carrying its own access rule and cache
// policy (docs/decisions/005). app.ts mounts exactly this list, in this order; nothing else sets
// the access or caching of an API answer.
//
// To add a feature, append one entry; its routes are relative to its path ('/indicators', not
// '/api/public/v1/indicators'). A 'public-etag' feature gets a strong ETag on every JSON answer,
// 304 for a matching If-None-Match, and `Cache-Control: public, max-age=60` (docs/PUBLIC-API.md) —
// never the respondent API's no-store.
import type { Router } from 'express';
import type { Db } from './db/open';
import type { Store } from './db/store';
import type { WriteQueue } from './db/write-queue';
import type { Antibot } from './antibot/guard';
import { responsesRouter } from './responses/routes';
import { publicResultsRouter } from './results/routes';
import type { PublicAnswerCache } from './results/answer-cache';
import { ADMIN_OPEN_ROUTES, buildAdminRouter } from './admin/index';
import type { JobRunner } from './admin/runs/jobs';

/** Roles of console accounts, weakest first (contract/admin-api.ts, docs/decisions/019). */
export type { Role } from '../contract/admin-api';
import type { Role } from '../contract/admin-api';

/**
 * Who may call a feature's routes:
 * - `public`: anyone, nothing identifies the caller (published results);
 * - `respondent`: anyone holding a survey link; the `:link` in the path is the credential (an
 *   invitation token or a wave's open slug), checked by the feature's service;
 * - `authenticated`: a signed-in console account (server/auth): anonymous requests get 401
 *   `unauthenticated`, except the `open` routes (method + path relative to the feature: the login).
 *   The feature's router checks the role of each route (403 `forbidden` below it).
 */
export type Access = { kind: 'public' } | { kind: 'respondent' } | { kind: 'authenticated'; role: Role; open?: readonly { method: string; path: string }[] };

/**
 * How answers may be cached:
 * - `no-store`: never (a respondent's answers, anything personal or changing with every call);
 * - `public-etag`: by browsers and shared caches for a minute, then revalidated with the strong
 *   ETag the app computes (results that change only when a run is published).
 */
export type CachePolicy = 'no-store' | 'public-etag';

/** What a feature's router is built from. */
export interface FeatureDeps {
  db: Db;
  /**
   * The store (decision 027): services moved to it read through `store.sql` and write with
   * `store.write`, on SQLite or PostgreSQL alike. On SQLite it shares `db`'s connection and group
   * commit with `writes`.
   */
  store: Store;
  /** The group-commit queue: every write of the API runs as one of its jobs. */
  writes: WriteQueue;
  /** The open link's protection (server/antibot); absent: none (tests and tools that embed the app). */
  antibot?: Antibot;
  /** The time now (tests inject one to expire sessions); default the system clock. */
  clock?: () => Date;
  /** The database file (console estimate runs and exports open connections of their own). */
  dbFile?: string;
  /** Public base URL for links and the console's Origin check (config BASE_URL). */
  publicBaseUrl?: string;
  /** The console's estimate job runner (tests inject one); default one per app. */
  jobs?: JobRunner;
  /** Where the public results API records finished answers for the app's lean handler (decision 032). */
  publicAnswers?: PublicAnswerCache;
}

export interface Feature {
  /** For messages and tests. */
  name: string;
  /**
   * Where under /api the router is mounted, e.g. '/links': its routes are relative to it. Each
   * feature has its own path (never '/' or one inside another's), so its access rule and cache
   * policy apply to its requests only.
   */
  path: `/${string}`;
  access: Access;
  cache: CachePolicy;
  router: (deps: FeatureDeps) => Router;
}

/** The features of the server, mounted in this order. */
export const FEATURES: readonly Feature[] = [
  { name: 'responses', path: '/links', access: { kind: 'respondent' }, cache: 'no-store', router: ({ store, antibot }) => responsesRouter(store, antibot) },
  // The router keeps its own strong ETag per published state (computed once per state, not per body).
  { name: 'results', path: '/public/v1', access: { kind: 'public' }, cache: 'public-etag', router: ({ store, publicAnswers }) => publicResultsRouter(store.sql, { answers: publicAnswers }) },
  // The researchers' console (issue 8): sign-in per server/auth, each route's role per contract/admin-api.ts.
  { name: 'admin', path: '/admin', access: { kind: 'authenticated', role: 'viewer', open: ADMIN_OPEN_ROUTES }, cache: 'no-store', router: (deps) => buildAdminRouter(deps) },
];
