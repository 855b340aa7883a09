// `npm run demo` with KELISIM_DATABASE_URL (decision 030): the demo is built into that PostgreSQL
// database through the store — the same synthetic respondents as the SQLite demo, one run per
// quarter computed from PostgreSQL and published, every public API answer marked demo — and a
// database that holds anything but a demo is refused with nothing changed.
import path from 'node:path';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app';
import { openPg } from '../../../server/db/open-pg';
import type { Store } from '../../../server/db/store';
import { createPgStore } from '../../../server/db/store-pg';
import { buildDemoDatabase, buildDemoDatabasePg } from '../../../server/demo/build';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/service';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestPgDb, type TestPgDb } from '../../helpers/pg';

const now = new Date('2022-09-15T12:00:00Z');
const dbs: TestPgDb[] = [];
const stores: Store[] = [];
let demo: TestPgDb;
let store: Store;
let server: ReturnType<ReturnType<typeof createApp>['listen']>;
let base = '';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-demo-pg-'));

async function newDb(): Promise<TestPgDb> { const d = await createTestPgDb(); dbs.push(d); return d; }
async function storeOn(url: string): Promise<Store> { const s = createPgStore((await openPg(url)).$client); stores.push(s); return s; }

beforeAll(async () => {
  demo = await newDb();
  const summary = await buildDemoDatabasePg({ url: demo.url, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 300 });
  expect(summary).toMatchObject({ waves: 3, respondents: 900, runs: 3 });
  store = await storeOn(demo.url);
  const app = createApp({ store, config: { bodyLimitBytes: 65536, staticDir: path.join(dir, 'no-client') } });
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/public/v1`;
}, 120_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of stores) await s.close();
  for (const d of dbs) await d.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const poolOf = (s: Store): pg.Pool => (s.driver as { pool: pg.Pool }).pool;
const count = async (s: Store, table: string) => (await poolOf(s).query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;

describe('the demo on PostgreSQL', () => {
  it('holds the same synthetic respondents as the SQLite demo, in quarterly waves, with one published run each', async () => {
    const pool = poolOf(store);
    const waves = (await pool.query<{ period: string; status: string }>('SELECT period, status FROM waves ORDER BY id')).rows;
    expect(waves).toEqual([{ period: '2022-Q1', status: 'closed' }, { period: '2022-Q2', status: 'closed' }, { period: '2022-Q3', status: 'open' }]);
    expect((await pool.query('SELECT 1 FROM publications')).rowCount).toBeGreaterThanOrEqual(3);
    // The same generator and scoring: the stored rows equal the SQLite demo's, id for id.
    const file = path.join(dir, 'demo.db');
    await buildDemoDatabase({ file, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 300 });
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(file, { readonly: true });
    try {
      const cols = 'id, locale, status, started_at, completed_at, duration_ms, mode, interviewer, region, settlement, sex, age, age_band, ethnicity, consensus, tolerance, mood';
      const a = sqlite.prepare(`SELECT ${cols}, data FROM responses ORDER BY id`).all() as Record<string, unknown>[];
      const b = (await pool.query<Record<string, unknown>>(`SELECT ${cols}, CAST(data AS TEXT) AS data FROM responses ORDER BY id COLLATE "C"`)).rows;
      expect(b.length).toBe(900);
      expect(b.map((r) => ({ ...r, duration_ms: Number(r.duration_ms) }))).toEqual(a);
      const sqliteRuns = (sqlite.prepare('SELECT input_hash FROM estimate_runs ORDER BY id').all() as { input_hash: string }[]).map((r) => r.input_hash);
      const pgRuns = (await pool.query<{ input_hash: string }>('SELECT input_hash FROM estimate_runs ORDER BY id')).rows.map((r) => r.input_hash);
      expect(pgRuns).toEqual(sqliteRuns);
    } finally {
      sqlite.close();
    }
  });

  it('answers every public API request with demo: true and the illustrative frame', async () => {
    const periods = await (await fetch(`${base}/periods`)).json() as { demo: boolean; periods: { period: string; frame: { illustrative: boolean }; runId: number | null }[] };
    expect(periods.demo).toBe(true);
    expect(periods.periods.map((p) => p.period)).toEqual(['2022-Q1', '2022-Q2', '2022-Q3', '2022']);
    expect(periods.periods.every((p) => p.frame.illustrative)).toBe(true);
    for (const u of ['/indicators', '/indicators/consensus/series', '/breakdowns?period=2022&by=region', `/runs/${periods.periods[0]!.runId}`]) {
      const r = await fetch(base + u);
      expect(r.status, u).toBe(200);
      expect(((await r.json()) as { demo: boolean }).demo, u).toBe(true);
    }
  });

  it('builds again into its own demo database, but refuses one that holds other data and changes nothing there', async () => {
    const again = await buildDemoDatabasePg({ url: demo.url, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 300 });
    expect(again.respondents).toBe(900);
    expect(await count(store, 'responses')).toBe('900');
    expect(await count(store, 'waves')).toBe('3');

    const real = await newDb();
    const realStore = await storeOn(real.url);
    await loadOfficialSurvey(realStore, OFFICIAL_SURVEYS_DIR);
    await createWave(realStore, OFFICIAL_SURVEY_ID, '2026-Q1', { actor: 'test' });
    const refused = await buildDemoDatabasePg({ url: real.url, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 50 }).then(() => null, (err: unknown) => err as Error);
    expect(refused?.message).toMatch(/holds data \(tables .*waves.*\) and is not a demo database/);
    expect(refused?.message).not.toContain(new URL(real.url).password || '\u0000');
    expect(await count(realStore, 'waves')).toBe('1');
    expect(await count(realStore, 'responses')).toBe('0');
    expect(await count(realStore, 'audit_log')).not.toBe('0');

    // Someone else's database: refused before the migrations would add Kelisim's tables to it.
    const theirs = await newDb();
    const own = new (await import('pg')).default.Pool({ connectionString: theirs.url, max: 1 });
    try {
      await own.query('CREATE TABLE ledger (x integer)');
      const no = await buildDemoDatabasePg({ url: theirs.url, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 50 }).then(() => null, (err: unknown) => err as Error);
      expect(no?.message).toContain('tables that are not Kelisim\'s (ledger)');
      const tables = (await own.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()")).rows.map((r) => r.t);
      expect(tables).toEqual(['ledger']);
    } finally {
      await own.end();
    }
  }, 120_000);
});
