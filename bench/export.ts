// `npm run bench:export [-- --responses N] [-- --formats csv,sav,xlsx,csv-run]`: exporting a wave
// of 1,000,000 complete responses (issue 9) in each format, and as CSV with `--run` (csv-run) — `kelisim export` as a child process under /usr/bin/time, so the
// figures are the whole command's wall time and peak RSS. Goal: CSV peak RSS under 300 MB (memory
// must not grow with the number of rows).
//
// The wave is written by direct SQL inserts like bench/results.ts (answers drawn with the tests'
// seeded generator, scored with analysis/ exactly as a completion is), with a free-text answer on
// every tenth row. A benchmark, not a test: it prints figures and fails only if something does
// not work.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ageBand, scoreRespondent } from '../analysis/scoring';
import { rng as makeRng } from '../test/helpers/random';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGIONS = ['KZ-10', 'KZ-11', 'KZ-15', 'KZ-19', 'KZ-23', 'KZ-27', 'KZ-31', 'KZ-33', 'KZ-35', 'KZ-39', 'KZ-43', 'KZ-47', 'KZ-55', 'KZ-59', 'KZ-61', 'KZ-62', 'KZ-63', 'KZ-71', 'KZ-75', 'KZ-79'];
const ETHNIC = ['kazakh', 'kazakh', 'kazakh', 'kazakh', 'russian', 'uzbek', 'ukrainian', 'uyghur', 'german', 'tatar', 'other'];

async function prepare(dir: string, responses: number): Promise<{ dbFile: string; waveId: number }> {
  const { openDb } = await import('../server/db/open');
  const { loadOfficialSurvey } = await import('../server/surveys/bootstrap');
  const { createWave } = await import('../server/waves/service');
  const { getSurveyVersion, OFFICIAL_SURVEY_ID } = await import('../server/surveys/service');
  const dbFile = path.join(dir, 'bench.db');
  const db = openDb(dbFile, { synchronous: 'normal' });
  const version = loadOfficialSurvey(db, path.join(ROOT, 'surveys')).version;
  const spec = getSurveyVersion(db, version.id)!.spec;
  const wave = createWave(db, OFFICIAL_SURVEY_ID, '2025-Q4', { closed: true, actor: 'bench' });
  const rng = makeRng(20261129);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const five = [1, 2, 3, 4, 5, 'dk'] as const;
  const insert = db.$client.prepare(`INSERT INTO responses (id, wave_id, survey_version_id, locale, status, data, current_page_no, started_at, updated_at,
    completed_at, duration_ms, mode, region, settlement, sex, age, age_band, ethnicity, item_scores, consensus, tolerance, mood)
    VALUES (?, ?, ?, ?, 'complete', ?, 0, ?, ?, ?, ?, 'web', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const at = '2025-11-15T10:00:00.000Z';
  const t0 = Date.now();
  const BATCH = 50_000;
  for (let start = 0; start < responses; start += BATCH) {
    db.$client.transaction(() => {
      for (let i = start; i < Math.min(responses, start + BATCH); i++) {
        const region = pick(REGIONS);
        const data: Record<string, unknown> = {
          adult: true, resident: true, consent: true, region, settlement: rng() < 0.6 ? 'urban' : 'rural', sex: rng() < 0.47 ? 'm' : 'f',
          age: 18 + Math.floor(rng() * rng() * 70), ethnicity: pick(ETHNIC), education: pick(['secondary_or_less', 'vocational', 'higher']),
          a1: pick(five), a2: pick(five), a3: pick(five), a4: pick(five), a5: pick(five),
          b1: pick([1, 0, 'dk']), b2: pick([1, 0, 'dk']), b3: pick([1, 0, 'dk']), b4: pick([1, 0, 'dk']), b5: pick([1, 0]), b6: pick([1, 0, 'dk']),
          c1: pick(five), c2: pick(five), c3: pick(five), c4: pick(five), c5: Math.floor(rng() * 11),
        };
        const s = scoreRespondent(spec, data);
        insert.run(
          `b${String(i).padStart(7, '0')}`, wave.id, version.id, pick(['kk', 'ru', 'en'] as const), JSON.stringify(data), at, at, at,
          Math.floor(240_000 + rng() * 900_000), region, data.settlement, data.sex, data.age, ageBand(data.age as number), data.ethnicity,
          JSON.stringify(s.items), s.indicators.consensus ?? null, s.indicators.tolerance ?? null, s.indicators.mood ?? null,
        );
      }
    })();
  }
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  process.stdout.write(`prepared ${responses.toLocaleString('en')} complete responses in ${((Date.now() - t0) / 1000).toFixed(1)} s; database ${(fs.statSync(dbFile).size / 1e6).toFixed(0)} MB\n`);
  return { dbFile, waveId: wave.id };
}

/** An illustrative frame (not official figures) over region, sex and settlement, for the `csv-run` figure. */
function illustrativeFrameCsv(): string {
  const total = 14_070_000;
  const lines = ['margin,level,population'];
  REGIONS.forEach((r, i) => lines.push(`region,${r},${i === REGIONS.length - 1 ? total - Math.round(total / REGIONS.length) * (REGIONS.length - 1) : Math.round(total / REGIONS.length)}`));
  lines.push(`sex,m,${Math.round(total * 0.47)}`, `sex,f,${total - Math.round(total * 0.47)}`);
  lines.push(`settlement,urban,${Math.round(total * 0.6)}`, `settlement,rural,${total - Math.round(total * 0.6)}`);
  return lines.join('\n') + '\n';
}

function kelisim(dbFile: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number; peakMb: number | null; cpu: number | null }> {
  return new Promise((resolve) => {
    const useTime = fs.existsSync('/usr/bin/time');
    const cmd = useTime ? '/usr/bin/time' : process.execPath;
    const argv = [...(useTime ? ['-f', 'BENCH_TIME %e %U %S %M', process.execPath] : []), '--import', 'tsx', 'server/cli/main.ts', ...args];
    const t = process.hrtime.bigint();
    execFile(cmd, argv, { cwd: ROOT, env: { ...process.env, KELISIM_DB: dbFile }, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      const m = /BENCH_TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr: stderr.replace(/BENCH_TIME.*\n?/, ''),
        seconds: m ? Number(m[1]) : Number(process.hrtime.bigint() - t) / 1e9, cpu: m ? Number(m[2]) + Number(m[3]) : null, peakMb: m ? Number(m[4]) / 1024 : null,
      });
    });
  });
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--responses');
  const responses = i >= 0 ? Number(argv[i + 1]) : 1_000_000;
  if (!Number.isInteger(responses) || responses < 1) throw new Error('--responses must be a whole number of 1 or more');
  const fi = argv.indexOf('--formats');
  // csv-run: `--run N` on the same wave (a run is estimated first; its recomputation is in the figure).
  const formats = fi >= 0 ? argv[fi + 1]!.split(',') : ['csv', 'sav', 'xlsx', 'csv-run'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-export-'));
  try {
    const { dbFile, waveId } = await prepare(dir, responses);
    process.stdout.write(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    let runId: number | undefined;
    if (formats.includes('csv-run')) {
      const frame = path.join(dir, 'frame.csv');
      fs.writeFileSync(frame, illustrativeFrameCsv());
      const f = await kelisim(dbFile, ['frame', 'import', '--file', frame, '--name', 'bench', '--source', 'illustrative figures for the benchmark', '--reference-date', '2021-10-01', '--illustrative']);
      if (f.code !== 0) throw new Error(`kelisim frame import failed (${f.code}): ${f.stderr}`);
      const e = await kelisim(dbFile, ['estimate', '--wave', String(waveId), '--frame', 'bench']);
      if (e.code !== 0) throw new Error(`kelisim estimate failed (${e.code}): ${e.stderr}`);
      runId = (JSON.parse(e.stdout) as { runId: number }).runId;
      process.stdout.write(`run ${runId} estimated in ${e.seconds.toFixed(1)} s wall; peak RSS ${e.peakMb === null ? 'n/a' : `${e.peakMb.toFixed(0)} MB`}\n`);
    }
    for (const name of formats) {
      const format = name === 'csv-run' ? 'csv' : name;
      const out = path.join(dir, `wave.${format}`);
      const r = await kelisim(dbFile, ['export', '--wave', String(waveId), ...(name === 'csv-run' ? ['--run', String(runId)] : []), '--format', format, '--lang', 'ru', '--out', out]);
      if (r.code !== 0) throw new Error(`kelisim export --format ${name} failed (${r.code}): ${r.stderr}`);
      const size = fs.statSync(out).size;
      process.stdout.write(`${name.padEnd(7)}: ${responses.toLocaleString('en')} rows in ${r.seconds.toFixed(1)} s wall${r.cpu === null ? '' : ` (${r.cpu.toFixed(1)} s CPU)`} = ${Math.round(responses / r.seconds).toLocaleString('en')} rows/s; `
        + `peak RSS ${r.peakMb === null ? 'n/a' : `${r.peakMb.toFixed(0)} MB`}; file ${(size / 1e6).toFixed(0)} MB${name === 'csv' ? '   (goal: peak RSS < 300 MB)' : ''}\n`);
      fs.rmSync(out, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench:export: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
