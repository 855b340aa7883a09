// The server's path of an estimate run: a worker thread running the same createEstimateRun as the
// command line, while the calling thread stays free; errors come back as the same DomainErrors.
// On the engine KELISIM_TEST_DB names: the wave is built in a SQLite file and, on PostgreSQL, copied
// into the test's database, where the worker opens the URL with a pool of its own.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySqliteToPg } from '../../../server/db/copy-pg';
import type { Db } from '../../../server/db/open';
import type { Store } from '../../../server/db/store';
import { DomainError } from '../../../server/errors';
import { createEstimateRun, getRun, verifyRun } from '../../../server/runs/service';
import { estimateInWorker, type WorkerDatabase } from '../../../server/runs/worker-pool';
import type { TestDb } from '../../helpers/db';
import { referenceWave } from './reference-import';
import { storeOf } from '../../helpers/db-store';
import { createTestStore, type TestStore } from '../../helpers/store';

let t: TestDb;
let ts: TestStore;
/** The store the services run on, the SQLite connection under it (SQLite only), what the worker opens. */
let store: Store;
let db: Db | undefined;
let database: WorkerDatabase;
let waveId: number;

beforeAll(async () => {
  let built: Db;
  ({ t, db: built, waveId } = await referenceWave('2025-Q1', { durationMs: (i) => (i % 50 === 0 ? 60_000 : 600_000 + i), frame: true }));
  ts = await createTestStore();
  if (ts.engine === 'postgres') {
    await copySqliteToPg(t.file, ts.location.url!);
    store = ts.store;
    database = { url: ts.location.url! };
  } else {
    db = built;
    store = storeOf(built);
    database = { file: t.file };
  }
}, 120_000);
afterAll(async () => {
  await ts.cleanup();
  t.cleanup();
});

describe(`estimateInWorker on ${process.env.KELISIM_TEST_DB ?? 'sqlite'}`, () => {
  it('stores the same result as the direct call, and the event loop keeps turning meanwhile', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    const started = Date.now();
    const viaWorker = await estimateInWorker(store.sql, database, { wave: { id: waveId }, frame: { name: 'ref' } }, 'test');
    const elapsed = Date.now() - started;
    clearInterval(timer);
    // The thread was free: timers fired through the run (at least a third of the 5-ms slots).
    expect(ticks).toBeGreaterThan(elapsed / 15);
    const direct = await createEstimateRun(store, db, { wave: { id: waveId }, frame: { name: 'ref' } }, 'test');
    expect(viaWorker.row.id).not.toBe(direct.row.id);
    expect(viaWorker.result).toEqual(direct.result);
    expect(viaWorker.row.inputHash).toBe(direct.row.inputHash);
    expect((await getRun(store.sql, viaWorker.row.id))?.row.createdBy).toBe('test');
    expect((await verifyRun(store, db, viaWorker.row.id)).identical).toBe(true);
    // Quality flags by default: every 50th interview is a speeder (60 s against a median of ~10 min).
    expect(direct.result.sample.excludedBy.speeder).toBe(30);
    expect(direct.result.sample.used).toBe(direct.result.sample.completes - direct.result.sample.excluded);
  }, 60_000);

  it('computes at a lower priority than the calling thread (nice 10), which keeps its own', async () => {
    // Linux: each thread's nice value is field 19 of /proc/self/task/<tid>/stat.
    const niceOf = (tid: string): number | undefined => {
      try { return Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]); } catch { return undefined; }
    };
    const seen = new Set<number>();
    const timer = setInterval(() => { for (const tid of fs.readdirSync('/proc/self/task')) { const n = niceOf(tid); if (n !== undefined) seen.add(n); } }, 2);
    try {
      await estimateInWorker(store.sql, database, { wave: { id: waveId }, frame: { name: 'ref' } }, 'test');
    } finally {
      clearInterval(timer);
    }
    expect(seen.has(10)).toBe(true);
    expect(niceOf(/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))![1]!)).toBe(0);
  }, 60_000);

  it('rejects with the same DomainError as the direct call', async () => {
    const err = await estimateInWorker(store.sql, database, { wave: { id: waveId }, frame: { name: 'nope' } }, 'test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('not_found');
    expect((err as DomainError).message).toContain('--frame nope: no such frame; stored frames: ref');
    expect(fs.existsSync(t.file)).toBe(true);
  }, 60_000);
});
