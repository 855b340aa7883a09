// Estimate runs off the request thread: a run over a million responses takes seconds of CPU, and
// respondents must keep being served meanwhile (issue 6). Each run gets a worker thread with its
// own SQLite connection (WAL: it reads a consistent snapshot while the server keeps writing, and
// its one short write transaction waits on busy_timeout like any other writer). The worker runs
// createEstimateRun — the same function the command line calls — so both paths are one code.
import { Worker } from 'node:worker_threads';
import type { Db } from '../db/open';
import { DomainError, type DomainErrorKind } from './errors';
import { getRun, type EstimateRequest, type StoredRun } from './service';

type WorkerReply = { ok: true; runId: number } | { ok: false; kind: DomainErrorKind | 'fault'; code: string; message: string };

function workerUrl(): { url: URL; execArgv: string[] | undefined } {
  // Under tsx (development, tests) this module is TypeScript and so is the worker: the worker
  // needs tsx's loader too. A compiled build has worker.js beside this file.
  const typescript = import.meta.url.endsWith('.ts');
  return {
    url: new URL(typescript ? './worker.ts' : './worker.js', import.meta.url),
    execArgv: typescript ? [...process.execArgv.filter((a) => a !== '--import' && a !== 'tsx'), '--import', 'tsx'] : undefined,
  };
}

/**
 * Computes and stores an estimate run in a worker thread; resolves with the stored run (read on
 * `db`, the caller's connection) once the worker has committed it.
 * @param dbFile the database file `db` is connected to (the worker opens its own connection)
 * @throws DomainError exactly as createEstimateRun would (unknown wave/frame, bad options, bad data)
 */
export function estimateInWorker(db: Db, dbFile: string, request: EstimateRequest, actor: string): Promise<StoredRun> {
  const { url, execArgv } = workerUrl();
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: { dbFile, request, actor }, ...(execArgv ? { execArgv } : {}) });
    let reply: WorkerReply | undefined;
    worker.once('message', (m: WorkerReply) => { reply = m; });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!reply) return reject(new Error(`the estimate worker exited (code ${code}) without a result`));
      if (reply.ok) {
        const run = getRun(db, reply.runId);
        return run ? resolve(run) : reject(new Error(`run ${reply.runId} was stored but cannot be read back`));
      }
      if (reply.kind === 'fault') return reject(new Error(`the estimate worker failed: ${reply.message}`));
      reject(new DomainError(reply.kind, reply.code, reply.message));
    });
  });
}
