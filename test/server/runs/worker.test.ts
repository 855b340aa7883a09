// The server's path of an estimate run: a worker thread running the same createEstimateRun as the
// command line, while the calling thread stays free; errors come back as the same DomainErrors.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../server/db/open';
import { DomainError } from '../../../server/errors';
import { createEstimateRun, getRun, verifyRun } from '../../../server/runs/service';
import { estimateInWorker } from '../../../server/runs/worker-pool';
import type { TestDb } from '../../helpers/db';
import { referenceWave } from './reference-import';
import { storeOf } from '../../helpers/db-store';

let t: TestDb;
let db: Db;
let waveId: number;

beforeAll(async () => {
  ({ t, db, waveId } = await referenceWave('2025-Q1', { durationMs: (i) => (i % 50 === 0 ? 60_000 : 600_000 + i), frame: true }));
}, 60_000);
afterAll(() => t.cleanup());

describe('estimateInWorker', () => {
  it('stores the same result as the direct call, and the event loop keeps turning meanwhile', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    const started = Date.now();
    const viaWorker = await estimateInWorker(storeOf(db).sql, { file: t.file }, { wave: { id: waveId }, frame: { name: 'ref' } }, 'test');
    const elapsed = Date.now() - started;
    clearInterval(timer);
    // The thread was free: timers fired through the run (at least a third of the 5-ms slots).
    expect(ticks).toBeGreaterThan(elapsed / 15);
    const direct = await createEstimateRun(storeOf(db), db, { wave: { id: waveId }, frame: { name: 'ref' } }, 'test');
    expect(viaWorker.row.id).not.toBe(direct.row.id);
    expect(viaWorker.result).toEqual(direct.result);
    expect(viaWorker.row.inputHash).toBe(direct.row.inputHash);
    expect((await getRun(storeOf(db).sql, viaWorker.row.id))?.row.createdBy).toBe('test');
    expect((await verifyRun(storeOf(db), db, viaWorker.row.id)).identical).toBe(true);
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
      await estimateInWorker(storeOf(db).sql, { file: t.file }, { wave: { id: waveId }, frame: { name: 'ref' } }, 'test');
    } finally {
      clearInterval(timer);
    }
    expect(seen.has(10)).toBe(true);
    expect(niceOf(/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))![1]!)).toBe(0);
  }, 60_000);

  it('rejects with the same DomainError as the direct call', async () => {
    const err = await estimateInWorker(storeOf(db).sql, { file: t.file }, { wave: { id: waveId }, frame: { name: 'nope' } }, 'test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('not_found');
    expect((err as DomainError).message).toContain('--frame nope: no such frame; stored frames: ref');
    expect(fs.existsSync(t.file)).toBe(true);
  }, 60_000);
});
