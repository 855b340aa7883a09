// Group commit for the request path. With synchronous=FULL every COMMIT waits for an fsync
// (about 1 ms on this machine's disk, measured; the rest of a completion costs about as much), so
// one transaction per request would spend half its time flushing. Writes that arrive in the same
// turn of the event loop are instead run one after another inside ONE transaction, each in its
// own savepoint (a job that throws is rolled back alone and gets its error), and committed with
// one fsync. Every job's promise settles only after that COMMIT returned, so a 2xx still means
// "on disk". Jobs run in arrival order, so duplicates of one response id see each other exactly
// as they would in separate transactions.
import type { Db, Queryable } from './open';

type Job = { fn: (tx: Queryable) => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };

export interface WriteQueue {
  /** Runs `fn` in a savepoint of the next group transaction; resolves once that transaction committed. */
  run<T>(fn: (tx: Queryable) => T): Promise<T>;
}

/** Most jobs per transaction: bounds the time one flush holds the event loop and the write lock. */
const MAX_BATCH = 128;

export function createWriteQueue(db: Db): WriteQueue {
  const pending: Job[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length > 0) schedule();
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      db.transaction((tx) => {
        for (const job of batch) {
          try {
            outcomes.push({ ok: true, value: tx.transaction((sp) => job.fn(sp)) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }, { behavior: 'immediate' });
    } catch (commitError) {
      // Nothing of this batch is stored: every job fails (an internal error, answered as 500).
      for (const job of batch) job.reject(commitError);
      return;
    }
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
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
