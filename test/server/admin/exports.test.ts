// Console downloads over real HTTP (issues 8 and 9): the wave export with `run=N` and a run's
// results table go through writeExport (the command line's export, written in a worker thread),
// a refusal answers an error status before any byte, and a large export leaves the event loop
// free to serve respondents.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../contract/admin-api';
import { createApp, type AppDeps } from '../../../server/app';
import { hashPassword } from '../../../server/auth/passwords';
import { createUser } from '../../../server/auth/service';
import { openDb } from '../../../server/db/open';
import { openPg } from '../../../server/db/open-pg';
import { auditLog, responses, users } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import type { Store } from '../../../server/db/store';
import { createPgStore } from '../../../server/db/store-pg';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { INDICATOR_IDS } from '../../../server/runs/result';
import { parseCsvExact } from '../exports/csv-exact';
import { exportEngine, type ExportEngine } from '../exports/engine';
import { createExportFixture } from '../exports/fixture';
import { createRunFixture, type RunFixture } from '../exports/run-fixture';
import { cookieOf, PASSWORD } from './helpers';

interface Console { store: Store; server: Server; base: string; cookie: string; on: ExportEngine }

/** The estimate job runner where the console's compute has not moved to the store (PostgreSQL): not used by downloads. */
const NO_JOBS = { startEstimate: () => { throw new Error('no estimate runs in the export tests'); }, idle: async () => {} } as unknown as NonNullable<AppDeps['jobs']>;

/**
 * The console on the fixture `file`, on this run's engine (KELISIM_TEST_DB): the file itself, or
 * its PostgreSQL copy, whose downloads the export worker writes from the URL.
 */
async function startConsole(file: string, role: Role): Promise<Console> {
  const on = await exportEngine(file);
  let deps: Pick<AppDeps, 'db' | 'store' | 'dbFile' | 'jobs'>;
  if (on.engine === 'sqlite') {
    const db = openDb(file);
    deps = { db, store: createSqliteStore(db), dbFile: file };
  } else {
    deps = { store: createPgStore((await openPg(on.env.KELISIM_DATABASE_URL!, { migrateSchema: false })).$client), jobs: NO_JOBS };
  }
  const store = deps.store!;
  const app = createApp({ ...deps, config: { bodyLimitBytes: 64 * 1024, staticDir: path.join(path.dirname(file), 'no-client') }, logError: (m, e) => console.error(m, e) });
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/admin`;
  const email = `${role}@example.kz`;
  const { user } = await createUser(store, email, role, 'test');
  const passwordHash = await hashPassword(PASSWORD);
  await store.write((tx) => tx.run(sql`UPDATE ${users} SET ${bare(users.passwordHash)} = ${passwordHash}, ${bare(users.mustChangePassword)} = ${0} WHERE ${users.id} = ${user.id}`));
  const res = await fetch(`${base}/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base.replace('/api/admin', '') }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return { store, server, base, cookie: cookieOf(res.headers), on };
}

async function stopConsole(c: Console | undefined): Promise<void> {
  if (!c) return;
  c.server.closeAllConnections();
  await new Promise<void>((resolve) => c.server.close(() => resolve()));
  await c.store.close();
  await c.on.close();
}

/** The latest audit entry of `action` (the route appends it before the first byte is sent, so it is there). */
async function lastAudit(store: Store, action: string, after: number): Promise<{ subjectId: string; after: string }> {
  for (let i = 0; i < 100; i++) {
    const row = await store.sql.get<{ subjectId: string; after: string }>(sql`SELECT ${auditLog.subjectId} AS "subjectId", CAST(${auditLog.after} AS TEXT) AS "after"
      FROM ${auditLog} WHERE ${auditLog.action} = ${action} AND ${auditLog.id} > ${after} ORDER BY ${auditLog.id} DESC LIMIT 1`);
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${action} audit entry`);
}
const lastAuditId = async (store: Store) => (await store.sql.get<{ n: number }>(sql`SELECT coalesce(max(${auditLog.id}), 0) AS "n" FROM ${auditLog}`))!.n;

function table(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...rest] = parseCsvExact(text.replace(/^\ufeff/, ''));
  return { header: header!, rows: rest.map((r) => Object.fromEntries(header!.map((c, k) => [c, r[k]!]))) };
}

describe('console downloads of a wave with a run, and of a run\'s results', () => {
  let fx: RunFixture;
  let c: Console;
  beforeAll(async () => { fx = await createRunFixture(); c = await startConsole(fx.file, 'viewer'); }, 120_000);
  afterAll(async () => { await stopConsole(c); fs.rmSync(fx.dir, { recursive: true, force: true }); });
  const get = (p: string) => fetch(c.base + p, { headers: { cookie: c.cookie } });

  it('sends the wave with run=N: each row with the run\'s weight, and audits it', async () => {
    const before = await lastAuditId(c.store);
    const res = await get(`/waves/${fx.waveId}/export?format=csv&lang=en&run=${fx.run.row.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain(`kelisim-wave-${fx.waveId}-2024-Q2-run-${fx.run.row.id}-en.csv`);
    const { header, rows } = table(await res.text());
    expect(header.slice(-3)).toEqual(['run_weight', 'run_excluded', 'run_excluded_by']);
    const used = rows.filter((x) => x.run_excluded === '0');
    expect(used.length).toBe(fx.run.result.sample.used);
    const sum = used.reduce((p, x) => p + Number(x.run_weight), 0);
    expect(Math.abs(sum - fx.run.result.analysis.populationTotal)).toBeLessThan(1e-6 * fx.run.result.analysis.populationTotal);
    const audit = (await lastAudit(c.store, 'wave.export', before)).after;
    expect(JSON.parse(audit)).toMatchObject({ format: 'csv', lang: 'en', run: fx.run.row.id, rows: rows.length });
    // Without run=, no weight column.
    const plain = table(await (await get(`/waves/${fx.waveId}/export?format=csv&lang=en`)).text());
    expect(plain.header).not.toContain('run_weight');
    expect(plain.rows.length).toBe(rows.length);
  });

  it('sends a run\'s results: estimates and diagnostics as CSV, both sheets as XLSX', async () => {
    const before = await lastAuditId(c.store);
    const res = await get(`/runs/${fx.run.row.id}/export?format=csv&lang=kk`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`kelisim-run-${fx.run.row.id}-2024-Q2-estimates-kk.csv`);
    const est = table(await res.text()).rows;
    const ind = fx.run.result.analysis.indicators;
    for (const id of INDICATOR_IDS) {
      const total = est.find((x) => x.indicator === id && x.domain === 'total')!;
      expect(Number(total.estimate)).toBe(ind[id]!.mean);
    }
    const diag = table(await (await get(`/runs/${fx.run.row.id}/export?format=csv&lang=kk&part=diagnostics`)).text()).rows;
    expect(Number(diag.find((x) => x.section === 'sample' && x.statistic === 'excluded')!.value)).toBe(fx.run.result.sample.excluded);
    const xlsx = await get(`/runs/${fx.run.row.id}/export?format=xlsx&lang=ru`);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['estimates', 'diagnostics']);
    const audit = (await lastAudit(c.store, 'run.export', before)).subjectId;
    expect(String(audit)).toBe(String(fx.run.row.id));
  });

  it('refuses an unknown run, a run of another wave and sav as results with an error status, not a truncated 200', async () => {
    const unknown = await get('/runs/999/export?format=csv');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-disposition')).toBeNull();
    const unknownRun = await get(`/waves/${fx.waveId}/export?format=csv&run=999`);
    expect(unknownRun.status).toBe(404);
    expect((await unknownRun.json() as { error: { message: string } }).error.message).toContain('--run 999: no such estimate run');
    const other = await get(`/waves/${fx.otherWaveId}/export?format=csv&run=${fx.run.row.id}`);
    expect(other.status).toBe(400);
    expect((await other.json() as { error: { code: string } }).error.code).toBe('run_of_other_wave');
    expect((await get(`/runs/${fx.run.row.id}/export?format=sav`)).status).toBe(422);
  });

  // Last: it changes the data the run read.
  it('refuses a run the database no longer matches (409, before any byte)', async () => {
    // The stored item scores and mood of one complete response no longer what the run read.
    const row = (await c.store.sql.get<{ items: string }>(sql`SELECT CAST(${responses.itemScores} AS TEXT) AS "items" FROM ${responses} WHERE ${responses.id} = 'r00777'`))!;
    const items = { ...JSON.parse(row.items) as Record<string, unknown>, c1: 0, c2: 0, c3: 0, c4: 0, c5: 0 };
    await c.store.write((tx) => tx.run(sql`UPDATE ${responses} SET ${bare(responses.mood)} = ${0}, ${bare(responses.itemScores)} = ${JSON.stringify(items)} WHERE ${responses.id} = 'r00777'`));
    const res = await get(`/waves/${fx.waveId}/export?format=sav&run=${fx.run.row.id}`);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-disposition')).toBeNull();
    const body = (await res.json() as { error: { code: string; message: string } }).error;
    expect(body.code).toBe('run_outdated');
    expect(body.message).toContain(`run ${fx.run.row.id} no longer matches the database`);
  });
});

describe('a large console export leaves the event loop free', () => {
  const ROWS = 50_000;
  let dir: string;
  let c: Console | undefined;
  let waveId: number;
  beforeAll(async () => {
    const fx = createExportFixture(ROWS);
    dir = fx.dir;
    waveId = fx.waveId;
    c = await startConsole(fx.file, 'viewer');
  }, 300_000);
  afterAll(async () => { await stopConsole(c); if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it(`exports ${ROWS} rows as CSV, SAV and CSV again while the server's event loop never stalls for long`, async () => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const started = performance.now();
    const texts: string[] = [];
    for (const format of ['csv', 'sav', 'csv']) {
      const res = await fetch(`${c!.base}/waves/${waveId}/export?format=${format}&lang=ru`, { headers: { cookie: c!.cookie } });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBeGreaterThan(ROWS * 20);
      if (format === 'csv') texts.push(body.toString('utf8'));
    }
    const took = performance.now() - started;
    h.disable();
    for (const text of texts) expect(table(text).rows.length).toBe(ROWS);
    const maxMs = h.max / 1e6;
    console.log(`console exports of ${ROWS} rows (csv, sav, csv): ${Math.round(took)} ms, max event-loop delay ${Math.round(maxMs)} ms`);
    // Written on the event loop, these exports held it for 2–8 s at a stretch (measured on the
    // shared test machine); in the worker only sending the files, and the machine's load, delay it
    // (~0.1–0.2 s).
    expect(maxMs).toBeLessThan(1000);
  }, 300_000);
});
