// `npm run bench:results-api [-- --responses 1000000 --clients 32 --requests 4000 --keep DIR]`:
// the public results API (issue 6, "Speed") on a database holding 1,000,000 stored responses and
// 20 published runs, the server running as `npm start` runs it (a child process), 32 concurrent
// keep-alive clients. Prints p50/p95/p99 per endpoint (goal: p95 ≤ 20 ms for indicators, series
// and breakdowns), plus the first answer after a publication (the cache rebuild).
// A benchmark, not a test: it prints figures and never fails on speed.
//
// The 20 runs are the demo's (server/demo/build.ts: 20 quarters × 1,500 synthetic respondents,
// each run computed and published); the stored responses are then multiplied to the wanted count
// with one INSERT … SELECT (copies with new ids in the current wave), so the database has the size
// of a real one. The API never reads the responses table: the size is there to show it does not matter.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { desc, eq } from 'drizzle-orm';
import { openDb } from '../server/db/open';
import { createSqliteStore } from '../server/db/store-sqlite';
import { estimateRuns } from '../server/db/schema';
import { addSyntheticQuarters, buildDemoDatabase, demoPeriods } from '../server/demo/build';
import { publishRun } from '../server/publications/service';
import { createEstimateRun } from '../server/runs/service';
import { OFFICIAL_SURVEY_ID } from '../server/surveys/service';
import { findWaveByPeriod } from '../server/waves/sqlite-sync';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface ResultsApiFigures {
  responses: number;
  publishedRuns: number;
  clients: number;
  endpoints: { name: string; path: string; requests: number; p50: number; p95: number; p99: number; max: number; perSecond: number; serverCpuMsPerRequest: number }[];
  afterPublicationMs: number;
  /** 1-minute load average before and after the measurement (the machine is shared). */
  load: [number, number];
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function get(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // As a browser asks: compressed answers welcome (the body is counted, not inflated).
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent, method: 'GET', headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${urlPath}: ${res.statusCode}`));
        else resolve(performance.now() - started);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(port: number, urlPath: string, clients: number, requests: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < requests) {
      next++;
      latencies.push(await get(port, urlPath));
    }
  }));
  return latencies.sort((a, b) => a - b);
}

function startServer(dbFile: string): Promise<{ proc: ChildProcess; port: number }> {
  const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', KELISIM_DB: dbFile, KELISIM_STATIC_DIR: path.join(path.dirname(dbFile), 'no-client') };
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.on('exit', (code) => reject(new Error(`the server exited with code ${code}:\n${out}`)));
  });
}

/** Builds the database (or reuses `keep`'s) and measures. */
export async function benchResultsApi(o: { responses: number; clients: number; requests: number; dir: string; log: (s: string) => void }): Promise<ResultsApiFigures> {
  const dbFile = path.join(o.dir, 'results-api.db');
  const sqlite0 = fs.existsSync(dbFile) ? new Database(dbFile, { readonly: true }) : null;
  const have = sqlite0 ? (sqlite0.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n : 0;
  sqlite0?.close();
  if (have !== o.responses) {
    o.log(`building ${dbFile}: 20 published runs (the demo's), then ${o.responses.toLocaleString('en')} stored responses…`);
    const t0 = performance.now();
    await buildDemoDatabase({ file: dbFile, surveysDir: path.join(ROOT, 'surveys'), now: new Date('2026-11-29T12:00:00Z') });
    const sqlite = new Database(dbFile);
    const base = (sqlite.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;
    const copies = Math.ceil((o.responses - base) / base);
    const cols = 'wave_id, survey_version_id, invitation_id, locale, status, data, current_page_no, started_at, updated_at, completed_at, duration_ms, region, settlement, sex, age, age_band, ethnicity, item_scores, consensus, tolerance, mood, mode, interviewer, base_weight';
    const current = (sqlite.prepare('SELECT max(id) AS id FROM waves').get() as { id: number }).id;
    sqlite.exec('BEGIN');
    sqlite.prepare(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
      INSERT INTO responses (id, ${cols}) SELECT id || '-' || k.i, ${cols.replace('wave_id', String(current))}
      FROM responses, k WHERE responses.rowid <= ? LIMIT ?`).run(copies, base, o.responses - base);
    sqlite.exec('COMMIT');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.close();
    o.log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return measureResultsApi(dbFile, o.clients, o.requests);
}

/** Starts the server on `dbFile` (which holds published runs) and measures the public API. */
export async function measureResultsApi(dbFile: string, clients: number, requests: number): Promise<ResultsApiFigures> {
  const o = { clients, requests };
  const check = new Database(dbFile, { readonly: true });
  const responses = (check.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;
  const runs = (check.prepare("SELECT count(DISTINCT period) AS n FROM publications WHERE action = 'publish'").get() as { n: number }).n;
  check.close();
  const { proc, port } = await startServer(dbFile);
  try {
    const endpoints = [
      ['indicators', '/api/public/v1/indicators'],
      ['series', '/api/public/v1/indicators/consensus/series'],
      ['breakdowns (wave, region)', '/api/public/v1/breakdowns?period=2026-Q3&by=region'],
      ['breakdowns (year pooled, region)', '/api/public/v1/breakdowns?period=2026&by=region'],
      ['series CSV', '/api/public/v1/indicators/mood/series?format=csv&lang=ru'],
    ] as const;
    // Warm-up: the first request of each builds its answer once per published state.
    for (let round = 0; round < 2; round++) for (const [, p] of endpoints) await load(port, p, o.clients, 500);
    const figures: ResultsApiFigures['endpoints'] = [];
    const loadBefore = os.loadavg()[0]!;
    for (const [name, p] of endpoints) {
      const t0 = performance.now();
      const c0 = cpuMs(proc.pid!);
      const lat = await load(port, p, o.clients, o.requests);
      const seconds = (performance.now() - t0) / 1000;
      figures.push({
        name, path: p, requests: lat.length, p50: percentile(lat, 0.5), p95: percentile(lat, 0.95), p99: percentile(lat, 0.99), max: lat[lat.length - 1]!,
        perSecond: lat.length / seconds, serverCpuMsPerRequest: (cpuMs(proc.pid!) - c0) / lat.length,
      });
    }
    const loadAfter = os.loadavg()[0]!;
    // A publication changes the state: the next answer recomputes it (all 20 runs read and parsed).
    const w = new Database(dbFile);
    const last = w.prepare("SELECT run_id AS runId, period FROM publications WHERE action = 'publish' ORDER BY id DESC LIMIT 1").get() as { runId: number; period: string };
    w.prepare("INSERT INTO publications (run_id, period, action, reason, actor, at) VALUES (?, ?, 'withdraw', 'bench', 'bench', ?)").run(last.runId, last.period, new Date().toISOString());
    w.prepare("INSERT INTO publications (run_id, period, action, reason, actor, at) VALUES (?, ?, 'publish', NULL, 'bench', ?)").run(last.runId, last.period, new Date().toISOString());
    w.close();
    const afterPublicationMs = await get(port, '/api/public/v1/indicators');
    return { responses, publishedRuns: runs, clients: o.clients, endpoints: figures, afterPublicationMs, load: [loadBefore, loadAfter] };
  } finally {
    proc.removeAllListeners('exit');
    proc.kill('SIGTERM');
    agent.destroy();
  }
}

function print(f: ResultsApiFigures): void {
  process.stdout.write(`\npublic results API: ${f.responses.toLocaleString('en')} stored responses, ${f.publishedRuns} published runs, ${f.clients} concurrent clients (${os.cpus().length} cores)\n`);
  process.stdout.write(`load average ${f.load[0].toFixed(1)} before, ${f.load[1].toFixed(1)} after (a shared machine: latencies include waiting for a core)\n`);
  process.stdout.write(`${'endpoint'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'req/s'.padStart(8)} ${'server CPU ms/req'.padStart(18)}\n`);
  for (const e of f.endpoints) {
    process.stdout.write(`${e.name.padEnd(34)} ${e.p50.toFixed(2).padStart(8)} ${e.p95.toFixed(2).padStart(8)} ${e.p99.toFixed(2).padStart(8)} ${e.max.toFixed(2).padStart(8)} ${e.perSecond.toFixed(0).padStart(8)} ${e.serverCpuMsPerRequest.toFixed(3).padStart(18)}\n`);
  }
  process.stdout.write(`first /indicators after a publication (state recomputed): ${f.afterPublicationMs.toFixed(1)} ms\n`);
}

/**
 * The public-API section of `npm run bench:results` (bench/results.ts SECTIONS): on its prepared
 * database (one closed wave of 1,000,000 responses), 19 more quarters of 1,500 synthetic
 * respondents are added, computed and published (the demo's generator and the runs services), and
 * the big wave's latest run is published too: 20 published runs beside 1,000,000+ stored responses.
 */
export async function resultsApiSection(ctx: { dbFile: string; waveId: number; period: string; frameName: string }): Promise<void> {
  process.stdout.write('\n— the public results API with 20 published runs —\n');
  const t0 = performance.now();
  const db = openDb(ctx.dbFile, { synchronous: 'normal' });
  try {
    const now = new Date('2026-11-29T12:00:00Z');
    // 19 quarters without a wave yet (the prepared wave and the server's open one have theirs).
    const free = ['2021-Q1', '2021-Q2', '2021-Q3', '2021-Q4', ...demoPeriods(now)].filter((p) => !findWaveByPeriod(db, OFFICIAL_SURVEY_ID, p));
    await addSyntheticQuarters(createSqliteStore(db), db, { periods: free.slice(-19), perWave: 1500, now });
    const latest = db.select({ id: estimateRuns.id }).from(estimateRuns).where(eq(estimateRuns.waveId, ctx.waveId)).orderBy(desc(estimateRuns.id)).limit(1).get();
    const store = createSqliteStore(db);
    const runId = latest?.id ?? (await createEstimateRun(store, db, { wave: { id: ctx.waveId }, frame: { name: ctx.frameName } }, 'bench')).row.id;
    await publishRun(store, runId, 'bench');
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.$client.close();
  }
  process.stdout.write(`published 19 synthetic quarters and the big wave's run in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  print(await measureResultsApi(ctx.dbFile, 32, 4000));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { responses: { type: 'string', default: '1000000' }, clients: { type: 'string', default: '32' }, requests: { type: 'string', default: '4000' }, keep: { type: 'string' } } });
  const dir = values.keep ? path.resolve(values.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-results-'));
  fs.mkdirSync(dir, { recursive: true });
  const f = await benchResultsApi({ responses: Number(values.responses), clients: Number(values.clients), requests: Number(values.requests), dir, log: (s) => process.stdout.write(`${s}\n`) });
  print(f);
  if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
}
