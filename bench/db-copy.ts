// `npm run bench:db-copy [-- --responses N]`: how fast `kelisim db copy` moves a deployment into
// PostgreSQL (issue 11). A temporary SQLite database with one closed wave of N complete responses
// (default 100,000; answers drawn with the tests' seeded generator and scored as a completion is,
// like bench/results.ts), a throw-away PostgreSQL cluster (test/helpers/pg-cluster.ts, the one the
// tests use: fsync off, so this measures the copy and not the disk), and the compiled command run
// as `npm run kelisim` runs it. Prints the command's wall time and rows/s (all tables, verification
// included). A benchmark, not a test: it fails only if the copy does.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ageBand, scoreRespondent } from '../analysis/scoring';
import { startPgCluster } from '../test/helpers/pg-cluster';
import { generateAnswers } from '../test/helpers/answers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function prepare(dbFile: string, responses: number): Promise<void> {
  const { openDb } = await import('../server/db/open');
  const { loadOfficialSurvey } = await import('../server/surveys/sqlite-sync');
  const { createWave } = await import('../server/waves/sqlite-sync');
  const { OFFICIAL_SURVEY_ID } = await import('../server/surveys/service');
  const { getSurveyVersion } = await import('../server/surveys/sqlite-sync');
  const db = openDb(dbFile, { synchronous: 'normal' });
  const version = loadOfficialSurvey(db, path.join(ROOT, 'surveys')).version;
  const { spec, row } = getSurveyVersion(db, version.id)!;
  const json = row.json;
  const wave = createWave(db, OFFICIAL_SURVEY_ID, '2025-Q4', { closed: true, actor: 'bench' });
  const insert = db.$client.prepare(`INSERT INTO responses (id, wave_id, survey_version_id, locale, status, data, current_page_no, started_at, updated_at,
    completed_at, duration_ms, mode, region, settlement, sex, age, age_band, ethnicity, item_scores, consensus, tolerance, mood)
    VALUES (?, ?, ?, ?, 'complete', ?, 0, ?, ?, ?, ?, 'web', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const at = '2025-11-15T10:00:00.000Z';
  // A few hundred distinct answer sets, reused: generating is not what is measured.
  const sets = Array.from({ length: 500 }, (_, i) => generateAnswers(json, i + 1));
  db.$client.transaction(() => {
    for (let i = 0; i < responses; i++) {
      const data = sets[i % sets.length]!;
      const s = scoreRespondent(spec, data);
      insert.run(`b${String(i).padStart(7, '0')}`, wave.id, version.id, ['kk', 'ru', 'en'][i % 3], JSON.stringify(data), at, at, at, 300_000 + i,
        data.region, data.settlement, data.sex, data.age, ageBand(data.age as number), data.ethnicity,
        JSON.stringify(s.items), s.indicators.consensus ?? null, s.indicators.tolerance ?? null, s.indicators.mood ?? null);
    }
  })();
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--responses');
  const responses = i >= 0 ? Number(argv[i + 1]) : 100_000;
  if (!Number.isInteger(responses) || responses < 1) throw new Error(`--responses needs a whole number ≥ 1, got "${argv[i + 1]}"`);
  process.stdout.write(`db copy benchmark: Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-copy-'));
  const cluster = await startPgCluster();
  try {
    process.stdout.write(`PostgreSQL cluster: initdb ${Math.round(cluster.startMs.initdb)} ms, start ${Math.round(cluster.startMs.start)} ms\n`);
    const dbFile = path.join(dir, 'bench.db');
    const t0 = Date.now();
    await prepare(dbFile, responses);
    process.stdout.write(`prepared ${responses.toLocaleString('en')} complete responses in ${((Date.now() - t0) / 1000).toFixed(1)} s; SQLite file ${(fs.statSync(dbFile).size / 1e6).toFixed(0)} MB\n`);
    const admin = new pg.Client(cluster.url);
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const target = cluster.url.replace(/\/postgres$/, '/bench');
    execFileSync(process.execPath, ['scripts/build-server.mjs', '--if-stale'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const started = process.hrtime.bigint();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['scripts/run.mjs', 'kelisim', 'db', 'copy', '--from', dbFile, '--to', target], { cwd: ROOT, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`kelisim db copy failed: ${stderr}`));
        else resolve(stdout);
      });
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rows = Number(/copied \d+ tables, ([\d,]+) rows/.exec(out)![1]!.replace(/,/g, ''));
    process.stdout.write(out);
    process.stdout.write(`\nkelisim db copy, the whole command (node start, checks, copy, sequences, verification, commit): ${seconds.toFixed(1)} s wall, ${Math.round(rows / seconds).toLocaleString('en')} rows/s\n`);
  } finally {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`bench:db-copy: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
