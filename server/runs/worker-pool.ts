// Work off the request thread: an estimate run over a million responses takes seconds of CPU, and
// an export of one 20+ s (issues 6 and 9); respondents must keep being served meanwhile. Each job
// gets a worker thread with its own connection: to the SQLite file (WAL: it reads a consistent
// snapshot while the server keeps writing, and a write transaction waits on busy_timeout like any
// other writer), or a small pool of its own on the PostgreSQL URL (decision 027).
// The worker runs the same function the command line calls, so both paths are one code.
// `runInWorker` is the one way to start such a worker; `replyFromWorker` (worker-reply.ts) is the
// worker's side: a DomainError crosses as kind/code/message/details and is rethrown here.
import type { Sql } from '../db/sql';
import type { Store } from '../db/store';
import type { RunProgress, RunStage } from './compute';
import { DomainError, type DomainErrorCode, type DomainErrorKind } from '../errors';
import { getRun, type EstimateRequest, type StoredRun } from './service';
import { startWorker, type WorkerName } from './worker-start';

export { WORKER_ENTRIES, type WorkerName } from './worker-start';

/** What a worker posts before its reply to say how far it is (server/runs/worker.ts). */
export interface ProgressMessage { progress: { stage: RunStage; fraction: number } }

export type WorkerReply<T> = { ok: true; value: T } | { ok: false; kind: 'fault'; message: string }
  | { ok: false; kind: DomainErrorKind; code: DomainErrorCode; message: string; details: unknown };

/**
 * Runs the worker entry `name` with `data` as its workerData; resolves with the value it replies.
 * @param what names the job in a fault's message ("the estimate worker failed: …")
 * @throws DomainError exactly as the worker's function threw it; Error for any other failure
 */
export function runInWorker<T>(name: WorkerName, data: Record<string, unknown>, what: string, onProgress?: (p: ProgressMessage['progress']) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(name, data);
    let reply: WorkerReply<T> | undefined;
    // Progress messages (any number, before the reply) and then the one reply.
    worker.on('message', (m: WorkerReply<T> | ProgressMessage) => {
      if ('progress' in m) onProgress?.(m.progress);
      else reply = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!reply) return reject(new Error(`the ${what} worker exited (code ${code}) without a result`));
      if (reply.ok) return resolve(reply.value);
      if (reply.kind === 'fault') return reject(new Error(`the ${what} worker failed: ${reply.message}`));
      reject(new DomainError(reply.kind, reply.code, reply.message, reply.details));
    });
  });
}

/** The database a worker opens a connection of its own to: a SQLite file, or a PostgreSQL URL. */
export type WorkerDatabase = { file: string; url?: undefined } | { url: string; file?: undefined };

/**
 * The database under `store` as a worker can open it: the PostgreSQL store's URL (the one its pool
 * was opened with), or the SQLite file `dbFile` (the store's file; a SQLite connection does not
 * always know it: ':memory:' and test doubles). Undefined when there is none to open.
 */
export function workerDatabaseOf(store: Store, dbFile: string | undefined): WorkerDatabase | undefined {
  if (store.driver?.dialect === 'postgres') {
    const url = store.driver.pool.options.connectionString;
    return url ? { url } : undefined;
  }
  return dbFile ? { file: dbFile } : undefined;
}

/**
 * Computes and stores an estimate run in a worker thread; resolves with the stored run (read on
 * `q`, the caller's executor) once the worker has committed it.
 * @param database the database (the worker opens its own connection: server/runs/worker.ts)
 * @throws DomainError exactly as createEstimateRun would (unknown wave/frame, bad options, bad data)
 */
export async function estimateInWorker(q: Sql, database: WorkerDatabase, request: EstimateRequest, actor: string, onProgress?: RunProgress): Promise<StoredRun> {
  const runId = await runInWorker<number>('worker', { database, request, actor }, 'estimate', onProgress && ((p) => onProgress(p.stage, p.fraction)));
  const run = await getRun(q, runId);
  if (!run) throw new Error(`run ${runId} was stored but cannot be read back`);
  return run;
}
