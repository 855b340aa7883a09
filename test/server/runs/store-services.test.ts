// Runs and publication on the store (decision 027), on the engine KELISIM_TEST_DB names: frames,
// stored runs, run flags, overrules, publish/withdraw with their audit rows, the public API's
// state version read per request (a publish through another connection — another server — is
// served at the next request), and console jobs claimed once when two servers claim at once.
//
// The data (questionnaire, targets, the R reference wave raking-a, its frame and one run) is
// built with the SQLite code that has not moved yet, in a file of its own; on PostgreSQL it is
// copied into the test's database from createTestStore() (`kelisim db copy`'s code), on SQLite
// the store runs over that file.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimQueuedJob, createJobRunner, listJobs, recoverJobs, requireJob } from '../../../server/admin/runs/jobs';
import { listRunsPage, runDetail } from '../../../server/admin/runs/detail';
import { copySqliteToPg } from '../../../server/db/copy-pg';
import { openDb } from '../../../server/db/open';
import { openPg } from '../../../server/db/open-pg';
import { auditLog, estimateRuns, flagOverrules, jobs, runFlags, runFlagSets } from '../../../server/db/schema';
import type { Store } from '../../../server/db/store';
import { createPgStore } from '../../../server/db/store-pg';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { DomainError } from '../../../server/errors';
import { findFrameByName, listFrames, storeFrame } from '../../../server/frames/service';
import { currentPublication, everPublished, publicationHistory, publishedRuns, publishRun, withdrawRun } from '../../../server/publications/service';
import { publicResultsRouter } from '../../../server/results/routes';
import { loadPublishedState, stateVersion } from '../../../server/results/state';
import { overrulesOfWaveSql } from '../../../server/runs/overrules';
import { flaggedIds, writeRunFlags } from '../../../server/runs/run-flags';
import { IdList } from '../../../server/runs/packed-input';
import { getRun, requireRun, resolveFrame, resolveWave } from '../../../server/runs/service';
import { loadTargets } from '../../../server/surveys/sqlite-sync';
import { parseCsvText } from '../../../server/tables/read-table';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestStore, type TestStore } from '../../helpers/store';
import { createRunFixture, type RunFixture } from '../exports/run-fixture';

let fixture: RunFixture;
let ts: TestStore;
/** The store the services run on; `other`: a second connection to the same database (another server). */
let store: Store;
let other: Store;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  fixture = await createRunFixture();
  closers.push(() => fs.rmSync(fixture.dir, { recursive: true, force: true }));
  const seed = openDb(fixture.file);
  loadTargets(seed, OFFICIAL_SURVEYS_DIR);
  seed.$client.close();
  ts = await createTestStore();
  closers.push(() => ts.cleanup());
  if (ts.engine === 'postgres') {
    await copySqliteToPg(fixture.file, ts.location.url!);
    store = ts.store;
    const second = await openPg(ts.location.url!, { migrateSchema: false });
    other = createPgStore(second.$client);
  } else {
    store = createSqliteStore(openDb(fixture.file));
    other = createSqliteStore(openDb(fixture.file));
    closers.push(() => store.close());
  }
  closers.push(() => other.close());
}, 240_000);

afterAll(async () => { for (const c of closers.reverse()) await c(); });

const count = async (s: Store, q: ReturnType<typeof sql>) => (await s.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${q}`))!.n;

describe(`runs and publication on the store (${process.env.KELISIM_TEST_DB ?? 'sqlite'})`, () => {
  it('reads the stored run and frame with their JSON and boolean columns as the SQLite code stored them', async () => {
    const run = await requireRun(store.sql, fixture.run.row.id);
    expect(run.row).toEqual(fixture.run.row);
    expect(run.result).toEqual(fixture.run.result);
    expect(await getRun(store.sql, 999_999)).toBeUndefined();
    await expect(requireRun(store.sql, 999_999)).rejects.toThrow(/--run 999999: no such estimate run/);
    const frame = (await findFrameByName(store.sql, 'ref'))!;
    expect(frame.illustrative).toBe(true);
    expect(frame.margins.length).toBeGreaterThan(3);
    expect(frame.margins[0]).toMatchObject({ margin: expect.any(String), level: expect.any(String), population: expect.any(Number) });
    expect((await resolveWave(store.sql, { period: '2024-Q2' })).id).toBe(fixture.waveId);
    await expect(resolveWave(store.sql, { period: '2019-Q1' })).rejects.toThrow(/--period 2019-Q1: no wave has this period; periods with a wave: 2024-Q2, 2024-Q3/);
    await expect(resolveFrame(store.sql, { name: 'nope' })).rejects.toThrow(/--frame nope: no such frame; stored frames: ref/);
    const page = await listRunsPage(store.sql, { limit: 10 });
    expect(page.rows.map((r) => r.id)).toEqual([fixture.run.row.id]);
    const detail = await runDetail(store.sql, run);
    expect(detail).toMatchObject({ id: run.row.id, published: false, everPublished: false, frame: { name: 'ref', illustrative: true } });
  });

  it('stores a frame once, audited, and refuses its name a second time', async () => {
    const csv = ['margin,level,population', 'sex,m,480', 'sex,f,520'].join('\n');
    const { frame } = await storeFrame(store, parseCsvText(csv, 'sex.csv'), { name: 'by-sex', source: 'a test', referenceDate: '2021-10-01', illustrative: false }, 'test');
    expect(frame).toMatchObject({ name: 'by-sex', illustrative: false, margins: [{ margin: 'sex', level: 'm', population: 480 }, { margin: 'sex', level: 'f', population: 520 }] });
    expect((await listFrames(other.sql)).map((f) => f.name)).toEqual(['ref', 'by-sex']);
    const err = await storeFrame(store, parseCsvText(csv, 'sex.csv'), { name: 'by-sex', source: 'again', referenceDate: '2021-10-01', illustrative: false }, 'test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('frame_exists');
    expect(await count(store, sql`${auditLog} WHERE ${auditLog.action} = 'frame.import' AND ${auditLog.subjectId} = ${String(frame.id)}`)).toBe(1);
  });

  it('publishes, revises, withdraws, with an audit row each; the public API sees each step at its next request, whichever server wrote it', async () => {
    // A second run of the same wave: the stored one's row again (runs are insert-only).
    const r1 = fixture.run.row.id;
    const r2 = await store.write(async (tx) => (await tx.get<{ id: number }>(sql`INSERT INTO ${estimateRuns}
      (wave_id, frame_id, frame_hash, survey_version_ids, scoring_hash, options, engine_version, input_hash, input_blocks, result, created_by, created_at)
      SELECT wave_id, frame_id, frame_hash, survey_version_ids, scoring_hash, options, engine_version, input_hash, input_blocks, result, 'second', created_at
      FROM ${estimateRuns} WHERE ${estimateRuns.id} = ${r1} RETURNING ${estimateRuns.id} AS "id"`))!.id);

    const app = express();
    app.use('/api/public/v1', publicResultsRouter(store.sql));
    app.use(((err, _req, res, _next) => { res.status(err instanceof DomainError ? 404 : 500).json({ error: String(err) }); }) as express.ErrorRequestHandler);
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/public/v1`;
    const periods = async () => {
      const res = await fetch(`${base}/periods`);
      expect(res.status).toBe(200);
      return { etag: res.headers.get('etag'), body: await res.json() as { periods: { period: string; runId?: number; revised?: boolean }[] } };
    };
    const before = await periods();
    expect(JSON.stringify(before.body)).not.toContain('2024-Q2');
    expect((await fetch(`${base}/runs/${r1}`)).status).toBe(404);

    // Published through the OTHER connection (another server): this server's next request has it.
    const first = await publishRun(other, r1, 'test');
    expect(first).toMatchObject({ replaced: null, event: { runId: r1, period: '2024-Q2', action: 'publish', reason: null, actor: 'test' } });
    const published = await periods();
    expect(published.etag).not.toBe(before.etag);
    expect(JSON.stringify(published.body)).toContain('2024-Q2');
    const runRes = await fetch(`${base}/runs/${r1}`);
    expect(runRes.status).toBe(200);
    expect(await runRes.json()).toMatchObject({ runId: r1, period: '2024-Q2', revised: false, questionnaire: { versions: [1] } });
    expect((await fetch(`${base}/periods`, { headers: { 'if-none-match': published.etag! } })).status).toBe(304);

    await expect(publishRun(store, r1, 'test')).rejects.toThrow(new RegExp(`--run ${r1} is already the published run for 2024-Q2`));
    expect((await publishRun(store, r2, 'test')).replaced).toBe(r1);
    const current = (await currentPublication(other.sql, '2024-Q2'))!;
    expect([current.runId, current.revised, current.previousRunIds]).toEqual([r2, true, [r1]]);
    expect(await everPublished(store.sql, r1)).toBe(true);
    const revisedState = await loadPublishedState(store.sql, await stateVersion(store.sql, new Date()));
    expect(revisedState.waves.map((w) => [w.period, w.runId, w.revised, w.surveyVersions])).toEqual([['2024-Q2', r2, true, [1]]]);

    await expect(withdrawRun(store, r1, 'wrong run', 'test')).rejects.toThrow(new RegExp(`--run ${r1} is not the published run of 2024-Q2 \\(run ${r2} is\\)`));
    await expect(withdrawRun(store, r2, '  ', 'test')).rejects.toThrow(/--reason must say why/);
    expect((await withdrawRun(other, r2, 'a coding error in the frame', 'test')).event).toMatchObject({ action: 'withdraw', reason: 'a coding error in the frame' });
    expect(await currentPublication(store.sql, '2024-Q2')).toBeNull();
    expect(await publishedRuns(store.sql)).toEqual([]);
    expect((await publicationHistory(store.sql, '2024-Q2')).map((e) => [e.action, e.runId])).toEqual([['withdraw', r2], ['publish', r2], ['publish', r1]]);
    const withdrawn = await periods();
    expect(withdrawn.etag).not.toBe(published.etag);
    expect((await fetch(`${base}/runs/${r2}`)).status).toBe(404);
    const audit = await store.sql.all<{ action: string; subjectId: string; after: unknown }>(sql`SELECT ${auditLog.action} AS "action", ${auditLog.subjectId} AS "subjectId", ${auditLog.after} AS "after"
      FROM ${auditLog} WHERE ${auditLog.action} IN ('run.publish', 'run.withdraw') ORDER BY ${auditLog.id}`);
    expect(audit.map((a) => [a.action, Number(a.subjectId)])).toEqual([['run.publish', r1], ['run.publish', r2], ['run.withdraw', r2]]);
    const after = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as { revised?: boolean };
    expect(after(audit[1]!.after).revised).toBe(true);
  }, 120_000);

  it('writes a run\'s flagged pairs and notes in the write, and reads overrules of a wave', async () => {
    const runId = fixture.run.row.id;
    const ids = (await store.sql.all<{ id: string }>(sql`SELECT id AS "id" FROM responses WHERE wave_id = ${fixture.waveId} AND status = 'complete' ORDER BY id`)).map((r) => r.id);
    const on = (every: number) => Uint8Array.from(ids, (_id, i) => (i % every === 0 ? 1 : 0));
    const flags = { speeder: on(50), straightliner: on(97), incomplete: on(1), burst: on(1000), duplicate_answers: new Uint8Array(ids.length), automation: new Uint8Array(ids.length) };
    // The fixture's run wrote its own flags; these go under a run of their own.
    const flagRun = await store.write(async (tx) => (await tx.get<{ id: number }>(sql`INSERT INTO ${estimateRuns}
      (wave_id, frame_id, frame_hash, survey_version_ids, scoring_hash, options, engine_version, input_hash, input_blocks, result, created_by, created_at)
      SELECT wave_id, frame_id, frame_hash, survey_version_ids, scoring_hash, options, engine_version, input_hash, input_blocks, result, 'flags', created_at
      FROM ${estimateRuns} WHERE ${estimateRuns.id} = ${runId} RETURNING ${estimateRuns.id} AS "id"`))!.id);
    const flagged = await store.write((tx) => writeRunFlags(tx, flagRun, fixture.waveId, flaggedIds({
      perRespondent: { ids: IdList.from(ids), flags, excluded: new Uint8Array(ids.length), weights: new Float64Array(ids.length) },
      flagNotes: { speederMedianMs: 600_000, speederThresholdMs: 180_000 },
    })));
    const expected = Math.ceil(ids.length / 50) + Math.ceil(ids.length / 97) + Math.ceil(ids.length / 1000);
    expect(flagged).toBe(expected);
    expect(await count(store, sql`${runFlags} WHERE ${runFlags.runId} = ${flagRun}`)).toBe(expected);
    expect(await count(store, sql`${runFlags} WHERE ${runFlags.runId} = ${flagRun} AND ${runFlags.flag} = 'incomplete'`)).toBe(0);
    expect(await store.sql.get(sql`SELECT ${runFlagSets.flagged} AS "flagged", ${runFlagSets.speederMedianMs} AS "median" FROM ${runFlagSets} WHERE ${runFlagSets.runId} = ${flagRun}`))
      .toEqual({ flagged: expected, median: 600_000 });
    // The fixture's run stored its speeders (every 50th respondent by duration) in its write.
    expect(await count(store, sql`${runFlags} WHERE ${runFlags.runId} = ${runId} AND ${runFlags.flag} = 'speeder'`)).toBe(fixture.speeders);

    await store.write((tx) => tx.run(sql`INSERT INTO ${flagOverrules} (response_id, flag, reason, actor, at) VALUES
      (${ids[0]!}, 'speeder', 'checked by phone', 'test', '2026-11-29T10:00:00.000Z'), (${ids[0]!}, 'straightliner', 'checked by phone', 'test', '2026-11-29T10:00:01.000Z')`));
    const overrules = await overrulesOfWaveSql(store.sql, fixture.waveId);
    expect([...overrules].map(([id, set]) => [id, [...set]])).toEqual([[ids[0], ['speeder', 'straightliner']]]);
    expect((await overrulesOfWaveSql(store.sql, fixture.otherWaveId)).size).toBe(0);
  });

  it('gives each queued console job to exactly one of two servers claiming at once, and marks interrupted jobs failed', async () => {
    await store.write((tx) => tx.run(sql`DELETE FROM ${jobs}`));
    const request = JSON.stringify({ wave: { id: fixture.waveId }, frame: { id: fixture.run.row.frameId } });
    for (let i = 0; i < 6; i++) {
      await store.write((tx) => tx.run(sql`INSERT INTO ${jobs} (kind, status, progress, stage, request, created_by, created_at)
        VALUES ('estimate', 'queued', 0, 'queued', ${request}, 'test', ${`2026-11-29T10:00:0${i}.000Z`})`));
    }
    const claims = await Promise.all([store, other, store, other, store, other, store, other].map((s) => claimQueuedJob(s)));
    const held = claims.filter((c) => c !== undefined);
    const got = held.map((c) => c.row.id);
    expect(got).toHaveLength(6);
    expect(new Set(got).size).toBe(6);
    expect(claims.filter((c) => c === undefined)).toHaveLength(2);
    for (const c of held) expect(c.row).toMatchObject({ status: 'running', stage: 'reading', progress: 0, request: JSON.parse(request) });
    expect(await claimQueuedJob(other)).toBeUndefined();
    // The first three claims' servers let their jobs go without finishing them (as a server that
    // stops); the other three are still computing. SQLite: one server per file, so every running
    // job found at a start is interrupted; PostgreSQL: only those whose server no longer holds them.
    const [gone, live] = [held.slice(0, 3), held.slice(3)];
    for (const c of gone) await c.release();
    const at = new Date('2026-11-29T11:00:00Z');
    expect(await recoverJobs(store, at)).toBe(ts.engine === 'postgres' ? 3 : 6);
    const statusOf = async () => new Map((await listJobs(other.sql)).map((j) => [j.id, [j.status, j.error?.code, j.finishedAt]]));
    const failed = ['failed', 'interrupted', '2026-11-29T11:00:00.000Z'];
    let now = await statusOf();
    for (const c of gone) expect(now.get(c.row.id)).toEqual(failed);
    for (const c of live) expect(now.get(c.row.id)).toEqual(ts.engine === 'postgres' ? ['running', undefined, null] : failed);
    for (const c of live) await c.release();
    expect(await recoverJobs(other, at)).toBe(ts.engine === 'postgres' ? 3 : 0);
    now = await statusOf();
    for (const id of got) expect(now.get(id)).toEqual(failed);
    await expect(requireJob(store.sql, 999_999)).rejects.toThrow(/There is no job 999999/);
  });

  it('runs a console job through the runner: checked now, recorded queued, claimed and finished with the run', async () => {
    const runner = createJobRunner(store, 'database-file-of-the-worker', () => new Date('2026-11-29T12:00:00Z'), async (q, database, request, actor, onProgress) => {
      // The worker opens the store's own database: the SQLite file given, or the PostgreSQL URL.
      expect(database).toEqual(ts.engine === 'postgres' ? { url: expect.stringContaining(new URL(ts.location.url!).pathname) as unknown } : { file: 'database-file-of-the-worker' });
      onProgress?.('reading', 0.2);
      onProgress?.('weighting', 0.7);
      return (await getRun(q, fixture.run.row.id))!;
    });
    await expect(runner.startEstimate({ wave: { id: 4242 }, frame: { id: fixture.run.row.frameId } }, 'user:1', new Date())).rejects.toThrow(/--wave 4242: no such wave/);
    const row = await runner.startEstimate({ wave: { id: fixture.waveId }, frame: { id: fixture.run.row.frameId } }, 'user:1', new Date('2026-11-29T11:59:00Z'));
    expect(row).toMatchObject({ status: 'queued', stage: 'queued', createdBy: 'user:1' });
    await runner.idle();
    // On SQLite without the database file there is nothing for a worker to open.
    if (ts.engine === 'sqlite') {
      const noFile = createJobRunner(store, undefined, () => new Date());
      await expect(noFile.startEstimate({ wave: { id: fixture.waveId }, frame: { id: fixture.run.row.frameId } }, 'user:1', new Date())).rejects.toThrow(/estimate runs need the database file/);
    }
    expect(await requireJob(other.sql, row.id)).toMatchObject({ status: 'done', stage: null, progress: 1, runId: fixture.run.row.id, finishedAt: '2026-11-29T12:00:00.000Z', error: null });
  });
});
