// Worker-thread entry of an estimate run (see worker-pool.ts): its own connection to the database
// file, then exactly what the command line does — createEstimateRun — and a message back.
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../db/open';
import { DomainError } from '../errors';
import { createEstimateRun, type EstimateRequest } from './service';

interface Job { dbFile: string; request: EstimateRequest; actor: string }

const job = workerData as Job;
const db = openDb(job.dbFile, { migrateSchema: false });
try {
  const run = createEstimateRun(db, job.request, job.actor);
  parentPort!.postMessage({ ok: true, runId: run.row.id });
} catch (err) {
  if (err instanceof DomainError) parentPort!.postMessage({ ok: false, kind: err.kind, code: err.code, message: err.message, details: err.details });
  else parentPort!.postMessage({ ok: false, kind: 'fault', message: err instanceof Error ? err.stack ?? err.message : String(err) });
} finally {
  db.$client.close();
}
