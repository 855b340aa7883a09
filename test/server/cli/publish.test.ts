// Waves with periods, estimate options and refusals, publish / revise / withdraw with the audit
// log: the commands as real processes where their exit codes and messages are the point, the
// services they call in-process for the rest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql as q } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, estimateRuns, publications, waves } from '../../../server/db/schema';
import { importFrameFile } from '../../../server/frames/service';
import { currentPublication, publicationHistory, publishedRuns } from '../../../server/publications/service';
import { importResponsesFile } from '../../../server/responses/import';
import { createEstimateRun, type EstimateRequest } from '../../../server/runs/service';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave, ensureOpenWave, periodOf } from '../../../server/waves/service';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';
import { cliEnvOf, createTestStore, type TestStore } from '../../helpers/store';
import { REFERENCE_DIR, writeReferenceImport } from '../runs/reference-import';

// The database on the engine KELISIM_TEST_DB names; the commands are pointed at it.
let t: TestStore;
let dir: string;
let waveId: number;
beforeAll(async () => {
  t = await createTestStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-publish-'));
  await loadOfficialSurvey(t.store, OFFICIAL_SURVEYS_DIR);
  waveId = (await createWave(t.store, OFFICIAL_SURVEY_ID, '2023-Q3', { closed: true, actor: 'test' })).id;
  const csv = path.join(dir, 'a.csv');
  writeReferenceImport('raking-a', csv);
  await importResponsesFile(t.store, waveId, csv, 'test');
  await importFrameFile(t.store, path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), { name: 'ref', source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test');
}, 60_000);
afterAll(async () => {
  await t?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, cliEnvOf(t.location));
const audit = (action: string) => t.store.sql.all<{ actor: string; subjectId: string; reason: string | null; before: string | null; after: string }>(q`SELECT ${auditLog.actor} AS "actor",
  ${auditLog.subjectId} AS "subjectId", ${auditLog.reason} AS "reason", CAST(${auditLog.before} AS TEXT) AS "before", CAST(${auditLog.after} AS TEXT) AS "after"
  FROM ${auditLog} WHERE ${auditLog.action} = ${action} ORDER BY ${auditLog.id}`);

describe('waves with a period', () => {
  it('wave create records a closed wave for a past period, once; wave list shows the period; a new open wave takes the current quarter', async () => {
    const [created, dup, bad] = await Promise.all([
      cli(['wave', 'create', '--period', '2022-Q1', '--closed']),
      cli(['wave', 'create', '--period', '2023-Q3', '--closed']),
      cli(['wave', 'create', '--period', '2022-Q5']),
    ]);
    expect(created.stdout).toMatch(/created wave \d+ for 2022-Q1 \(closed\)/);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain(`--period 2023-Q3: wave ${waveId} (closed) already has this period; there is at most one wave per period`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--period "2022-Q5" must be a quarter like 2023-Q2');
    const list = await cli(['wave', 'list']);
    expect(list.stdout).toMatch(new RegExp(`\\n${waveId}\\tclosed\\tQ3 2023\\t2023-Q3\\t`));
    expect((await audit('wave.create')).some((a) => a.actor.startsWith('cli:') && JSON.parse(a.after).period === '2022-Q1')).toBe(true);
    const opened = await ensureOpenWave(t.store, OFFICIAL_SURVEY_ID);
    expect(opened.created).toBe(true);
    expect(opened.wave.period).toBe(periodOf(new Date()));
  }, 60_000);
});

describe('estimate, publish, revise, withdraw', () => {
  it('refuses bad estimate options and unknown ids with exit 2, writing no run', async () => {
    const runs = async () => (await t.store.sql.get<{ n: number }>(q`SELECT count(*) AS "n" FROM ${estimateRuns}`))!.n;
    const before = await runs();
    // Through the real process: the exit code and the one line.
    const cases: [string[], RegExp][] = [
      [['estimate', '--wave', '1', '--period', '2023-Q3', '--frame', 'ref'], /give exactly one of --wave or --period/],
      [['estimate', '--period', '2023-Q3', '--frame', 'nope'], /--frame nope: no such frame; stored frames: ref/],
      [['estimate', '--period', '2023-Q3', '--frame', 'ref', '--bounds', '5,1'], /--bounds must be LO,HI with 0 < LO < HI, got "5,1"/],
      [['run', 'show', '--run', '999'], /--run 999: no such estimate run/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr, cases[i]![0].join(' ')).toMatch(cases[i]![1]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
    // The rest through the service the command calls.
    const refused: [EstimateRequest, RegExp][] = [
      [{ wave: { period: '2019-Q1' }, frame: { name: 'ref' } }, /--period 2019-Q1: no wave has this period/],
      [{ wave: { period: '2019Q1' }, frame: { name: 'ref' } }, /--period "2019Q1" must look like 2026-Q3/],
      [{ wave: { id: 77 }, frame: { name: 'ref' } }, /--wave 77: no such wave/],
      [{ wave: { id: waveId }, frame: { name: 'ref' }, options: { exclude: ['sleepy' as 'speeder'] } }, /--exclude: unknown flag "sleepy"/],
      [{ wave: { id: waveId }, frame: { name: 'ref' }, options: { minCellSize: 0 } }, /--min-cell-size must be a whole number of 1 or more/],
    ];
    for (const [request, message] of refused) {
      await expect(createEstimateRun(t.store, t.db, request, 'test'), message.source).rejects.toThrow(message);
    }
    expect(await runs()).toBe(before);
  }, 120_000);

  it('publishes, revises with a second run, withdraws with a reason; every step audited; history kept', async () => {
    const first = await cli(['estimate', '--period', '2023-Q3', '--frame', 'ref']);
    const second = await cli(['estimate', '--period', '2023-Q3', '--frame', 'ref', '--no-bounds', '--exclude', 'none']);
    expect(first.stderr + second.stderr).toBe('');
    const r1 = (JSON.parse(first.stdout) as { runId: number }).runId;
    const doc2 = JSON.parse(second.stdout) as { runId: number; options: unknown };
    const r2 = doc2.runId;
    expect(doc2.options).toEqual({ minCellSize: 20, bounds: null, exclude: [] });

    expect((await cli(['publish', '--run', String(r1)])).stdout).toContain(`published run ${r1} for 2023-Q3`);
    const again = await cli(['publish', '--run', String(r1)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--run ${r1} is already the published run for 2023-Q3`);
    const revised = await cli(['publish', '--run', String(r2)]);
    expect(revised.stdout).toContain(`published run ${r2} for 2023-Q3 (replaces run ${r1}; the period is marked revised)`);
    const current = (await currentPublication(t.store.sql, '2023-Q3'))!;
    expect([current.runId, current.revised, current.previousRunIds]).toEqual([r2, true, [r1]]);

    const [wrong, noReason] = await Promise.all([
      cli(['withdraw', '--run', String(r1), '--reason', 'typo']),
      cli(['withdraw', '--run', String(r2)]),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`--run ${r1} is not the published run of 2023-Q3 (run ${r2} is)`);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason is required');
    const withdrawn = await cli(['withdraw', '--run', String(r2), '--reason', 'frame superseded by the BNS 2024 estimates']);
    expect(withdrawn.stdout).toContain(`withdrew run ${r2} for 2023-Q3`);
    expect(await currentPublication(t.store.sql, '2023-Q3')).toBeNull();
    expect(await publishedRuns(t.store.sql)).toEqual([]);
    expect((await publicationHistory(t.store.sql, '2023-Q3')).map((e) => [e.action, e.runId])).toEqual([['withdraw', r2], ['publish', r2], ['publish', r1]]);

    expect((await audit('run.publish')).map((a) => [a.subjectId, JSON.parse(a.after).revised])).toEqual([[String(r1), false], [String(r2), true]]);
    const w = await audit('run.withdraw');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ subjectId: String(r2), reason: 'frame superseded by the BNS 2024 estimates' });
    expect(w[0]!.actor).toMatch(/^cli:/);
    // History cannot be rewritten.
    await expect(t.store.write((tx) => tx.run(q`DELETE FROM ${publications}`))).rejects.toThrow(/append-only/);
    await expect(t.store.write((tx) => tx.run(q`UPDATE ${auditLog} SET ${q.identifier('reason')} = NULL`))).rejects.toThrow(/append-only/);
  }, 120_000);

  it('refuses to publish a run whose wave has no period', async () => {
    const { wave } = await ensureOpenWave(t.store, OFFICIAL_SURVEY_ID);
    await t.store.write((tx) => tx.run(q`UPDATE ${waves} SET ${q.identifier('period')} = NULL WHERE ${waves.id} = ${wave.id}`));
    const csv = path.join(dir, 'c.csv');
    writeReferenceImport('raking-a', csv);
    // Other ids (raking-a's are stored in another wave already: ids are unique across waves).
    fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace(/^r(\d+),/gm, 'c$1,'));
    await importResponsesFile(t.store, wave.id, csv, 'test');
    const est = await cli(['estimate', '--wave', String(wave.id), '--frame', 'ref', '--exclude', 'none']);
    expect(est.stderr).toBe('');
    const runId = (JSON.parse(est.stdout) as { runId: number }).runId;
    const refused = await cli(['publish', '--run', String(runId)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--run ${runId}: its wave ${wave.id} has no period`);
  }, 60_000);
});
