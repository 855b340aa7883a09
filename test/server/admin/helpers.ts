// The app on a real socket over a real database of the test's own (createTestStore: SQLite, or
// PostgreSQL with KELISIM_TEST_DB=postgres), with console accounts of every role signed in and a
// clock the test moves (sessions expire by it).
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { CSRF_HEADER, type Role } from '../../../contract/admin-api';
import { createApp, type AppDeps } from '../../../server/app';
import { hashPassword } from '../../../server/auth/passwords';
import { createUser } from '../../../server/auth/service';
import type { Db } from '../../../server/db/open';
import { users, type WaveRow } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import type { Store } from '../../../server/db/store';
import { loadOfficialSurvey, loadTargets } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { ensureOpenWave } from '../../../server/waves/service';
import { cliEnvOf, createTestStore, type TestEngine } from '../../helpers/store';
import { MINI_SURVEYS_DIR, textOf, type JsonBody } from '../../helpers/app';

export const PASSWORD = 'correct horse battery staple';

export interface Answer { status: number; body: JsonBody; headers: Headers }

export interface Session { cookie: string; csrf: string }

export interface AdminTestApp {
  baseUrl: string;
  engine: TestEngine;
  /** The store the app runs on. */
  store: Store;
  /**
   * SQLite only: the drizzle connection, for tests of console routes whose services have not moved
   * to the store yet (waves, invitations, quotas, imports, frames, runs, exports); on PostgreSQL
   * reading it throws, naming the test's engine.
   */
  db: Db;
  /** What a `kelisim` process is pointed at: KELISIM_DB or KELISIM_DATABASE_URL. */
  cliEnv: Record<string, string>;
  /** What another createApp on the same database needs besides its config (the store, and the SQLite connection or the job runner). */
  appDeps: Pick<AppDeps, 'db' | 'store' | 'jobs' | 'dbFile'>;
  wave: WaveRow;
  clock: { now: Date; advance(ms: number): void };
  /** A request; `session` adds its cookie and (for state changes) its CSRF token and Origin. */
  call(method: string, urlPath: string, o?: { session?: Session; body?: unknown; headers?: Record<string, string>; csrf?: boolean }): Promise<Answer>;
  /** Creates an account with PASSWORD (already changed) and signs it in. */
  signIn(role: Role, email?: string): Promise<Session>;
  close(): Promise<void>;
}

export async function startAdminApp(o: { surveysDir?: string; trustProxy?: number } = {}): Promise<AdminTestApp> {
  const ts = await createTestStore();
  const { store } = ts;
  await loadOfficialSurvey(store, o.surveysDir ?? MINI_SURVEYS_DIR);
  // The public results API needs the targets, as the server loads them at start.
  if (o.surveysDir) await loadTargets(store, o.surveysDir);
  const { wave } = await ensureOpenWave(store, OFFICIAL_SURVEY_ID);
  const db = ts.db;
  const noClient = path.join(os.tmpdir(), 'kelisim-no-client');
  const clock = { now: new Date('2026-11-29T10:00:00Z'), advance(ms: number) { this.now = new Date(this.now.getTime() + ms); } };
  const appDeps: AdminTestApp['appDeps'] = { ...(db ? { db } : {}), store, ...(ts.location.file === undefined ? {} : { dbFile: ts.location.file }) };
  const app = createApp({
    ...appDeps, config: { bodyLimitBytes: 64 * 1024, staticDir: noClient }, clock: () => clock.now,
    ...(o.trustProxy === undefined ? {} : { trustProxy: o.trustProxy }), logError: (m, e) => console.error(m, e),
  });
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call: AdminTestApp['call'] = async (method, urlPath, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.session) {
      headers.cookie = o.session.cookie;
      if (method !== 'GET' && o.csrf !== false) headers[CSRF_HEADER] = o.session.csrf;
    }
    if (method !== 'GET') headers.origin ??= baseUrl;
    let body: string | Blob | undefined;
    if (o.body !== undefined) {
      if (typeof o.body === 'string') body = o.body;
      else if (Buffer.isBuffer(o.body)) body = new Blob([new Uint8Array(o.body)]);
      else { body = JSON.stringify(o.body); headers['content-type'] ??= 'application/json'; }
    }
    const res = await fetch(baseUrl + '/api/admin' + urlPath, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    // Tests follow property paths into the body and assert on the values (see JsonBody).
    return { status: res.status, body: parsed as JsonBody, headers: res.headers };
  };
  let n = 0;
  const signIn: AdminTestApp['signIn'] = async (role, email = `${role}${++n}@example.kz`) => {
    const { user } = await createUser(store, email, role, 'test');
    const passwordHash = await hashPassword(PASSWORD);
    await store.write((tx) => tx.run(sql`UPDATE ${users} SET ${bare(users.passwordHash)} = ${passwordHash}, ${bare(users.mustChangePassword)} = ${0} WHERE ${users.id} = ${user.id}`));
    const res = await call('POST', '/session', { body: { email, password: PASSWORD } });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { cookie: cookieOf(res.headers), csrf: textOf(res.body.csrfToken) };
  };
  return {
    baseUrl, engine: ts.engine, store, appDeps, wave, clock, call, signIn,
    get db(): Db {
      if (!db) throw new Error(`this test reads the SQLite connection, which a ${ts.engine} test store has not: run it on SQLite only`);
      return db;
    },
    cliEnv: cliEnvOf(ts.location),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ts.cleanup();
    },
  };
}

/** A body read as its contract shape (contract/admin-api.ts), as the console reads it: fails the test when it is not. */
export function bodyAs<T>(schema: { parse(data: unknown): T }, body: JsonBody): T {
  return schema.parse(body);
}

/** `name=value` of the session cookie a sign-in set. */
export function cookieOf(headers: Headers): string {
  const set = headers.getSetCookie().find((c) => c.startsWith('kelisim_session='));
  if (!set) throw new Error('no session cookie was set');
  return set.split(';')[0]!;
}
