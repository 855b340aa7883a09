// WAL checkpoints off the event loop.
//
// In WAL mode SQLite copies the log back into the database file ("checkpoint") automatically at
// the COMMIT that takes the log past 1000 pages — on the committing connection, i.e. on the
// server's event loop, where it writes ~4 MB into the database file and fsyncs it. Measured in
// bench/ingest.ts: ~5% of commits took 2–56 ms and together half of all commit time, with every
// request in the process waiting meanwhile. Here the server's connection stops checkpointing
// (wal_autocheckpoint = 0) and a worker thread with its own connection runs PASSIVE checkpoints
// every CHECKPOINT_MS instead. A PASSIVE checkpoint never waits for and never blocks the writer;
// the writer restarts the log from its beginning once a checkpoint has copied all of it.
//
// Durability is unchanged: the checkpointing connection uses synchronous=FULL, so SQLite fsyncs
// the log before copying and the database file before the log may be restarted — the same
// steps an automatic checkpoint takes on the server's own connection. Acknowledged writes are
// made durable by the WAL fsync of write-queue.ts, not by checkpoints.
//
// Should the worker fail, the server's connection checkpoints itself again (SQLite's default),
// so the log never grows without bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './open';

/** Interval between PASSIVE checkpoints: the log grows by a few MB at most in between under load. */
export const CHECKPOINT_MS = 100;

// Plain JavaScript (an eval'd worker): no TypeScript loader is needed in the worker thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  /** Stops the worker (after closing its connection). */
  stop(): Promise<void>;
}

/**
 * Moves `db`'s WAL checkpoints to a worker thread. A no-op for an in-memory database or one not
 * in WAL mode. `onError` hears about a worker failure (the connection then checkpoints itself).
 */
export function startCheckpointer(db: Db, onError: (err: unknown) => void = () => undefined): Checkpointer {
  const sqlite = db.$client;
  const journal = sqlite.pragma('journal_mode', { simple: true });
  if (sqlite.memory || String(journal).toLowerCase() !== 'wal') return { stop: async () => undefined };

  const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: sqlite.name, betterSqlite3, everyMs: CHECKPOINT_MS } });
  // The worker never keeps the process alive by itself.
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  const fallBack = (err: unknown) => {
    if (stopping) return;
    stopping = true;
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
    onError(err);
  };
  worker.on('error', fallBack);
  worker.on('exit', (code) => fallBack(new Error(`the WAL checkpoint worker exited (code ${code})`)));
  return {
    stop: () => new Promise<void>((resolve) => {
      if (stopping) return resolve();
      stopping = true;
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    }),
  };
}
