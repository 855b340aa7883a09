// Group commit for the request path.
//
// Writes that arrive in the same turn of the event loop run one after another inside ONE
// transaction, each in its own savepoint (a job that throws is rolled back alone and gets its
// error). Jobs run in arrival order, so duplicates of one response id see each other exactly as
// they would in separate transactions.
//
// Durability. A job's promise settles only once its transaction is durable:
// - without `syncWal`, the connection must use synchronous=FULL: COMMIT itself fsyncs the WAL,
//   so "COMMIT returned" is "on disk" — but the fsync blocks the event loop (better-sqlite3 is
//   synchronous; measured 1–3 ms a commit on this machine, as much as the rest of a completion);
// - with `syncWal` (the server: the connection uses synchronous=NORMAL, so COMMIT only write()s
//   the WAL), the queue fsyncs the WAL file itself on libuv's thread pool after each group commit
//   and settles that group's jobs when the fsync returns. The event loop keeps parsing requests
//   meanwhile. An acknowledged write is then on disk exactly as with FULL (an fsync started after
//   the commit flushes the whole file, whichever descriptor asks);
//   SQLite itself still syncs around checkpoints in NORMAL mode, so the WAL is never reset before
//   its frames reached the database file.
import type { Db, Queryable } from './open';

type Job = { fn: (tx: Queryable) => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** What a job of a group commit turned out to be, in its savepoint. */
export type JobOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface WriteQueue {
  /** Runs `fn` in a savepoint of the next group transaction; resolves once that transaction is durable. */
  run<T>(fn: (tx: Queryable) => T): Promise<T>;
}

export interface WriteQueueOptions {
  /** Makes every write committed so far durable (fsync of the WAL); see above. */
  syncWal?: () => Promise<void>;
  /** Called when `syncWal` fails: the writes are committed but not confirmed durable (answered 500; a retry is idempotent). */
  onSyncError?: (err: unknown) => void;
}

/** Most jobs per transaction: bounds the time one flush holds the event loop and the write lock. */
const MAX_BATCH = 128;

/**
 * Settles the jobs of a committed batch once it is durable: after the fsync of the WAL when
 * `options.syncWal` is given (a failed fsync fails every job that had succeeded: committed but not
 * confirmed durable; a retry is idempotent), at once otherwise (synchronous=FULL).
 *
 * Each committed batch starts its own fsync and settles when that one returns. Overlapping fsyncs
 * beat waiting for the one in flight and then covering several commits with the next (measured:
 * 5350 vs 4730 completions/s in bench/ingest.ts): with the latter, a commit made just after an
 * fsync began waits for almost two.
 */
export function settleWhenDurable(options: WriteQueueOptions, batch: readonly { resolve: (v: unknown) => void; reject: (e: unknown) => void }[], outcomes: readonly JobOutcome[]): void {
  const settle = (syncError?: unknown) => batch.forEach((job, i) => {
    const o = outcomes[i]!;
    if (syncError !== undefined && o.ok) job.reject(syncError);
    else if (o.ok) job.resolve(o.value);
    else job.reject(o.error);
  });
  const { syncWal } = options;
  if (!syncWal) return settle();
  syncWal().then(
    () => settle(),
    (err: unknown) => {
      options.onSyncError?.(err);
      settle(err);
    },
  );
}

export function createWriteQueue(db: Db, options: WriteQueueOptions = {}): WriteQueue {
  const pending: Job[] = [];
  let scheduled = false;

  // better-sqlite3's own transaction functions: a call inside another becomes a SAVEPOINT, and
  // their BEGIN/SAVEPOINT/RELEASE statements are prepared once (drizzle's tx.transaction would
  // build and prepare two SQL strings per job). Jobs get `db`: the same connection, so their
  // queries run inside the savepoint.
  const inSavepoint = db.$client.transaction((job: Job) => job.fn(db));
  const inTransaction = db.$client.transaction((batch: Job[]) => {
    const outcomes: JobOutcome[] = [];
    for (const job of batch) {
      try {
        outcomes.push({ ok: true, value: inSavepoint(job) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  });

  const flush = () => {
    scheduled = false;
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length > 0) schedule();
    let outcomes: JobOutcome[];
    try {
      outcomes = inTransaction.immediate(batch);
    } catch (commitError) {
      // Nothing of this batch is stored: every job fails (an internal error, answered as 500).
      for (const job of batch) job.reject(commitError);
      return;
    }
    settleWhenDurable(options, batch, outcomes);
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate runs after the current poll phase: every request body that finished arriving
    // in this turn has been parsed and queued by then.
    setImmediate(flush);
  };

  return {
    run<T>(fn: (tx: Queryable) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
  };
}
