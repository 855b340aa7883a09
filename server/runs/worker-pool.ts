// Estimate runs off the request thread: a run over a million responses takes seconds of CPU, and
// respondents must keep being served meanwhile (issue 6). Each run gets a worker thread with its
// own SQLite connection (WAL: it reads a consistent snapshot while the server keeps writing, and
// its one short write transaction waits on busy_timeout like any other writer). The worker runs
// createEstimateRun — the same function the command line calls — so both paths are one code.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Db } from '../db/open';
import { DomainError, type DomainErrorCode, type DomainErrorKind } from '../errors';
import { getRun, type EstimateRequest, type StoredRun } from './service';

type WorkerReply = { ok: true; runId: number } | { ok: false; kind: 'fault'; message: string }
  | { ok: false; kind: DomainErrorKind; code: DomainErrorCode; message: string; details: unknown };

// Under tsx (development, tests, `npm start`) this module and the worker are TypeScript: the
// worker thread registers tsx's loader first (a loader given as --import in a worker's execArgv is
// not applied to it), then imports the entry. A compiled build has worker.js beside this file.
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then(({ register }) => { register(); return import(workerData.entry); });
`;

function workerSpec(data: Record<string, unknown>): { target: string | URL; options: WorkerOptions } {
  if (!import.meta.url.endsWith('.ts')) return { target: new URL('./worker.js', import.meta.url), options: { workerData: data } };
  // The package's ESM entry of its loader API (require.resolve would give the CommonJS one).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return { target: TS_BOOTSTRAP, options: { eval: true, workerData: { ...data, tsxApi, entry: new URL('./worker.ts', import.meta.url).href } } };
}

/**
 * Computes and stores an estimate run in a worker thread; resolves with the stored run (read on
 * `db`, the caller's connection) once the worker has committed it.
 * @param dbFile the database file `db` is connected to (the worker opens its own connection)
 * @throws DomainError exactly as createEstimateRun would (unknown wave/frame, bad options, bad data)
 */
export function estimateInWorker(db: Db, dbFile: string, request: EstimateRequest, actor: string): Promise<StoredRun> {
  const { target, options } = workerSpec({ dbFile, request, actor });
  return new Promise((resolve, reject) => {
    const worker = new Worker(target, options);
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
      reject(new DomainError(reply.kind, reply.code, reply.message, reply.details));
    });
  });
}
