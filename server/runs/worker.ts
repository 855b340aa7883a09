// Worker-thread entry of an estimate run (see worker-pool.ts): its own connection to the database
// file, then exactly what the command line does — createEstimateRun — and a message back.
import { workerData } from 'node:worker_threads';
import { openDb } from '../db/open';
import { createEstimateRun, type EstimateRequest } from './service';
import { lowerThisThreadPriority } from './thread-priority';
import { replyFromWorker } from './worker-reply';

interface Job { dbFile: string; request: EstimateRequest; actor: string }

const job = workerData as Job;
// In the server: the request thread goes first (thread-priority.ts).
lowerThisThreadPriority();
const db = openDb(job.dbFile, { migrateSchema: false });
void replyFromWorker(() => createEstimateRun(db, job.request, job.actor).row.id).finally(() => db.$client.close());
