// Starting a worker thread of the server's own code, the same way under tsx (development, tests,
// `npm start` in dev) and in the compiled build. Under tsx this module and the workers are
// TypeScript: the worker thread registers tsx's loader first (a loader given as --import in a
// worker's execArgv is not applied to it), then imports the entry. A compiled build has
// <name>.js beside this file's bundle (scripts/build-server.mjs, WORKERS).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort, type TransferListItem, type WorkerOptions } from 'node:worker_threads';

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

/** A worker that shares Int32 flags with the thread that started it and has a port of its own to it. */
export interface PortWorker { worker: Worker; flags: Int32Array; port: MessagePort }

/**
 * Starts the worker entry `name` for a run's helper threads (input-worker, domain-worker): its
 * workerData is `data` plus `flags` (`slots` Int32 slots on a SharedArrayBuffer, for Atomics) and
 * `port` (the other end of the returned port). It never keeps the process alive, and its failure
 * is noticed by the caller's waits on the flags, not by an event. Null when it cannot be started.
 */
export function startPortWorker(name: WorkerName, slots: number, data: Record<string, unknown>): PortWorker | null {
  const flags = new Int32Array(new SharedArrayBuffer(4 * slots));
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    worker = startWorker(name, { ...data, flags, port: port2 }, [port2]);
  } catch {
    port1.close();
    return null;
  }
  worker.unref();
  worker.on('error', () => undefined);
  return { worker, flags, port: port1 };
}

