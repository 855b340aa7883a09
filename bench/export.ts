// `npm run bench:export [-- --responses N] [-- --formats csv,sav,xlsx,csv-run]`: exporting a wave
// of 1,000,000 complete responses (issue 9) in each format, and as CSV with `--run` (csv-run) — `kelisim export` as a child process under /usr/bin/time, so the
// figures are the whole command's wall time and peak RSS. Goal: CSV peak RSS under 300 MB (memory
// must not grow with the number of rows).
//
// The wave is bench/results.ts's (bench/synthetic-wave.ts: direct SQL inserts, answers drawn with
// the tests' seeded generator, scored with analysis/ exactly as a completion is), with the unscored
// education question answered too. A benchmark, not a test: it prints figures and fails only if
// something does not work.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { illustrativeFrameCsv, writeSyntheticWave } from './synthetic-wave';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
async function prepare(dir: string, responses: number): Promise<{ dbFile: string; waveId: number }> {
  const { openDb } = await import('../server/db/open');
  const { loadOfficialSurvey } = await import('../server/surveys/sqlite-sync');
  const { createWave } = await import('../server/waves/sqlite-sync');
  const { OFFICIAL_SURVEY_ID } = await import('../server/surveys/service');
  const { getSurveyVersion } = await import('../server/surveys/sqlite-sync');
  const dbFile = path.join(dir, 'bench.db');
  const db = openDb(dbFile, { synchronous: 'normal' });
  const version = loadOfficialSurvey(db, path.join(ROOT, 'surveys')).version;
  const spec = getSurveyVersion(db, version.id)!.spec;
  const wave = createWave(db, OFFICIAL_SURVEY_ID, '2025-Q4', { closed: true, actor: 'bench' });
  const t0 = Date.now();
  writeSyntheticWave(db, { waveId: wave.id, versionId: version.id, spec, responses, education: true });
  db.$client.close();
  process.stdout.write(`prepared ${responses.toLocaleString('en')} complete responses in ${((Date.now() - t0) / 1000).toFixed(1)} s; database ${(fs.statSync(dbFile).size / 1e6).toFixed(0)} MB\n`);
  return { dbFile, waveId: wave.id };
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
