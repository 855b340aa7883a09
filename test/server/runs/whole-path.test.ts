// The whole compute-and-publish path as a researcher runs it — create a wave for a period, import
// the interviews, import the frame, estimate, publish — as real processes on a real database (the
// engine KELISIM_TEST_DB names: the commands are pointed at it), on the R reference sets: the stored run must carry exactly the numbers `kelisim analyze` prints
// for the same rows and margins (1e-9), and `run verify` must catch a tampered input row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql as q } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateRuns, responses } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import { currentPublication, publishedRuns } from '../../../server/publications/service';
import { importFrameFile } from '../../../server/frames/service';
import { importResponsesFile } from '../../../server/responses/import';
import { createEstimateRun } from '../../../server/runs/service';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/service';
import { cliEnvOf, createTestStore, type TestStore } from '../../helpers/store';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';
import { REFERENCE_DIR, writeReferenceImport } from './reference-import';

/** Every number of `actual` equals `expected`'s to a relative 1e-9; everything else is equal. */
function expectClose(actual: unknown, expected: unknown, at = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tol = 1e-9 * Math.max(1, Math.abs(expected));
    if (!(Math.abs(actual - expected) <= tol)) expect.fail(`${at}: ${actual} differs from analyze's ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), at).toBe(true);
    expect((actual as unknown[]).length, `${at}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${at}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object', at).toBe(true);
    expect(Object.keys(actual as object).sort(), `${at} keys`).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${at}.${k}`);
    return;
  }
  expect(actual, at).toEqual(expected);
}

/** A test's database with the official survey (`t`), a folder for its files, what a command is pointed at. */
interface Setup { t: TestStore; dir: string; env: Record<string, string> }
const setups: Setup[] = [];

async function freshDb(): Promise<Setup> {
  const t = await createTestStore();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-runs-path-'));
  const s = { t, dir, env: cliEnvOf(t.location) };
  setups.push(s);
  await loadOfficialSurvey(t.store, OFFICIAL_SURVEYS_DIR);
  return s;
}

afterAll(async () => {
  for (const s of setups) {
    await s.t.cleanup();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown> & { analysis: Record<string, unknown>; runId: number };

const analyzeCli = (refCase: string, by: string) => {
  const dir = path.join(REFERENCE_DIR, refCase);
  return runCli(['analyze', '--responses', path.join(dir, 'responses.csv'), '--margins', path.join(dir, 'margins.csv'),
    '--scoring', path.join(dir, 'scoring.json'), '--by', by, '--margin-cells'], {});
};

/** The run's document against `kelisim analyze`'s output: every number to 1e-9, on the `by` variables' domains. */
function expectSameAsAnalyze(run: { analysis: unknown; marginCells?: unknown; sample?: unknown }, analyzeStdout: string, by: string): void {
  const expected = JSON.parse(analyzeStdout) as Record<string, unknown> & { n: number; marginCells: unknown };
  const { marginCells, ...expectedAnalysis } = expected;
  const actual = structuredClone(run.analysis) as { indicators: Record<string, { domains: Record<string, unknown> }> };
  const vars = by.split(',');
  for (const ind of Object.values(actual.indicators)) {
    for (const v of Object.keys(ind.domains)) if (!vars.includes(v)) delete ind.domains[v];
  }
  expectClose(actual, expectedAnalysis, 'analysis');
  expectClose(run.marginCells, marginCells, 'marginCells');
  expect(run.sample).toEqual({ completes: expected.n, used: expected.n, excludedBy: { speeder: 0, straightliner: 0, incomplete: 0, burst: 0, duplicate_answers: 0, automation: 0 }, excluded: 0, overruled: 0 });
  expect(Object.keys(actual.indicators)).toEqual(['consensus', 'tolerance', 'mood']);
}

describe('raking-a, every step a real process: wave → import → frame → estimate → show → verify → publish → tamper → verify', () => {
  const period = '2022-Q4';
  const by = 'region,sex,age,settlement,ethnicity';
  let s: Setup;
  let run: ReturnType<typeof json>;
  const cli = (args: string[]) => runCli(args, s.env);

  beforeAll(async () => {
    s = await freshDb();
    const created = await cli(['wave', 'create', '--period', period, '--closed']);
    expect(created.stderr).toBe('');
    const waveId = /created wave (\d+)/.exec(created.stdout)![1]!;
    const csv = path.join(s.dir, 'raking-a.csv');
    const rows = writeReferenceImport('raking-a', csv);
    const [imported, frame] = await Promise.all([
      cli(['responses', 'import', '--wave', waveId, '--file', csv]),
      cli(['frame', 'import', '--file', path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), '--name', 'ref-a',
        '--source', 'R reference set (illustrative margins)', '--reference-date', '2021-10-01', '--illustrative']),
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain(`${rows} interviews imported`);
    expect(frame.stderr).toBe('');
    const est = await cli(['estimate', '--period', period, '--frame', 'ref-a', '--exclude', 'none']);
    expect(est.stderr).toBe('');
    expect(est.code).toBe(0);
    run = json(est.stdout);
  }, 120_000);

  it('stores exactly the numbers `kelisim analyze` prints for the same rows and margins', async () => {
    const ref = await analyzeCli('raking-a', by);
    expect(ref.stderr).toBe('');
    expectSameAsAnalyze(run, ref.stdout, by);
    expect(run.frame).toMatchObject({ name: 'ref-a', illustrative: true });
    expect(run.wave).toMatchObject({ period });
  }, 60_000);

  it('shows, verifies, publishes; then a row edited behind the application\'s back is reported by verify', async () => {
    const [shown, verified] = await Promise.all([cli(['run', 'show', '--run', String(run.runId)]), cli(['run', 'verify', '--run', String(run.runId)])]);
    expect(json(shown.stdout)).toEqual(run);
    expect(verified.stdout).toContain('identical');
    expect(verified.code).toBe(0);
    const published = await cli(['publish', '--run', String(run.runId)]);
    expect(published.stdout).toContain(`published run ${run.runId} for ${period}`);
    const { store } = s.t;
    const current = await currentPublication(store.sql, period);
    expect(current?.runId).toBe(run.runId);
    expect(current?.revised).toBe(false);
    expect(current?.result.analysis).toEqual(run.analysis);
    expect((await publishedRuns(store.sql)).map((p) => p.period)).toEqual([period]);

    // One stored interview edited consistently (its mood items and score all set to the minimum),
    // behind the application's back (plain SQL on the database)…
    const stored = await store.sql.get<{ itemScores: string }>(q`SELECT CAST(${responses.itemScores} AS TEXT) AS "itemScores" FROM ${responses} WHERE ${responses.id} = ${'r00777'}`);
    expect(stored, 'interview r00777 is stored').toBeDefined();
    const itemScores = { ...JSON.parse(stored!.itemScores) as Record<string, number | null>, c1: 0, c2: 0, c3: 0, c4: 0, c5: 0 };
    await store.write((tx) => tx.run(q`UPDATE ${responses} SET ${bare(responses.mood)} = ${0}, ${bare(responses.itemScores)} = ${JSON.stringify(itemScores)} WHERE ${responses.id} = ${'r00777'}`));
    // …and the stored run cannot be rewritten to match.
    await expect(store.write((tx) => tx.run(q`UPDATE ${estimateRuns} SET ${bare(estimateRuns.inputHash)} = ${'x'} WHERE ${estimateRuns.id} = ${run.runId}`))).rejects.toThrow(/immutable/);
    const tampered = await cli(['run', 'verify', '--run', String(run.runId)]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`run ${run.runId}: DIFFERS`);
    expect(tampered.stdout).toContain('input hash: stored');
    const block = /input rows: stored "block \d+ of \d+", now "at least one of the complete responses from \\"(r\d+)\\" to \\"(r\d+)\\"/.exec(tampered.stdout);
    expect(block, tampered.stdout).not.toBeNull();
    expect(block![1]! <= 'r00777' && 'r00777' <= block![2]!).toBe(true);
    expect(tampered.stdout).toMatch(/analysis\.indicators\.mood\.mean: stored [\d.]+, now [\d.]+/);
    expect(tampered.stdout).not.toMatch(/analysis\.indicators\.consensus\.mean/);
  }, 120_000);
});

describe.each([
  // 5 age bands in the frame: the run's `age` domains are the stored 4 standard bands, so they are
  // compared on the other variables (the weights use the frame's 5 bands, as analyze does).
  { refCase: 'raking-b', period: '2023-Q1', by: 'region,sex,settlement,ethnicity' },
  { refCase: 'raking-c', period: '2023-Q2', by: 'region,sex,age,settlement,ethnicity' },
])('$refCase through the services the commands call', ({ refCase, period, by }) => {
  it('gives exactly the numbers of `kelisim analyze`', async () => {
    const analyzed = analyzeCli(refCase, by);
    const { t, dir } = await freshDb();
    const wave = await createWave(t.store, OFFICIAL_SURVEY_ID, period, { closed: true, actor: 'test' });
    const csv = path.join(dir, `${refCase}.csv`);
    writeReferenceImport(refCase, csv);
    await importResponsesFile(t.store, wave.id, csv, 'test');
    await importFrameFile(t.store, path.join(REFERENCE_DIR, refCase, 'margins.csv'), { name: 'ref', source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test');
    const run = await createEstimateRun(t.store, t.db, { wave: { period }, frame: { name: 'ref' }, options: { exclude: [] } }, 'test');
    const ref = await analyzed;
    expect(ref.stderr).toBe('');
    expectSameAsAnalyze(run.result, ref.stdout, by);
    // Pooling moments of one wave give back that wave's own domain estimates (result.ts, k = 1).
    let checked = 0;
    for (const [ind, res] of Object.entries(run.result.analysis.indicators)) {
      for (const [b, levels] of Object.entries(res.domains)) {
        for (const d of levels) {
          const m = run.result.pooling[ind as 'mood'][b as 'region'][d.level]!;
          expect(m.n, `${ind}.${b}.${d.level}`).toBe(d.n);
          const mean = m.sumWY / m.sumW;
          expectClose(mean, d.mean, `${ind}.${b}.${d.level}.mean`);
          if (d.se !== null) expectClose(Math.sqrt(m.vYY - 2 * mean * m.vY1 + mean * mean * m.v11) / m.sumW, d.se, `${ind}.${b}.${d.level}.se`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  }, 60_000);
});
