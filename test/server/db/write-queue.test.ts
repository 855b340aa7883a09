// Group commit: jobs of one event-loop turn share one transaction, each in its own savepoint,
// and settle only after the commit.
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walSyncer } from '../../../server/db/open';
import { createWriteQueue } from '../../../server/db/write-queue';
import { waves } from '../../../server/db/schema';
import { openWave } from '../../../server/waves/sqlite-sync';
import { createTestDb, type TestDb } from '../../helpers/db';

let tdb: TestDb;
let other: Database.Database;
beforeEach(() => {
  tdb = createTestDb();
  other = new Database(tdb.file, { readonly: true });
});
afterEach(() => {
  other.close();
  tdb.cleanup();
});

const countOther = () => (other.prepare('SELECT count(*) AS n FROM waves').get() as { n: number }).n;

it('runs the jobs of one turn in one transaction and settles them after it committed', async () => {
  const q = createWriteQueue(tdb.db);
  const seen: { inTx: boolean; sameTx: number; otherConnection: number }[] = [];
  const jobs = Array.from({ length: 5 }, () => q.run((tx) => {
    openWave(tx, 'official');
    seen.push({
      inTx: tdb.db.$client.inTransaction,
      // Rows this transaction wrote so far, vs what another connection sees (nothing, uncommitted).
      sameTx: tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM waves`).n,
      otherConnection: countOther(),
    });
    return seen.length;
  }));
  expect(await Promise.all(jobs)).toEqual([1, 2, 3, 4, 5]);
  expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => ({ inTx: true, sameTx: n, otherConnection: 0 })));
  expect(countOther()).toBe(5);
});

it('rolls back only the job that threw, which gets its own error', async () => {
  const q = createWriteQueue(tdb.db);
  const results = await Promise.allSettled([
    q.run((tx) => openWave(tx, 'a').id),
    q.run((tx) => { openWave(tx, 'b'); throw new Error('job b failed'); }),
    q.run((tx) => openWave(tx, 'c').id),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason.message).toBe('job b failed');
  expect(tdb.db.select({ s: waves.surveyId }).from(waves).all().map((r) => r.s)).toEqual(['a', 'c']);
});

it('handles more jobs than one batch takes, in order', async () => {
  const q = createWriteQueue(tdb.db);
  const ids = await Promise.all(Array.from({ length: 300 }, (_, i) => q.run((tx) => openWave(tx, `s${i}`).id)));
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(300);
  expect(countOther()).toBe(300);
});

describe('with syncWal (a synchronous=NORMAL connection, fsync off the event loop)', () => {
  /** A sync the test completes by hand, recording how many commits it could cover. */
  function manualSync() {
    const calls: { release: () => void; fail: (e: Error) => void; committedWaves: number }[] = [];
    const syncWal = () => new Promise<void>((resolve, reject) => {
      calls.push({ release: resolve, fail: reject, committedWaves: countOther() });
    });
    return { calls, syncWal };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('settles each group only after an fsync that started after its commit', async () => {
    const { calls, syncWal } = manualSync();
    const q = createWriteQueue(tdb.db, { syncWal });
    const settled: string[] = [];
    const first = q.run((tx) => openWave(tx, 'a')).then(() => settled.push('a'));
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.committedWaves).toBe(1); // committed before the fsync began
    // A second group commits while the first fsync is in flight: it gets an fsync of its own.
    const second = q.run((tx) => openWave(tx, 'b')).then(() => settled.push('b'));
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.committedWaves).toBe(2);
    expect(settled).toEqual([]);
    calls[1]!.release();
    await second;
    expect(settled).toEqual(['b']); // the first group still waits for its own fsync
    calls[0]!.release();
    await first;
    expect(settled).toEqual(['b', 'a']);
  });

  it('reports a failed fsync to the committed jobs and the log; failed jobs keep their own error', async () => {
    const { calls, syncWal } = manualSync();
    const logged: unknown[] = [];
    const q = createWriteQueue(tdb.db, { syncWal, onSyncError: (e) => logged.push(e) });
    const results = Promise.allSettled([
      q.run((tx) => openWave(tx, 'a')),
      q.run(() => { throw new Error('own error'); }),
    ]);
    await tick();
    const diskError = new Error('EIO');
    calls[0]!.fail(diskError);
    const [a, b] = await results;
    expect(a).toEqual({ status: 'rejected', reason: diskError });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'own error' } });
    expect(logged).toEqual([diskError]);
  });

  it('works with the real WAL fsync', async () => {
    tdb.db.$client.pragma('synchronous = NORMAL');
    const q = createWriteQueue(tdb.db, { syncWal: walSyncer(tdb.file) });
    await Promise.all(Array.from({ length: 50 }, (_, i) => q.run((tx) => openWave(tx, `s${i}`))));
    expect(countOther()).toBe(50);
  });
});
