// The SQLite store: the group commit of server/db/write-queue.ts for async write jobs
// (decision 027).
//
// Write jobs that arrive in the same turn of the event loop run one after another inside ONE
// transaction (`BEGIN IMMEDIATE`), each in its own savepoint: a job that rejects is rolled back
// alone and gets its error. The driver (sql.ts) is synchronous underneath, so a job's awaits
// settle within the microtask checkpoint of the flush: no request, timer or I/O callback runs
// while the transaction is open, exactly as with the synchronous queue. A job that awaits
// something else (a file, the network, a timer) would let the event loop run inside the
// transaction; the flush notices (a setImmediate armed before the batch has fired), rolls that
// job back and rejects it with WriteJobYieldedError, a programming error to fix.
//
// Durability as in write-queue.ts: with `syncWal` (connection in synchronous=NORMAL) the WAL is
// fsync'd on libuv's pool after the COMMIT and the batch's jobs settle when it returns; without
// it the connection must use synchronous=FULL, whose COMMIT fsyncs.
import type { Db } from './open';
import { sqliteSql, type Sql } from './sql';
import { WriteJobYieldedError, type Store } from './store';
import { settleWhenDurable, type JobOutcome, type WriteQueueOptions } from './write-queue';

type Job = { fn: (tx: Sql) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** Most jobs per transaction: bounds the time one flush holds the event loop and the write lock. */
const MAX_BATCH = 128;

export function createSqliteStore(db: Db, options: WriteQueueOptions = {}): Store {
  const connection = db.$client;
  const sql = sqliteSql(connection);
  const begin = connection.prepare('BEGIN IMMEDIATE');
  const commit = connection.prepare('COMMIT');
  const rollback = connection.prepare('ROLLBACK');
  const savepoint = connection.prepare('SAVEPOINT job');
  const release = connection.prepare('RELEASE job');
  const rollbackTo = connection.prepare('ROLLBACK TO job');

  const pending: Job[] = [];
  let scheduled = false;
  let flushing = false;

  const runBatch = async (batch: Job[]): Promise<JobOutcome[]> => {
    // Fires only if the event loop gets to run, i.e. a job yielded; re-armed after each such job.
    let yielded = false;
    const arm = () => setImmediate(() => { yielded = true; });
    let tick = arm();
    const outcomes: JobOutcome[] = [];
    try {
      for (const job of batch) {
        savepoint.run();
        try {
          const value = await job.fn(sql);
          if (yielded) throw new WriteJobYieldedError();
          release.run();
          outcomes.push({ ok: true, value });
        } catch (error) {
          rollbackTo.run();
          release.run();
          outcomes.push({ ok: false, error: yielded ? new WriteJobYieldedError() : error });
        }
        if (yielded) {
          yielded = false;
          tick = arm();
        }
      }
    } finally {
      clearImmediate(tick);
    }
    return outcomes;
  };

  const flush = async () => {
    scheduled = false;
    flushing = true;
    const batch = pending.splice(0, MAX_BATCH);
    let outcomes: JobOutcome[];
    try {
      begin.run();
      try {
        outcomes = await runBatch(batch);
        commit.run();
      } catch (err) {
        if (connection.inTransaction) rollback.run();
        throw err;
      }
    } catch (commitError) {
      // Nothing of this batch is stored: every job fails (an internal error, answered as 500).
      for (const job of batch) job.reject(commitError);
      return;
    } finally {
      flushing = false;
      if (pending.length > 0) schedule();
    }
    settleWhenDurable(options, batch, outcomes);
  };

  const schedule = () => {
    if (scheduled || flushing) return;
    scheduled = true;
    // After the current poll phase: every request body that arrived in this turn is queued by then.
    setImmediate(() => void flush());
  };

  return {
    dialect: 'sqlite',
    sql,
    driver: { dialect: 'sqlite', connection },
    write<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    close() {
      if (connection.open) connection.close();
      return Promise.resolve();
    },
  };
}
