// Estimate runs as jobs of the console (issue 8): POST /runs records a job and answers at once; the
// run is computed off the request thread (server/runs/worker-pool.ts: createEstimateRun, the
// command line's code, in a worker thread) one at a time, and the job row records its state, so
// a researcher can leave the page and come back. The worker reports its stage and the share done
// (server/runs/compute.ts, RunProgress), written to the job row as it comes. One server process: a job left 'running' or
// 'queued' by a stopped server is marked failed at the next start (`recoverJobs`).
import { desc, eq, inArray } from 'drizzle-orm';
import type { Job } from '../../../contract/admin-api';
import type { Db } from '../../db/open';
import { jobs, type JobRow } from '../../db/schema';
import { DomainError } from '../../errors';
import { normaliseOptions, resolveFrame, resolveWave, type EstimateRequest, type StoredRun } from '../../runs/service';
import type { RunProgress } from '../../runs/compute';
import { estimateInWorker } from '../../runs/worker-pool';

export type Estimator = (db: Db, dbFile: string, request: EstimateRequest, actor: string, onProgress?: RunProgress) => Promise<StoredRun>;

export interface JobRunner {
  /** Checks the request (404/400 now, not later), records a queued job and starts it when its turn comes. */
  startEstimate(request: EstimateRequest & { wave: { id: number }; frame: { id: number } }, actor: string, now: Date): JobRow;
  /** Resolves when every started job has finished (tests). */
  idle(): Promise<void>;
}

export function toJob(row: JobRow): Job {
  const req = row.request as { wave: { id: number }; frame: { id: number } };
  return {
    id: row.id, kind: row.kind, status: row.status, progress: row.progress, stage: row.stage,
    waveId: req.wave.id, frameId: req.frame.id, runId: row.runId, error: row.error ?? null,
    createdBy: row.createdBy, createdAt: row.createdAt, finishedAt: row.finishedAt,
  };
}

export function listJobs(db: Db, limit = 50): JobRow[] {
  return db.select().from(jobs).orderBy(desc(jobs.id)).limit(limit).all();
}

export function requireJob(db: Db, id: number): JobRow {
  const row = db.select().from(jobs).where(eq(jobs.id, id)).get();
  if (!row) throw new DomainError('not_found', 'job_not_found', `There is no job ${id}.`);
  return row;
}

/** Marks jobs a stopped server left unfinished as failed (call once at start). */
export function recoverJobs(db: Db, now = new Date()): number {
  return db.update(jobs).set({ status: 'failed', stage: null, finishedAt: now.toISOString(), error: { code: 'interrupted', message: 'The server stopped while this run was being computed; start it again.' } })
    .where(inArray(jobs.status, ['queued', 'running'])).run().changes;
}

export function createJobRunner(db: Db, dbFile: string | undefined, clock: () => Date, estimate: Estimator = estimateInWorker): JobRunner {
  let chain: Promise<void> = Promise.resolve();
  const set = (id: number, values: Partial<JobRow>) => db.update(jobs).set(values).where(eq(jobs.id, id)).run();
  return {
    startEstimate(request, actor, now) {
      if (!dbFile) throw new Error('estimate runs need the database file (AppDeps.dbFile)');
      // Refuse what the worker would refuse, now, with the same errors.
      normaliseOptions(request.options);
      resolveWave(db, request.wave);
      resolveFrame(db, request.frame);
      const row = db.insert(jobs).values({ kind: 'estimate', status: 'queued', progress: 0, stage: 'queued', request: request as unknown as Record<string, unknown>, createdBy: actor, createdAt: now.toISOString() }).returning().get();
      chain = chain.then(async () => {
        set(row.id, { status: 'running', stage: 'reading', progress: 0 });
        // The worker's progress into the job row (a page that comes back reads it there); never backwards.
        let shown = 0;
        const onProgress: RunProgress = (stage, fraction) => {
          if (fraction < shown) return;
          shown = fraction;
          set(row.id, { stage, progress: Math.min(1, fraction) });
        };
        try {
          const run = await estimate(db, dbFile, request, actor, onProgress);
          set(row.id, { status: 'done', stage: null, progress: 1, runId: run.row.id, finishedAt: clock().toISOString() });
        } catch (err) {
          const error = err instanceof DomainError
            ? { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) }
            : { code: 'internal_error', message: 'The computation failed on the server; it has been logged.' };
          if (!(err instanceof DomainError)) console.error(`estimate job ${row.id} failed:`, err);
          set(row.id, { status: 'failed', stage: null, finishedAt: clock().toISOString(), error });
        }
      });
      return row;
    },
    idle: () => chain,
  };
}
