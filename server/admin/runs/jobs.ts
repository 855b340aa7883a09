// Estimate runs as jobs of the console (issue 8): POST /runs records a job and answers at once; the
// run is computed off the request thread (server/runs/worker-pool.ts: createEstimateRun, the
// command line's code, in a worker thread) one at a time, and the job row records its state, so
// a researcher can leave the page and come back. The worker reports its stage and the share done
// (server/runs/compute.ts, RunProgress), written to the job row as it comes. Jobs are claimed from
// the table (claimQueuedJob), so on PostgreSQL a job queued on one server is computed once, by
// whichever server claims it first. A job left 'running' or 'queued' by a stopped server is marked
// failed at the next start (`recoverJobs`).
import { sql } from 'drizzle-orm';
import type { Job } from '../../../contract/admin-api';
import { jobs, type JobRow } from '../../db/schema';
import { bare, type Sql } from '../../db/sql';
import type { Store } from '../../db/store';
import { JOB_COLUMNS, toJobRow } from '../../runs/rows';
import { DomainError } from '../../errors';
import { normaliseOptions, resolveFrame, resolveWave, type EstimateRequest, type StoredRun } from '../../runs/service';
import type { RunProgress } from '../../runs/compute';
import { estimateInWorker } from '../../runs/worker-pool';

export type Estimator = (q: Sql, dbFile: string, request: EstimateRequest, actor: string, onProgress?: RunProgress) => Promise<StoredRun>;

export interface JobRunner {
  /** Checks the request (404/400 now, not later), records a queued job and starts it when its turn comes. */
  startEstimate(request: EstimateRequest & { wave: { id: number }; frame: { id: number } }, actor: string, now: Date): Promise<JobRow>;
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

export async function listJobs(q: Sql, limit = 50): Promise<JobRow[]> {
  return (await q.all<Record<string, unknown>>(sql`SELECT ${JOB_COLUMNS} FROM ${jobs} ORDER BY ${jobs.id} DESC LIMIT ${limit}`)).map(toJobRow);
}

export async function requireJob(q: Sql, id: number): Promise<JobRow> {
  const row = await q.get<Record<string, unknown>>(sql`SELECT ${JOB_COLUMNS} FROM ${jobs} WHERE ${jobs.id} = ${id}`);
  if (!row) throw new DomainError('not_found', 'job_not_found', `There is no job ${id}.`);
  return toJobRow(row);
}

const INTERRUPTED = { code: 'interrupted', message: 'The server stopped while this run was being computed; start it again.' };

/**
 * Marks jobs a stopped server left unfinished as failed (call once at start). On PostgreSQL with
 * several servers this also fails the jobs another running server holds: start servers one at a
 * time, or not while a run is being computed.
 */
export async function recoverJobs(store: Store, now = new Date()): Promise<number> {
  return store.write(async (tx) => (await tx.run(sql`UPDATE ${jobs} SET ${bare(jobs.status)} = 'failed', ${bare(jobs.stage)} = NULL,
    ${bare(jobs.finishedAt)} = ${now.toISOString()}, ${bare(jobs.error)} = ${JSON.stringify(INTERRUPTED)}
    WHERE ${jobs.status} IN ('queued', 'running')`)).changes);
}

/**
 * Takes the oldest queued job and marks it running, in one statement, or undefined when none is
 * queued. On PostgreSQL several servers claim from one table: the row is locked with SKIP LOCKED,
 * so two servers never take the same job (and neither waits for the other's lock).
 */
export async function claimQueuedJob(store: Store): Promise<JobRow | undefined> {
  return store.write(async (tx) => {
    const lock = tx.dialect === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
    const row = await tx.get<Record<string, unknown>>(sql`UPDATE ${jobs} SET ${bare(jobs.status)} = 'running', ${bare(jobs.stage)} = 'reading', ${bare(jobs.progress)} = 0
      WHERE ${jobs.id} = (SELECT ${jobs.id} FROM ${jobs} WHERE ${jobs.status} = 'queued' ORDER BY ${jobs.id}${lock} LIMIT 1)
      RETURNING ${JOB_COLUMNS}`);
    return row && toJobRow(row);
  });
}

/**
 * The console's job runner. A job is recorded queued; this server then claims queued jobs one at
 * a time (claimQueuedJob: once across servers on PostgreSQL) and computes each with `estimate`
 * (a worker thread reading the database file).
 */
export function createJobRunner(store: Store, dbFile: string | undefined, clock: () => Date, estimate: Estimator = estimateInWorker): JobRunner {
  let chain: Promise<void> = Promise.resolve();
  const set = (id: number, values: { status?: JobRow['status']; stage?: string | null; progress?: number; runId?: number; finishedAt?: string; error?: JobRow['error'] }) => {
    const parts = [
      values.status === undefined ? undefined : sql`${bare(jobs.status)} = ${values.status}`,
      values.stage === undefined ? undefined : sql`${bare(jobs.stage)} = ${values.stage}`,
      values.progress === undefined ? undefined : sql`${bare(jobs.progress)} = ${values.progress}`,
      values.runId === undefined ? undefined : sql`${bare(jobs.runId)} = ${values.runId}`,
      values.finishedAt === undefined ? undefined : sql`${bare(jobs.finishedAt)} = ${values.finishedAt}`,
      values.error === undefined ? undefined : sql`${bare(jobs.error)} = ${values.error === null ? null : JSON.stringify(values.error)}`,
    ].filter((p) => p !== undefined);
    return store.write((tx) => tx.run(sql`UPDATE ${jobs} SET ${sql.join(parts, sql`, `)} WHERE ${jobs.id} = ${id}`));
  };
  const runJob = async (row: JobRow, file: string) => {
    const request = row.request as unknown as EstimateRequest;
    // The worker's progress into the job row (a page that comes back reads it there); never backwards.
    let shown = 0;
    let progressWrites: Promise<unknown> = Promise.resolve();
    const onProgress: RunProgress = (stage, fraction) => {
      if (fraction < shown) return;
      shown = fraction;
      progressWrites = progressWrites.then(() => set(row.id, { stage, progress: Math.min(1, fraction) })).catch(() => undefined);
    };
    try {
      const run = await estimate(store.sql, file, request, row.createdBy, onProgress);
      await progressWrites;
      await set(row.id, { status: 'done', stage: null, progress: 1, runId: run.row.id, finishedAt: clock().toISOString() });
    } catch (err) {
      await progressWrites;
      const error = err instanceof DomainError
        ? { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) }
        : { code: 'internal_error', message: 'The computation failed on the server; it has been logged.' };
      if (!(err instanceof DomainError)) console.error(`estimate job ${row.id} failed:`, err);
      await set(row.id, { status: 'failed', stage: null, finishedAt: clock().toISOString(), error });
    }
  };
  /** Claims and computes queued jobs until none is left (one at a time on this server). */
  const drain = async (file: string) => {
    for (;;) {
      const row = await claimQueuedJob(store);
      if (!row) return;
      await runJob(row, file);
    }
  };
  return {
    async startEstimate(request, actor, now) {
      if (!dbFile && store.dialect === 'postgres') {
        throw new DomainError('conflict', 'compute_unavailable', 'Estimate runs are computed from a SQLite database file in this version (decision 027, step 2); on PostgreSQL the stored runs can be reviewed, published and withdrawn here, but not computed.');
      }
      if (!dbFile) throw new Error('estimate runs need the database file (AppDeps.dbFile)');
      // Refuse what the worker would refuse, now, with the same errors.
      normaliseOptions(request.options);
      await resolveWave(store.sql, request.wave);
      await resolveFrame(store.sql, request.frame);
      const inserted = await store.write((tx) => tx.get<Record<string, unknown>>(sql`INSERT INTO ${jobs}
        (${bare(jobs.kind)}, ${bare(jobs.status)}, ${bare(jobs.progress)}, ${bare(jobs.stage)}, ${bare(jobs.request)}, ${bare(jobs.createdBy)}, ${bare(jobs.createdAt)})
        VALUES ('estimate', 'queued', 0, 'queued', ${JSON.stringify(request)}, ${actor}, ${now.toISOString()})
        RETURNING ${JOB_COLUMNS}`));
      const row = toJobRow(inserted!);
      chain = chain.then(() => drain(dbFile)).catch((err: unknown) => console.error('estimate jobs: claiming a job failed:', err));
      return row;
    },
    idle: () => chain,
  };
}
