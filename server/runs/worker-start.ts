// Starting a worker thread of the server's own code, the same way under tsx (development, tests,
// `npm start` in dev) and in the compiled build. Under tsx this module and the workers are
// TypeScript: the worker thread registers tsx's loader first (a loader given as --import in a
// worker's execArgv is not applied to it), then imports the entry. A compiled build has
// <name>.js beside this file's bundle (scripts/build-server.mjs, WORKERS).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type TransferListItem, type WorkerOptions } from 'node:worker_threads';

const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then(({ register }) => { register(); return import(workerData.entry); });
`;

/**
 * The worker-thread entries (scripts/build-server.mjs's WORKERS): `worker` for
 * server/runs/worker.ts (an estimate run), `export-worker` for server/exports/worker.ts,
 * `input-worker` for server/runs/input-worker.ts (half of a run's read), `domain-worker` for
 * server/runs/domain-worker.ts (most of a run's domain sets). Paths relative to this file.
 */
export const WORKER_ENTRIES = {
  worker: '../runs/worker.ts', 'export-worker': '../exports/worker.ts', 'input-worker': '../runs/input-worker.ts', 'domain-worker': '../runs/domain-worker.ts',
} as const;
export type WorkerName = keyof typeof WORKER_ENTRIES;

function workerSpec(name: WorkerName, data: Record<string, unknown>): { target: string | URL; options: WorkerOptions } {
  if (!import.meta.url.endsWith('.ts')) return { target: new URL(`./${name}.js`, import.meta.url), options: { workerData: data } };
  // The package's ESM entry of its loader API (require.resolve would give the CommonJS one).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return { target: TS_BOOTSTRAP, options: { eval: true, workerData: { ...data, tsxApi, entry: new URL(WORKER_ENTRIES[name], import.meta.url).href } } };
}

/** Starts the worker entry `name` with `data` as its workerData (`transferList`: ports and buffers in it). */
export function startWorker(name: WorkerName, data: Record<string, unknown>, transferList: TransferListItem[] = []): Worker {
  const { target, options } = workerSpec(name, data);
  return new Worker(target, { ...options, transferList });
}
