// Most of an estimate run's domain sets on a second thread (analysis/analyze.ts DomainSetRunner).
//
// A run's `analyze()` makes 15 domain sets (3 indicators × 5 `by` variables, each a pass over a
// million rows adding 12 sums per level and weighting pattern): about a third of its CPU after the
// read. When the command line reads on two threads (input.ts `readThreads`), it has the machine to
// itself, so a second thread computes most of the sets while this one estimates the rest of
// analyze() (means, α, shares) and the last few sets (decision 033). The thread starts when the
// run's computation starts and warms its code up on a small made-up wave meanwhile, so it is ready
// and as fast as this thread by the time raking is done. Each set's result is
// domainEstimatesAndMoments' on whichever thread, so the run is the same to the last bit
// (test/server/runs/domain-sets.test.ts); if the thread cannot be started or fails, this thread
// computes its sets too.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { runDomainSetsHere, type DomainSet, type DomainSetResult, type DomainSetRunner } from '../../analysis/analyze';
import { AnalysisError, type AnalysisErrorCode } from '../../analysis/errors';
import type { EstimationContext } from '../../analysis/estimates';
import { domainEstimatesAndMoments } from '../../analysis/pooling';
import { threadPriorityLowered } from './thread-priority';
import { startPortWorker } from './worker-start';

/** Int32 slots shared with the worker: `go` (what to do) and `done` (its outcomes are posted). */
export const DOMAIN_SLOT = { go: 0, done: 1 } as const;
/** Values of the `go` slot: compute the posted job, or stop. */
export const DOMAIN_GO = { job: 1, cancel: 2 } as const;

/** What the worker gets as its workerData. */
export interface DomainWorkerData { port: MessagePort; flags: Int32Array; lowPriority: boolean }
/** What the worker is posted: the estimation context and its sets. */
export interface DomainJob { ctx: EstimationContext; sets: readonly DomainSet[] }
/** One set's outcome: its result, or its error (an AnalysisError keeps its code and details). */
export type DomainOutcome =
  | { ok: true; value: DomainSetResult }
  | { ok: false; code: AnalysisErrorCode | null; message: string; details?: Record<string, unknown> };

/** The outcome of one set, computed on the calling thread. */
export function domainOutcome(ctx: EstimationContext, s: DomainSet): DomainOutcome {
  try {
    return { ok: true, value: domainEstimatesAndMoments(ctx, s.y, s.rows, s.by, s.order) };
  } catch (err) {
    if (err instanceof AnalysisError) return { ok: false, code: err.code, message: err.message, details: err.details };
    return { ok: false, code: null, message: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
}

/**
 * Share of the sets the worker takes (the first ones): this thread meanwhile estimates everything
 * else of analyze(), about as long as 8–10 sets, then the rest (decision 033).
 */
export const WORKER_SHARE = 0.8;
/** Rows from which the second thread is started (it costs ~0.1 s of CPU to start and warm up). */
export const MIN_ROWS = 100_000;
/** How long to wait for the worker's outcomes before computing its sets here (a million rows take well under a second). */
const WAIT_MS = 10 * 60_000;

/**
 * A started worker and its runner; `close` stops the worker (call it in a finally).
 * `onThread`: how many sets the worker's outcomes answered so far.
 */
export interface DomainSetThread { runner: DomainSetRunner; close: () => void; onThread: () => number }

/**
 * Starts the worker thread and gives the runner that uses it (once: a second analyze() with the
 * same runner computes its sets on the calling thread). Null when the thread cannot be started.
 */
export function startDomainSetThread(): DomainSetThread | null {
  const data: Omit<DomainWorkerData, 'flags' | 'port'> = { lowPriority: threadPriorityLowered() };
  // A failed thread leaves its sets to this one (see workerOutcomes).
  const started = startPortWorker('domain-worker', 2, data);
  if (!started) return null;
  const { worker, flags, port: port1 } = started;
  let used = false;
  let onThread = 0;
  const close = (): void => {
    Atomics.compareExchange(flags, DOMAIN_SLOT.go, 0, DOMAIN_GO.cancel);
    Atomics.notify(flags, DOMAIN_SLOT.go);
    port1.close();
    void worker.terminate();
  };
  const runner: DomainSetRunner = (ctx, sets) => {
    if (used) return runDomainSetsHere(ctx, sets);
    used = true;
    const k = Math.min(sets.length, Math.round(sets.length * WORKER_SHARE));
    const theirs = sets.slice(0, k);
    const mine = sets.slice(k);
    let posted = false;
    if (k > 0) {
      try {
        port1.postMessage({ ctx, sets: theirs } satisfies DomainJob);
        posted = Atomics.compareExchange(flags, DOMAIN_SLOT.go, 0, DOMAIN_GO.job) === 0;
        Atomics.notify(flags, DOMAIN_SLOT.go);
      } catch { /* not posted: computed here below */ }
    }
    return () => {
      const own = mine.map((s) => domainOutcome(ctx, s));
      const fromThread = posted ? workerOutcomes(flags, port1, theirs.length) : null;
      if (fromThread) onThread += fromThread.length;
      const outcomes = fromThread ?? theirs.map((s) => domainOutcome(ctx, s));
      return [...outcomes, ...own].map((o) => {
        if (o.ok) return o.value;
        if (o.code !== null) throw new AnalysisError(o.code, o.message, o.details);
        throw new Error(`a domain set failed on the run's second thread: ${o.message}`);
      });
    };
  };
  return { runner, close, onThread: () => onThread };
}

/** The worker's outcomes once it is done (null if it is not done in time or posted none). */
function workerOutcomes(flags: Int32Array, port: MessagePort, count: number): DomainOutcome[] | null {
  const deadline = Date.now() + WAIT_MS;
  while (Atomics.load(flags, DOMAIN_SLOT.done) === 0) {
    if (Date.now() > deadline) return null;
    Atomics.wait(flags, DOMAIN_SLOT.done, 0, 1000);
  }
  const got = receiveMessageOnPort(port)?.message as DomainOutcome[] | undefined;
  return got && got.length === count ? got : null;
}
