// The run-time quality flags in the console (docs/decisions/024), over real HTTP and SQLite: a run
// computed through POST /runs stores what it flagged; the responses list shows and filters
// speeder and straightliner "as of run N"; one response shows the flag with its reason; an
// overrule through the console is respected by the next run. And the job of a run reports its
// progress: stages and a share that rises to 1, written to the job row as the worker goes.
import path from 'node:path';
import { jobSchema, responseDetail, responseList, runDetail } from '../../../contract/admin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFrameFile } from '../../../server/frames/service';
import { importResponsesFile } from '../../../server/responses/import';
import { storeOf } from '../../helpers/db-store';
import { createEstimateRun } from '../../../server/runs/service';
import { sqliteSql } from '../../../server/db/sql';
import { createWave } from '../../../server/waves/sqlite-sync';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { REFERENCE_DIR, writeReferenceImport } from '../runs/reference-import';
import { bodyAs, startAdminApp, type AdminTestApp, type Session } from './helpers';

let t: AdminTestApp;
let s: Session;
let waveId: number;
let frameId: number;
const SPEEDER_EVERY = 50;

async function computeViaConsole(): Promise<{ runId: number; progress: number[] }> {
  const started = await t.call('POST', '/runs', { session: s, body: { waveId, frameId } });
  expect(started.status).toBe(202);
  let job = bodyAs(jobSchema, started.body);
  const progress: number[] = [];
  for (let i = 0; i < 600 && (job.status === 'queued' || job.status === 'running'); i++) {
    await new Promise((r) => setTimeout(r, 20));
    job = bodyAs(jobSchema, (await t.call('GET', `/jobs/${job.id}`, { session: s })).body);
    if (job.progress !== null) progress.push(job.progress);
  }
  expect(job.status, JSON.stringify(job.error)).toBe('done');
  return { runId: job.runId!, progress };
}

async function allPages(query: string): Promise<{ ids: string[]; flags: Map<string, string[]>; flagsRun: unknown }> {
  const ids: string[] = [];
  const flags = new Map<string, string[]>();
  let cursor: string | null = null;
  let flagsRun: unknown;
  do {
    const page = await t.call('GET', `/responses?wave=${waveId}&limit=17${query}${cursor ? `&cursor=${cursor}` : ''}`, { session: s });
    expect(page.status).toBe(200);
    const body = bodyAs(responseList, page.body);
    for (const r of body.items) { ids.push(r.id); flags.set(r.id, r.flags); }
    cursor = body.nextCursor;
    flagsRun = body.flagsRun;
  } while (cursor);
  return { ids, flags, flagsRun };
}

beforeAll(async () => {
  t = await startAdminApp({ surveysDir: OFFICIAL_SURVEYS_DIR });
  s = await t.signIn('researcher');
  waveId = createWave(t.db, 'official', '2025-Q1', { closed: true, actor: 'test' }).id;
  const csv = path.join(path.dirname(t.db.$client.name), 'a.csv');
  // Every 50th interview took 60 s against a median of about 10 min: a speeder.
  writeReferenceImport('raking-a', csv, { durationMs: (i) => (i % SPEEDER_EVERY === 0 ? 60_000 : 600_000 + i) });
  await importResponsesFile(storeOf(t.db), waveId, csv, 'test');
  frameId = (await importFrameFile(storeOf(t.db), path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), { name: 'ref', source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test')).frame.id;
}, 120_000);
afterAll(async () => { await t.close(); });

describe('run-time flags in the responses list', () => {
  it('lists nobody under a run-time flag before any run, and says no run recorded flags', async () => {
    const page = await t.call('GET', `/responses?wave=${waveId}&flag=speeder`, { session: s });
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ items: [], nextCursor: null, flagsRun: null });
  });

  it('shows and filters the flags of the wave\'s latest run, with the reason and an overrule the next run respects', async () => {
    const { runId } = await computeViaConsole();
    const run = bodyAs(runDetail, (await t.call('GET', `/runs/${runId}`, { session: s })).body);
    const excludedBy = run.exclusions.excludedBy;
    const speeders = await allPages('&flag=speeder');
    expect(speeders.flagsRun).toEqual({ runId, createdAt: expect.any(String) });
    // As many as the run excluded as speeders, each carrying the flag in the list.
    const stored = t.db.$client.prepare("SELECT count(*) FROM run_flags WHERE run_id = ? AND flag = 'speeder'").pluck().get(runId) as number;
    expect(stored).toBeGreaterThan(0);
    expect(speeders.ids.length).toBe(stored);
    expect(speeders.ids.length).toBe(excludedBy.speeder);
    for (const id of speeders.ids) expect(speeders.flags.get(id)).toContain('speeder');
    // Each of them took 60 s (the rule's inputs), and nobody else did.
    const fast = t.db.$client.prepare("SELECT id FROM responses WHERE wave_id = ? AND status = 'complete' AND duration_ms = 60000 ORDER BY id").pluck().all(waveId) as string[];
    expect([...speeders.ids].sort()).toEqual(fast);

    // Straightliners: the filter returns exactly the rows whose flags say so in the unfiltered list.
    const everyone = await allPages('');
    const straight = await allPages('&flag=straightliner');
    expect(straight.ids.length).toBeGreaterThan(0);
    expect([...straight.ids].sort()).toEqual(everyone.ids.filter((id) => everyone.flags.get(id)!.includes('straightliner')).sort());
    // Newest first, by last change, like the unfiltered list.
    expect(straight.ids).toEqual(everyone.ids.filter((id) => straight.ids.includes(id)));

    // One speeder: the flag with its reason and the run's median; overruled through the console.
    const id = speeders.ids[0]!;
    const detail = bodyAs(responseDetail, (await t.call('GET', `/responses/${id}?locale=kk`, { session: s })).body);
    expect(detail.flagsRun?.runId).toBe(runId);
    const speeder = detail.flagStates.find((f) => f.flag === 'speeder');
    expect(speeder).toMatchObject({ runId, overruled: null, speeder: { durationMs: 60_000 } });
    const timing = speeder!.speeder!;
    expect(timing.thresholdMs).toBeCloseTo(0.3 * timing.medianMs, 6);
    expect(timing.thresholdMs).toBeGreaterThan(60_000);
    expect(speeder!.reason).toContain(`run ${runId}`);
    const over = await t.call('POST', `/responses/${id}/flags/speeder/overrule`, { session: s, body: { reason: 'timed by hand, the tablet clock was wrong' } });
    expect(over.status).toBe(200);
    expect(bodyAs(responseDetail, over.body).flagStates.find((f) => f.flag === 'speeder')?.overruled?.reason).toBe('timed by hand, the tablet clock was wrong');

    // The next run keeps it (and still flags it: the flag is a fact, the overrule a decision).
    const next = await createEstimateRun(storeOf(t.db), t.db, { wave: { id: waveId }, frame: { id: frameId } }, 'test');
    expect(next.result.sample.excludedBy.speeder).toBe(speeders.ids.length - 1);
    expect(next.result.sample.overruled).toBeGreaterThanOrEqual(1);
    const after = await allPages('&flag=speeder');
    expect(after.flagsRun).toEqual({ runId: next.row.id, createdAt: expect.any(String) });
    expect(after.ids).toContain(id);
    const overruled = await allPages('&flag=overruled');
    expect(overruled.ids).toEqual([id]);
  }, 180_000);

  it('refuses to rewrite what a run flagged', () => {
    const runId = t.db.$client.prepare('SELECT max(run_id) FROM run_flags').pluck().get() as number;
    expect(() => t.db.$client.prepare('DELETE FROM run_flags WHERE run_id = ?').run(runId)).toThrow(/immutable/);
    expect(() => t.db.$client.prepare("UPDATE run_flag_sets SET flagged = 0 WHERE run_id = ?").run(runId)).toThrow(/immutable/);
  });
});

describe('the flag filter\'s two plans', () => {
  it('pages the same rows as the unfiltered list when the run flagged thousands (the index walk) and with another filter (the look-up)', async () => {
    const { listResponses } = await import('../../../server/admin/responses/service');
    const w = createWave(t.db, 'official', '2025-Q2', { closed: true, actor: 'test' }).id;
    const version = t.db.$client.prepare('SELECT max(id) FROM survey_versions').pluck().get() as number;
    // 3,000 complete responses with distinct times, every 5th one capi; a run of that wave flagged 2,400 as speeders.
    t.db.$client.exec(`
      WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < 2999)
      INSERT INTO responses (id, wave_id, survey_version_id, locale, status, data, current_page_no, started_at, updated_at, mode, region, consensus, tolerance, mood)
      SELECT printf('p%05d', i), ${w}, ${version}, 'ru', 'complete', '{}', 0, '2026-01-01T00:00:00Z',
        strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || ((i * 7919) % 3000) || ' seconds'), CASE WHEN i % 5 = 0 THEN 'capi' ELSE 'web' END, 'KZ-11', 50, 50, 50 FROM seq;
      INSERT INTO estimate_runs (wave_id, frame_id, frame_hash, survey_version_ids, scoring_hash, options, engine_version, input_hash, result, created_by, created_at)
        VALUES (${w}, ${frameId}, 'x', '[]', 'x', '{}', 'test', 'x', '{}', 'test', '2026-01-02T00:00:00Z');
      INSERT INTO run_flags (run_id, flag, response_id) SELECT (SELECT max(id) FROM estimate_runs), 'speeder', id FROM responses WHERE wave_id = ${w} AND CAST(substr(id, 2) AS INTEGER) % 5 != 4;
      INSERT INTO run_flag_sets (run_id, wave_id, speeder_median_ms, speeder_threshold_ms, flagged) SELECT max(id), ${w}, 600000, 180000, 2400 FROM estimate_runs;`);
    const sql = sqliteSql(t.db.$client);
    const pages = async (q: Omit<Parameters<typeof listResponses>[1], 'wave'>) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await listResponses(sql, { wave: w, limit: 97, ...q, ...(cursor ? { cursor } : {}) });
        ids.push(...page.items.map((r) => r.id));
        if (!page.nextCursor) return ids;
        cursor = page.nextCursor;
      }
    };
    for (const sort of ['newest', 'oldest'] as const) {
      const all = await pages({ sort });
      const mode = await pages({ sort, mode: 'capi' });
      const expected = all.filter((id) => Number(id.slice(1)) % 5 !== 4);
      expect(expected.length).toBe(2400);
      expect(await pages({ sort, flag: 'speeder' })).toEqual(expected);
      expect(await pages({ sort, flag: 'speeder', mode: 'capi' })).toEqual(mode.filter((id) => expected.includes(id)));
      expect((await pages({ sort, flag: 'speeder', mode: 'capi' })).length).toBe(600);
    }
  });
});

describe('run job progress', () => {
  it('rises monotonically through the stages to 1 in the job row, and a page polling the job sees it', async () => {
    // Every value the job runner writes to the jobs row, logged by a trigger on this connection
    // (the runner's): what a page coming back at any moment could read.
    t.db.$client.exec(`CREATE TEMP TABLE progress_log (seq INTEGER PRIMARY KEY, status TEXT, stage TEXT, progress REAL);
      CREATE TEMP TRIGGER log_progress AFTER UPDATE ON main.jobs BEGIN INSERT INTO progress_log (status, stage, progress) VALUES (new.status, new.stage, new.progress); END;`);
    const { runId, progress: polled } = await computeViaConsole();
    const log = t.db.$client.prepare('SELECT status, stage, progress FROM progress_log ORDER BY seq').all() as { status: string; stage: string | null; progress: number | null }[];
    t.db.$client.exec('DROP TRIGGER log_progress; DROP TABLE progress_log;');
    expect(runId).toBeGreaterThan(0);
    const values = log.map((l) => l.progress);
    expect(values.every((v) => v !== null && v >= 0 && v <= 1)).toBe(true);
    for (let i = 1; i < values.length; i++) expect(values[i]!, `step ${i}: ${JSON.stringify(log)}`).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(log.at(-1)).toEqual({ status: 'done', stage: null, progress: 1 });
    // Every stage in order, reading with more than one step (its rows count toward the total).
    const stages = log.map((l) => l.stage).filter((x, i, a) => x !== null && x !== a[i - 1]);
    expect(stages).toEqual(['reading', 'flags', 'weighting', 'storing']);
    expect(new Set(log.filter((l) => l.stage === 'reading').map((l) => l.progress)).size).toBeGreaterThan(2);
    // What the page read while polling is the same rising sequence, ending at 1.
    for (let i = 1; i < polled.length; i++) expect(polled[i]!).toBeGreaterThanOrEqual(polled[i - 1]!);
    expect(polled.at(-1)).toBe(1);
  }, 180_000);
});
