// Worker-thread entry that computes most of an estimate run's domain sets (domain-sets.ts): warms
// its code up on a small made-up wave, waits to be posted a job (or told to stop), computes each
// set as analyze() would on the calling thread, posts the outcomes and says so.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { estimationContext } from '../../analysis/estimates';
import { factorCalibration } from '../../analysis/calibration';
import { domainEstimatesAndMoments } from '../../analysis/pooling';
import { buildDesign } from '../../analysis/raking';
import { DOMAIN_GO, DOMAIN_SLOT, domainOutcome, type DomainJob, type DomainOutcome, type DomainWorkerData } from './domain-sets';
import { lowerThisThreadPriority } from './thread-priority';

/**
 * The domain sets' code run a few times on 40,000 made-up rows (one margin of four cells, 20
 * levels), so that it is compiled and optimised before the real sets arrive: a cold thread took
 * ~1.5× as long per set as the calling thread.
 */
function warmUp(): void {
  const n = 40_000;
  const cell = Int32Array.from({ length: n }, (_, i) => i % 4);
  const levels = ['a', 'b', 'c', 'd'];
  const margin = { name: 'warm', variables: ['warm'], levels: levels.map((level) => ({ level, population: 1000 })), members: levels.map((l) => [l]), cell, counts: new Int32Array(4).fill(n / 4) };
  const d = new Float64Array(n).fill(1);
  const ctx = estimationContext(factorCalibration(buildDesign([margin], d)), d);
  const y = Float64Array.from({ length: n }, (_, i) => (i * 37) % 101);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const by = { codes: Int32Array.from({ length: n }, (_, i) => i % 20), labels: Array.from({ length: 20 }, (_, k) => `l${k}`) };
  for (let k = 0; k < 8; k++) domainEstimatesAndMoments(ctx, y, rows, by, []);
}

const { port, flags, lowPriority } = workerData as DomainWorkerData;
if (lowPriority) lowerThisThreadPriority();
let outcomes: DomainOutcome[] | null = null;
try {
  try { warmUp(); } catch { /* only a warm-up: the real sets are computed either way */ }
  Atomics.wait(flags, DOMAIN_SLOT.go, 0);
  if (Atomics.load(flags, DOMAIN_SLOT.go) === DOMAIN_GO.job) {
    const job = receiveMessageOnPort(port)?.message as DomainJob | undefined;
    if (job) outcomes = job.sets.map((s) => domainOutcome(job.ctx, s));
  }
} finally {
  if (outcomes) {
    try { port.postMessage(outcomes); } catch { /* the calling thread computes the sets itself */ }
  }
  Atomics.store(flags, DOMAIN_SLOT.done, 1);
  Atomics.notify(flags, DOMAIN_SLOT.done);
  port.close();
}
