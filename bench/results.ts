// `npm run bench:results`: the compute-and-publish path at national scale (issue 6).
//
// 1. A temporary database with one closed wave of 1,000,000 complete responses (bench/synthetic-wave.ts:
//    direct SQL inserts, answers drawn with the tests' seeded generator, scored with analysis/
//    exactly as a completion is) and an illustrative frame over region, sex × age, settlement and ethnicity.
// 2. Estimate run: `kelisim estimate` (compiled, as `npm run kelisim` runs it) as a child process
//    under /usr/bin/time — wall time and peak RSS of the whole command (goal ≤ 5 s, ≤ 1 GB).
// 3. Respondents during a run: a server child (the real app and write queue, this file in
//    --server mode) takes web completions at a fixed arrival rate; the p99 latency while nothing
//    else runs, then while the same estimate runs in the server's worker thread (estimateInWorker,
//    the server's path). Goal: at most 3×.
//
// Sections are a list (SECTIONS below): another benchmark of the same data (the public API's
// latency, bench/results-api.ts) adds itself there and gets the prepared database.
// A benchmark, not a test: it prints figures and fails only if something does not work.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsApiSection } from './results-api';
import { ETHNIC, illustrativeFrameCsv, REGIONS, writeSyntheticWave } from './synthetic-wave';
import { rng as makeRng } from '../test/helpers/random';
import { agent, percentile, request } from './http-client';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// --- the prepared database -------------------------------------------------------------------------

/** What every section gets: a database file with one big closed wave and a frame to rake it to. */
export interface ResultsBenchContext {
  dir: string;
  dbFile: string;
  waveId: number;
  period: string;
  frameName: string;
  responses: number;
  /**
   * With `--db postgres`: the URL of a throw-away PostgreSQL database holding a copy of `dbFile`
   * (the estimate section times the same command on both).
   */
  postgresUrl?: string;
  /** Runs a `kelisim` command against the database (`env` added to its environment); resolves with its output, wall seconds and peak RSS (MB). */
  kelisim: (args: string[], env?: Record<string, string>) => Promise<{ code: number; stdout: string; stderr: string; seconds: number; cpuSeconds: number | null; peakMb: number | null }>;
}

async function prepare(responses: number): Promise<ResultsBenchContext> {
  const { openDb } = await import('../server/db/open');
  const { loadOfficialSurvey } = await import('../server/surveys/sqlite-sync');
  const { createWave } = await import('../server/waves/sqlite-sync');
  const { storeFrame } = await import('../server/frames/service');
  const { parseCsvText } = await import('../server/tables/read-table');
  const { OFFICIAL_SURVEY_ID } = await import('../server/surveys/service');
  const { getSurveyVersion } = await import('../server/surveys/sqlite-sync');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-results-'));
  const dbFile = path.join(dir, 'bench.db');
  const db = openDb(dbFile, { synchronous: 'normal' });
  const version = loadOfficialSurvey(db, path.join(ROOT, 'surveys')).version;
  const spec = getSurveyVersion(db, version.id)!.spec;
  const period = '2025-Q4';
  const wave = createWave(db, OFFICIAL_SURVEY_ID, period, { closed: true, actor: 'bench' });
  const frameName = 'bench-illustrative';
  const { createSqliteStore } = await import('../server/db/store-sqlite');
  await storeFrame(createSqliteStore(db), parseCsvText(illustrativeFrameCsv(), 'bench-frame.csv'), { name: frameName, source: 'illustrative figures for the benchmark', referenceDate: '2021-10-01', illustrative: true }, 'bench');

  const t0 = Date.now();
  writeSyntheticWave(db, { waveId: wave.id, versionId: version.id, spec, responses });
  db.$client.close();
  const size = fs.statSync(dbFile).size;
  process.stdout.write(`prepared ${responses.toLocaleString('en')} complete responses in wave ${wave.id} (${period}) in ${((Date.now() - t0) / 1000).toFixed(1)} s; database ${(size / 1e6).toFixed(0)} MB\n`);

  return context(dir, dbFile, wave.id, period, frameName, responses);
}

/** The context of a prepared database: dist/server built, and how to run `kelisim` on it. */
function context(dir: string, dbFile: string, waveId: number, period: string, frameName: string, responses: number): ResultsBenchContext {
  // dist/server up to date now, so no timed command includes a build.
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const kelisim: ResultsBenchContext['kelisim'] = (args, env = {}) => new Promise((resolve) => {
    // /usr/bin/time -f reports the command's peak RSS (KB) on stderr's last line.
    const useTime = fs.existsSync('/usr/bin/time');
    const cmd = useTime ? '/usr/bin/time' : process.execPath;
    // The compiled command, as `npm run kelisim` runs it (scripts/run.mjs; built below, before any timing).
    const argv = [...(useTime ? ['-f', 'BENCH_TIME %e %U %S %M', process.execPath] : []), 'scripts/run.mjs', 'kelisim', ...args];
    const t = process.hrtime.bigint();
    execFile(cmd, argv, { cwd: ROOT, env: { ...process.env, KELISIM_DB: dbFile, ...env }, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      const m = /BENCH_TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr: stderr.replace(/BENCH_TIME.*\n?/, ''),
        seconds: m ? Number(m[1]) : seconds, cpuSeconds: m ? Number(m[2]) + Number(m[3]) : null, peakMb: m ? Number(m[4]) / 1024 : null,
      });
    });
  });
  return { dir, dbFile, waveId, period, frameName, responses, kelisim };
}

// --- section: the estimate run ---------------------------------------------------------------------

async function estimateSection(ctx: ResultsBenchContext): Promise<void> {
  process.stdout.write('\nestimate run (kelisim estimate, the whole command: node start, read, flags, raking, 15 domain sets, store):\n');
  const estimate = async (engine: string, env?: Record<string, string>) => {
    const load = os.loadavg()[0]!;
    const r = await ctx.kelisim(['estimate', '--wave', String(ctx.waveId), '--frame', ctx.frameName], env);
    if (r.code !== 0) throw new Error(`kelisim estimate on ${engine} failed (${r.code}): ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { runId: number; inputs: { inputHash: string }; sample: { completes: number; used: number; excluded: number } };
    process.stdout.write(`  ${engine}: run ${doc.runId}: ${doc.sample.completes.toLocaleString('en')} completes, ${doc.sample.used.toLocaleString('en')} used (${doc.sample.excluded.toLocaleString('en')} flagged and excluded): `
      + `${r.seconds.toFixed(2)} s wall${r.cpuSeconds === null ? '' : ` (${r.cpuSeconds.toFixed(2)} s CPU)`}, peak RSS ${r.peakMb === null ? 'n/a' : `${r.peakMb.toFixed(0)} MB`}; load average ${load.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}   (goal ≤ 5 s, ≤ 1024 MB)\n`
      + `    uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}\n`);
    return { seconds: r.seconds, inputHash: doc.inputs.inputHash };
  };
  for (let round = 1; round <= 2; round++) {
    process.stdout.write(` round ${round}:\n`);
    const sqlite = await estimate('SQLite');
    if (!ctx.postgresUrl) continue;
    // The same command on the copy in PostgreSQL (KELISIM_DATABASE_URL wins over KELISIM_DB).
    const pg = await estimate('PostgreSQL', { KELISIM_DATABASE_URL: ctx.postgresUrl });
    if (pg.inputHash !== sqlite.inputHash) throw new Error(`the run read from PostgreSQL has input hash ${pg.inputHash}, from SQLite ${sqlite.inputHash}: not the same rows`);
    process.stdout.write(`  PostgreSQL / SQLite: ${(pg.seconds / sqlite.seconds).toFixed(2)}×   (issue 11 goal ≤ 2×; same input hash)\n`);
  }
}

/**
 * `--db postgres`: a throw-away PostgreSQL cluster (test/helpers/pg-cluster.ts, fsync on as a
 * production server) with the prepared SQLite database copied in by `kelisim db copy`'s code, then
 * VACUUM ANALYZE (a copied table's first reader would otherwise set its hint bits). Returns the
 * database's URL and a stop function.
 */
async function preparePostgres(dbFile: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { startPgCluster } = await import('../test/helpers/pg-cluster');
  const { copySqliteToPg } = await import('../server/db/copy-pg');
  const pg = (await import('pg')).default;
  const cluster = await startPgCluster({ durable: true });
  try {
    const admin = new pg.Client(cluster.url);
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const url = cluster.url.replace(/\/postgres$/, '/bench');
    const t0 = Date.now();
    const report = await copySqliteToPg(dbFile, url);
    const client = new pg.Client(url);
    await client.connect();
    await client.query('VACUUM ANALYZE');
    await client.end();
    process.stdout.write(`copied into PostgreSQL (throw-away cluster, fsync on) with kelisim db copy's code and VACUUM ANALYZE in ${((Date.now() - t0) / 1000).toFixed(1)} s (${report.tables.reduce((n, t) => n + t.rows, 0).toLocaleString('en')} rows)\n`);
    return { url, stop: () => cluster.stop() };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

// --- section: web completions while a run computes ---------------------------------------------------

/**
 * Sends completions at `rate` per second (open loop: arrivals do not wait for answers, as
 * respondents do not) until `until()` is true and at least `minSeconds` have passed.
 */
async function paced(port: number, body: () => { path: string; body: string }, rate: number, minSeconds: number, until: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = Date.now();
  let sent = 0;
  while (Date.now() - t0 < minSeconds * 1000 || !until()) {
    const due = Math.floor(((Date.now() - t0) / 1000) * rate);
    while (sent < due) {
      sent++;
      const b = body();
      const start = process.hrtime.bigint();
      // A reused keep-alive socket the server has just closed answers ECONNRESET: the page retries
      // with the same response id (idempotent), and so does this client; the retry's time counts.
      const send = (attempt = 1): Promise<{ status: number; body: string }> => request(port, 'POST', b.path, b.body)
        .catch((err: NodeJS.ErrnoException) => { if (attempt < 3 && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return send(attempt + 1); throw err; });
      pending.push(send().then((res) => {
        if (res.status !== 201 && res.status !== 200) throw new Error(`a completion got ${res.status}: ${res.body.slice(0, 300)}`);
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }));
      pending[pending.length - 1]!.catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 2));
    if (Date.now() - t0 > 120_000) throw new Error('the measurement took longer than 120 s');
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

function startServer(ctx: ResultsBenchContext): Promise<{ proc: ChildProcess; port: number; slug: string; send: (line: string) => void; next: (re: RegExp) => Promise<RegExpExecArray> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/results.ts', '--server'], {
    cwd: ROOT, env: { ...process.env, KELISIM_DB: ctx.dbFile, BENCH_WAVE: String(ctx.waveId), BENCH_FRAME: ctx.frameName }, stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(out);
      if (m) { waiters.splice(waiters.indexOf(w), 1); out = out.slice(m.index + m[0].length); w.resolve(m); }
    }
  });
  const next = (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const m = re.exec(out);
    if (m) { out = out.slice(m.index + m[0].length); return resolve(m); }
    waiters.push({ re, resolve });
    proc.once('exit', (code) => reject(new Error(`the bench server exited (${code})`)));
  });
  return next(/listening (\d+) (\S+)\n/).then((m) => ({ proc, port: Number(m[1]), slug: m[2]!, send: (line: string) => proc.stdin!.write(line + '\n'), next }));
}

async function latencySection(ctx: ResultsBenchContext): Promise<void> {
  const rate = 150;
  const server = await startServer(ctx);
  try {
    const link = JSON.parse((await request(server.port, 'GET', `/api/links/${server.slug}`)).body) as { survey: { versionId: number } };
    const rng = makeRng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const body = () => {
      const data = {
        adult: true, resident: true, consent: true, region: pick(REGIONS), settlement: pick(['urban', 'rural']), sex: pick(['m', 'f']),
        age: 18 + Math.floor(rng() * 60), ethnicity: pick(ETHNIC),
        a1: pick([1, 2, 3, 4, 5, 'dk']), a2: pick([1, 2, 3, 4, 5]), a3: pick([1, 2, 3, 4, 5]), a4: pick([1, 2, 3, 4, 5]), a5: pick([1, 2, 3, 4, 5]),
        b1: pick([1, 0]), b2: pick([1, 0]), b3: pick([1, 0, 'dk']), b4: pick([1, 0]), b5: pick([1, 0]), b6: pick([1, 0]),
        c1: pick([1, 2, 3, 4, 5]), c2: pick([1, 2, 3, 4, 5]), c3: pick([1, 2, 3, 4, 5]), c4: pick([1, 2, 3, 4, 5]), c5: Math.floor(rng() * 11),
      };
      return { path: `/api/links/${server.slug}/responses/${randomUUID()}/complete`, body: JSON.stringify({ surveyVersionId: link.survey.versionId, locale: 'kk', data, durationMs: 600_000 }) };
    };
    process.stdout.write(`\nweb completions at ${rate}/s (open loop, real app with fsync'd group commits) against the server, without and with an estimate run of the 1M wave in its worker thread:\n`);
    await paced(server.port, body, rate, 3, () => true); // warm-up
    const quiet = await paced(server.port, body, rate, 8, () => true);
    let done = false;
    let runMs = 0;
    server.send('estimate');
    const finished = server.next(/estimate done (\d+) (\d+)\n/).then((m) => { done = true; runMs = Number(m[1]); });
    const busy = await paced(server.port, body, rate, 0.5, () => done);
    await finished;
    const q99 = percentile(quiet, 99);
    const b99 = percentile(busy, 99);
    process.stdout.write(`  without a run: ${quiet.length} completions, p50 ${percentile(quiet, 50).toFixed(2)} ms, p99 ${q99.toFixed(2)} ms\n`);
    process.stdout.write(`  during a run (${(runMs / 1000).toFixed(2)} s in the worker thread): ${busy.length} completions, p50 ${percentile(busy, 50).toFixed(2)} ms, p99 ${b99.toFixed(2)} ms\n`);
    process.stdout.write(`  p99 ratio ${(b99 / q99).toFixed(2)}   (goal ≤ 3)\n`);
  } finally {
    agent.destroy();
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
  }
}

/** The sections, in order; each gets the prepared database. */
export const SECTIONS: { name: string; run: (ctx: ResultsBenchContext) => Promise<void> }[] = [
  { name: 'estimate', run: estimateSection },
  { name: 'completions during a run', run: latencySection },
  { name: 'public results API', run: resultsApiSection },
];

// --- server mode (a child of the benchmark) ----------------------------------------------------------

async function serverMode(): Promise<void> {
  const { createApp } = await import('../server/app');
  const { openDb, walSyncer } = await import('../server/db/open');
  const { startCheckpointer } = await import('../server/db/checkpointer');
  const { ensureOpenWave } = await import('../server/waves/sqlite-sync');
  const { OFFICIAL_SURVEY_ID } = await import('../server/surveys/service');
  const { estimateInWorker } = await import('../server/runs/worker-pool');
  const { createSqliteStore } = await import('../server/db/store-sqlite');
  const dbFile = process.env.KELISIM_DB!;
  // As server/main.ts: synchronous=NORMAL plus the write queue's own fsync of the WAL before answering.
  const db = openDb(dbFile, { synchronous: 'normal' });
  const { wave } = ensureOpenWave(db, OFFICIAL_SURVEY_ID);
  const app = createApp({ db, config: { bodyLimitBytes: 256 * 1024, staticDir: path.join(os.tmpdir(), 'kelisim-no-client') }, syncWal: walSyncer(dbFile) });
  const checkpointer = startCheckpointer(db);
  const server = app.listen(0, '127.0.0.1', () => {
    // Longer than any pause of the load generator, so idle keep-alive sockets are not closed under it.
    server.keepAliveTimeout = 60_000;
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0} ${wave.openSlug}\n`);
  });
  let buffer = '';
  process.stdin.on('data', (d: Buffer) => {
    buffer += d.toString();
    while (buffer.includes('\n')) {
      const line = buffer.slice(0, buffer.indexOf('\n'));
      buffer = buffer.slice(buffer.indexOf('\n') + 1);
      if (line === 'estimate') {
        const t0 = Date.now();
        estimateInWorker(createSqliteStore(db).sql, { file: dbFile }, { wave: { id: Number(process.env.BENCH_WAVE) }, frame: { name: process.env.BENCH_FRAME! } }, 'bench').then(
          (run) => process.stdout.write(`estimate done ${Date.now() - t0} ${run.row.id}\n`),
          (err: unknown) => { process.stderr.write(`estimate failed: ${String(err)}\n`); process.exit(1); },
        );
      }
    }
  });
  process.on('SIGTERM', () => server.close(() => { void checkpointer.stop().then(() => { db.$client.close(); process.exit(0); }); }));
  server.closeIdleConnections();
}

// --- main --------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--responses');
  const responses = i >= 0 ? Number(argv[i + 1]) : 1_000_000;
  if (!Number.isInteger(responses) || responses < 100) throw new Error(`--responses needs a whole number ≥ 100, got "${argv[i + 1]}"`);
  // Figures on a shared machine vary with its load: say what it was.
  process.stdout.write(`results benchmark: Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  // --db FILE: a database kept by --prepare-only (its first wave and the bench frame), not deleted afterwards.
  // --db postgres: the prepared wave copied into a throw-away PostgreSQL too; the estimate section times both.
  const d = argv.indexOf('--db');
  const postgres = d >= 0 && argv[d + 1] === 'postgres';
  let ctx: ResultsBenchContext;
  if (d >= 0 && !postgres) {
    const dbFile = path.resolve(argv[d + 1] ?? '');
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(dbFile, { readonly: true, fileMustExist: true });
    const wave = sqlite.prepare("SELECT w.id, w.period, (SELECT count(*) FROM responses r WHERE r.wave_id = w.id AND r.status = 'complete') AS n FROM waves w ORDER BY n DESC LIMIT 1").get() as { id: number; period: string; n: number };
    sqlite.close();
    ctx = context(fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-results-')), dbFile, wave.id, wave.period, 'bench-illustrative', wave.n);
    process.stdout.write(`using ${dbFile}: ${wave.n.toLocaleString('en')} complete responses in wave ${wave.id} (${wave.period})\n`);
  } else {
    ctx = await prepare(responses);
  }
  // --prepare-only: keep the prepared database and print its path (for profiling a section by hand).
  if (argv.includes('--prepare-only')) {
    process.stdout.write(`database kept at ${ctx.dbFile} (wave ${ctx.waveId}, frame ${ctx.frameName})\n`);
    return;
  }
  // --only <name>: run just that section (e.g. `--only estimate`), skipping the slower ones.
  const o = argv.indexOf('--only');
  const only = o >= 0 ? argv[o + 1] : undefined;
  if (only !== undefined && !SECTIONS.some((s) => s.name === only)) throw new Error(`--only needs one of ${SECTIONS.map((s) => `"${s.name}"`).join(', ')}, got "${only}"`);
  let stopPg: (() => Promise<void>) | undefined;
  try {
    if (postgres) {
      const prepared = await preparePostgres(ctx.dbFile);
      stopPg = prepared.stop;
      ctx.postgresUrl = prepared.url;
    }
    for (const s of SECTIONS) if (only === undefined || s.name === only) await s.run(ctx);
  } finally {
    await stopPg?.();
    fs.rmSync(ctx.dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--server')) {
  void serverMode();
} else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`bench:results: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
