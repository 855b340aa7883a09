// Worker-thread entry of an estimate run (see worker-pool.ts): its own connection to the database
// (the SQLite file, or a small pool of its own on the PostgreSQL URL), then exactly what the
// command line does — createEstimateRun — and a message back.
import { parentPort, workerData } from 'node:worker_threads';
import type { RunProgress } from './compute';
import { openDb, type Db } from '../db/open';
import { createPgPool } from '../db/open-pg';
import type { Store } from '../db/store';
import { createPgStore } from '../db/store-pg';
import { createSqliteStore } from '../db/store-sqlite';
import { createEstimateRun, type EstimateRequest } from './service';
import type { ProgressMessage, WorkerDatabase } from './worker-pool';
import { lowerThisThreadPriority } from './thread-priority';
import { replyFromWorker } from './worker-reply';

interface Job { database: WorkerDatabase; request: EstimateRequest; actor: string }

const job = workerData as Job;
// In the server: the request thread goes first (thread-priority.ts).
lowerThisThreadPriority();
// The run is stored through the store on this thread's own connection (one write transaction).
// PostgreSQL: one connection reads the wave in its snapshot, one more stores the run.
let db: Db | undefined;
let store: Store;
if (job.database.url !== undefined) {
  store = createPgStore(createPgPool(job.database.url, { max: 2 }));
} else {
  // synchronous=NORMAL and no fsync of its own: the write lock, which respondents' completions
  // wait for, is not held through an fsync, and no fsync of this thread's competes with theirs
  // (one here held their answers up by 30–40 ms at the end of every 1M run, decision 033). The run
  // is durable once the server next fsyncs the same WAL — at the latest when the job runner
  // records the job as done (its write queue fsyncs the WAL after that COMMIT), before anyone is
  // told the run exists; a checkpoint, which fsyncs the WAL before copying it, makes it so too.
  db = openDb(job.database.file, { migrateSchema: false, synchronous: 'normal' });
  store = createSqliteStore(db, { syncWal: async () => undefined });
}
// Progress goes to the main thread as { progress: { stage, fraction } } (worker-pool.ts), at most
// once per percent or stage, so a million rows post about a hundred messages.
let last = { stage: '', fraction: -1 };
const progress: RunProgress = (stage, fraction) => {
  if (stage === last.stage && fraction - last.fraction < 0.01) return;
  last = { stage, fraction };
  parentPort!.postMessage({ progress: { stage, fraction } } satisfies ProgressMessage);
};
void replyFromWorker(async () => (await createEstimateRun(store, db, job.request, job.actor, new Date(), progress)).row.id)
  .finally(() => (db ? db.$client.close() : store.close()));
