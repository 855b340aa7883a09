// The real app on a real socket (port 0) over a real database of the test's own, for API tests with
// fetch: a SQLite file, or PostgreSQL when KELISIM_TEST_DB=postgres (test/helpers/store.ts).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { createAntibot, type AntibotOptions } from '../../server/antibot/guard';
import { sql as q } from 'drizzle-orm';
import type { Db } from '../../server/db/open';
import { rowShape } from '../../server/db/rows';
import { invitations, responses, waves, type InvitationRow, type ResponseRow, type SurveyVersionRow, type WaveRow } from '../../server/db/schema';
import type { Store } from '../../server/db/store';
import { createInvitations } from '../../server/invitations/service';
import { loadOfficialSurvey } from '../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../server/surveys/service';
import { closeWave, ensureOpenWave, openWave } from '../../server/waves/service';
import type { Sql } from '../../server/db/sql';
import { cliEnvOf, createTestStore, type TestEngine } from './store';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** The small stand-in questionnaire (test/fixtures/mini-survey/official). */
export const MINI_SURVEYS_DIR = path.join(REPO_ROOT, 'test/fixtures/mini-survey');
/** The real questionnaire folder (surveys/official). */
export const OFFICIAL_SURVEYS_DIR = path.join(REPO_ROOT, 'surveys');

/**
 * A JSON response body as tests read it: any property path can be followed (`body.error.code`) and
 * its values are checked by the tests' assertions, not by types.
 */
export interface JsonBody { readonly [key: string]: JsonBody }

/** `value` as the array of objects a test expects there (fails the test if it is not an array). */
export function listOf<T>(value: JsonBody): T[] {
  if (!Array.isArray(value)) throw new Error(`expected an array in the response body, got ${JSON.stringify(value)}`);
  return value as T[];
}

/** `value` as the number a test expects there (fails the test if it is not a number). */
export function numberOf(value: JsonBody): number {
  const v: unknown = value;
  if (typeof v !== 'number') throw new Error(`expected a number in the response body, got ${JSON.stringify(v)}`);
  return v;
}

/** `value` as the string a test expects there (fails the test if it is not a string). */
export function textOf(value: JsonBody): string {
  const v: unknown = value;
  if (typeof v !== 'string') throw new Error(`expected a string in the response body, got ${JSON.stringify(v)}`);
  return v;
}

export interface TestApp {
  baseUrl: string;
  engine: TestEngine;
  /** The store the app runs on: tests read and write through `store.sql` / `store.write`. */
  store: Store;
  /**
   * SQLite only: the drizzle connection under the store, for tests of code not moved to the store
   * yet. On PostgreSQL any use of it throws (such a test cannot run there).
   */
  db: Db;
  /** SQLite only: the database file ('' on PostgreSQL). */
  dbFile: string;
  /** What a `kelisim` process is pointed at: KELISIM_DB or KELISIM_DATABASE_URL. */
  cliEnv: Record<string, string>;
  /** The stored responses (ordered by id), `id`'s only when given; read through the store. */
  responseRows: (id?: string) => Promise<ResponseRow[]>;
  /** Invitation `id` as stored, or undefined. */
  invitationRow: (id: number) => Promise<InvitationRow | undefined>;
  /** Creates `count` invitations to wave `waveId` (default the test's wave): ids and clear tokens. */
  createInvitations: (count: number, waveId?: number) => Promise<{ id: number; token: string }[]>;
  /** Closes wave `waveId` (default the test's wave), as `kelisim wave close` does. */
  closeWave: (waveId?: number) => Promise<void>;
  /** Opens another wave of the official survey (no period), so a test has an open link of its own. */
  openWave: () => Promise<WaveRow>;
  version: SurveyVersionRow;
  wave: WaveRow;
  /** Internal errors the app logged (a test of bad input expects none). */
  internalErrors: unknown[];
  api: (method: string, urlPath: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: JsonBody }>;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  surveysDir?: string;
  bodyLimitBytes?: number;
  staticDir?: string;
  /**
   * The open link's protection (server/antibot): off unless asked for, so tests of other features
   * need no proof of work; `true` enforces it with the default limits.
   */
  antibot?: boolean | AntibotOptions;
}

/** Starts the app on 127.0.0.1:<free port> with the survey registered and a wave open. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testStore = await createTestStore();
  const { store, engine } = testStore;
  const db = testStore.db ?? sqliteOnly(engine);
  const { version } = await loadOfficialSurvey(store, options.surveysDir ?? MINI_SURVEYS_DIR);
  const { wave } = await ensureOpenWave(store, OFFICIAL_SURVEY_ID);
  const internalErrors: unknown[] = [];
  const app = createApp({
    db: testStore.db, store,
    config: { bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024, staticDir: options.staticDir ?? path.join(os.tmpdir(), `kelisim-no-client-${randomUUID()}`) },
    logError: (_m, err) => internalErrors.push(err),
    antibot: options.antibot ? createAntibot(store, options.antibot === true ? { enforce: true } : options.antibot) : undefined,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api: TestApp['api'] = async (method, urlPath, body, headers = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + urlPath, init);
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON: keep the text */ }
    // Tests follow property paths into the body and assert on the values (see JsonBody).
    return { status: res.status, body: parsed as JsonBody };
  };
  return {
    baseUrl, engine, store, db, dbFile: testStore.location.file ?? '',
    cliEnv: cliEnvOf(testStore.location), version, wave, internalErrors, api,
    responseRows: async (id) => (await store.sql.all<Record<string, unknown>>(id === undefined
      ? q`SELECT ${RESPONSE.columns} FROM ${responses} ORDER BY ${responses.id}`
      : q`SELECT ${RESPONSE.columns} FROM ${responses} WHERE ${responses.id} = ${id}`)).map((r) => RESPONSE.read(r)),
    invitationRow: async (id) => INVITATION.readOptional(await store.sql.get(q`SELECT ${INVITATION.columns} FROM ${invitations} WHERE ${invitations.id} = ${id}`)),
    createInvitations: (count, waveId = wave.id) => store.write((tx) => createInvitations(tx, waveId, count)),
    // The CLI's own function (it also destroys the wave's open-link secret), on either engine.
    closeWave: async (waveId = wave.id) => { await closeWave(store, waveId); },
    openWave: () => store.write((tx) => openWave(tx, OFFICIAL_SURVEY_ID)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await testStore.cleanup();
    },
  };
}

const RESPONSE = rowShape<ResponseRow>(responses);

/**
 * Every stored response of the wave whose open link is `slug` (ordered by id), read through the
 * store `sql` of the database the server writes: what the server committed, on either engine.
 */
export async function storedResponses(sql: Sql, slug: string): Promise<ResponseRow[]> {
  return (await sql.all<Record<string, unknown>>(q`SELECT ${RESPONSE.columns} FROM ${responses}
    JOIN ${waves} ON ${waves.id} = ${responses.waveId} WHERE ${waves.openSlug} = ${slug} ORDER BY ${responses.id}`)).map((r) => RESPONSE.read(r));
}
const INVITATION = rowShape<InvitationRow>(invitations);

/** TestApp.db on PostgreSQL: any use throws, naming why. */
function sqliteOnly(engine: TestEngine): Db {
  return new Proxy({} as Db, {
    get(_target, key) {
      throw new Error(`TestApp.db (.${String(key)}) is SQLite's connection and this test runs on ${engine}: read through t.store / t.responseRows, or keep the test file SQLite-only`);
    },
  });
}
