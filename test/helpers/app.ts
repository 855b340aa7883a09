// The real app on a real socket (port 0) over a real SQLite file, for API tests with fetch.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { createAntibot, type AntibotOptions } from '../../server/antibot/guard';
import { storeOf } from './db-store';
import type { Db } from '../../server/db/open';
import type { SurveyVersionRow, WaveRow } from '../../server/db/schema';
import { loadOfficialSurvey } from '../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../server/surveys/service';
import { ensureOpenWave } from '../../server/waves/service';
import { createTestDb } from './db';

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
  db: Db;
  dbFile: string;
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
  const testDb = createTestDb();
  const { db } = testDb;
  const { version } = loadOfficialSurvey(db, options.surveysDir ?? MINI_SURVEYS_DIR);
  const { wave } = ensureOpenWave(db, OFFICIAL_SURVEY_ID);
  const internalErrors: unknown[] = [];
  // One store for the app and the open link's protection (pg-quotas: the antibot works on the store).
  const store = storeOf(db);
  const app = createApp({
    db, store,
    config: { bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024, staticDir: options.staticDir ?? path.join(testDb.dir, 'no-client') },
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
    baseUrl, db, dbFile: testDb.file, version, wave, internalErrors, api,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      testDb.cleanup();
    },
  };
}
