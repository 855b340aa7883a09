// The worker's side of runInWorker (worker-pool.ts): runs the job and posts its value back, or the
// DomainError it threw as kind/code/message/details (rethrown as such on the main thread), or a
// fault with its stack.
import { parentPort } from 'node:worker_threads';
import { DomainError } from '../errors';
import type { WorkerReply } from './worker-pool';

export async function replyFromWorker<T>(job: () => T | Promise<T>): Promise<void> {
  let reply: WorkerReply<T>;
  try {
    reply = { ok: true, value: await job() };
  } catch (err) {
    reply = err instanceof DomainError
      ? { ok: false, kind: err.kind, code: err.code, message: err.message, details: err.details }
      : { ok: false, kind: 'fault', message: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
}
