// Estimate runs as jobs of the console (issue 8): POST /runs records a job and answers at once; the
// run is computed off the request thread (server/runs/worker-pool.ts: createEstimateRun, the
// command line's code, in a worker thread) one at a time, and the job row records its state, so
// a researcher can leave the page and come back. The worker reports its stage and the share done
// (server/runs/compute.ts, RunProgress), written to the job row as it comes. Jobs are claimed from
// the table (claimQueuedJob), so on PostgreSQL a job queued on one server is computed once, by
// whichever server claims it first. A job left 'running' by a server that is gone is marked failed
// (`recoverJobs`), one that another live server is computing is left alone, and queued jobs are
// claimed (docs/decisions/029).
import { sql } from 'drizzle-orm';
import type { Job } from '../../../contract/admin-api';
import { jobs, type JobRow } from '../../db/schema';
import { bare, type Sql } from '../../db/sql';
import type { Store } from '../../db/store';
import { pgSql } from '../../db/store-pg';
import { JOB_COLUMNS, toJobRow } from '../../runs/rows';
import { DomainError } from '../../errors';
import { normaliseOptions, resolveFrame, resolveWave, type EstimateRequest, type StoredRun } from '../../runs/service';
import type { RunProgress } from '../../runs/compute';
import { estimateInWorker, workerDatabaseOf, type WorkerDatabase } from '../../runs/worker-pool';

export type Estimator = (q: Sql, database: WorkerDatabase, request: EstimateRequest, actor: string, onProgress?: RunProgress) => Promise<StoredRun>;

export interface JobRunner {
  /** Checks the request (404/400 now, not later), records a queued job and starts it when its turn comes. */
  startEstimate(request: EstimateRequest & { wave: { id: number }; frame: { id: number } }, actor: string, now: Date): Promise<JobRow>;
  /** Resolves when every started job has finished (tests). */
  idle(): Promise<void>;
  /**
   * Resolves once this runner has recovered the jobs table (recoverJobs, then claiming what is
   * queued): the console's job routes await it before they read, so nobody sees a job of a
   * server that is gone as running. Started by the first call, not when the app is built (an app
   * built and closed at once leaves nothing running against its closed store).
   */
  ready?(): Promise<void>;
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
 * The advisory-lock key (first half; the job's id is the second) a PostgreSQL server holds on a
 * session of its own for as long as it computes a job: the lock goes when the server does.
 */
const JOB_LOCK = 0x6b6a6f62; // 'kjob'

/**
 * Marks failed the jobs left 'running' by a server that is gone; returns how many. Queued jobs
 * are left queued (any server claims them). Which running job has lost its server (decision 029):
 * - SQLite: one server per database file (server/db/lock.ts refuses a second), and this runs
 *   before this server claims anything, so every running job is its stopped predecessor's;
 * - PostgreSQL: the server computing a job holds the session-level advisory lock (JOB_LOCK, id),
 *   taken in the claim's own transaction (claimQueuedJob): a job whose lock can be taken now has
 *   no live server. Jobs of the live servers, this one's included, are left alone.
 */
export async function recoverJobs(store: Store, now = new Date()): Promise<number> {
  return store.write(async (tx) => {
    const running = await tx.all<{ id: number }>(sql`SELECT ${jobs.id} AS "id" FROM ${jobs} WHERE ${jobs.status} = 'running' ORDER BY ${jobs.id}`);
    let failed = 0;
    for (const { id } of running) {
      if (tx.dialect === 'postgres') {
        // Held by a live server's session: not ours to fail. Taken: released at this commit.
        const free = await tx.get<{ free: boolean }>(sql`SELECT pg_try_advisory_xact_lock(CAST(${JOB_LOCK} AS INTEGER), CAST(${id} AS INTEGER)) AS "free"`);
        if (!free?.free) continue;
      }
      // status still 'running': the server may have finished it since the list was read.
      failed += (await tx.run(sql`UPDATE ${jobs} SET ${bare(jobs.status)} = 'failed', ${bare(jobs.stage)} = NULL,
        ${bare(jobs.finishedAt)} = ${now.toISOString()}, ${bare(jobs.error)} = ${JSON.stringify(INTERRUPTED)}
        WHERE ${jobs.id} = ${id} AND ${jobs.status} = 'running'`)).changes;
    }
    return failed;
  });
}

/**
 * Fails the running jobs whose server has gone since this one started, when `rows` (what a job
 * route is about to show) holds a running job: on PostgreSQL recoverJobs, which leaves every live
 * server's job alone; on SQLite nothing (one server per file: every running job is this server's).
 * Returns whether any job was failed (the caller reads its rows again).
 */
export async function recheckRunningJobs(store: Store, rows: readonly JobRow[], now = new Date()): Promise<boolean> {
  if (store.dialect !== 'postgres' || !rows.some((r) => r.status === 'running')) return false;
  return (await recoverJobs(store, now)) > 0;
}

/** A job claimed by this server; `release` once it has ended (on PostgreSQL: lets its advisory lock go). */
export interface ClaimedJob { row: JobRow; release(): Promise<void> }

const claimQuery = (lock: boolean) => sql`UPDATE ${jobs} SET ${bare(jobs.status)} = 'running', ${bare(jobs.stage)} = 'reading', ${bare(jobs.progress)} = 0
  WHERE ${jobs.id} = (SELECT ${jobs.id} FROM ${jobs} WHERE ${jobs.status} = 'queued' ORDER BY ${jobs.id}${lock ? sql` FOR UPDATE SKIP LOCKED` : sql``} LIMIT 1)
  RETURNING ${JOB_COLUMNS}`;

/**
 * Takes the oldest queued job and marks it running, in one statement, or undefined when none is
 * queued. On PostgreSQL several servers claim from one table: the row is locked with SKIP LOCKED,
 * so two servers never take the same job (and neither waits for the other's lock), and the claim
 * runs on a connection of its own that takes the job's advisory lock before it commits and keeps
 * it until `release` (recoverJobs leaves the job alone meanwhile).
 */
export async function claimQueuedJob(store: Store): Promise<ClaimedJob | undefined> {
  if (store.driver?.dialect !== 'postgres') {
    const row = await store.write(async (tx) => tx.get<Record<string, unknown>>(claimQuery(false)));
    return row && { row: toJobRow(row), release: async () => {} };
  }
  const client = await store.driver.pool.connect();
  try {
    await client.query('BEGIN');
    const row = await pgSql(client).get<Record<string, unknown>>(claimQuery(true));
    // Session-level, so it outlives this transaction; taken before the row says 'running' to anyone.
    if (row) await client.query('SELECT pg_advisory_lock($1, $2)', [JOB_LOCK, row.id]);
    await client.query('COMMIT');
    if (!row) {
      client.release();
      return undefined;
    }
    // Held while the job is computed: a connection lost meanwhile (the database restarting) must
    // not crash the server; the lock went with it, and release() then drops the connection.
    const lost = (): void => {};
    client.on('error', lost);
    let released = false;
    return {
      row: toJobRow(row),
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query('SELECT pg_advisory_unlock($1, $2)', [JOB_LOCK, row.id]);
          client.off('error', lost);
          client.release();
        } catch (err) {
          // The connection is dropped instead: its session, and the lock, end with it.
          client.release(err as Error);
        }
      },
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    // Dropped, not returned to the pool: no lock taken here may stay behind on it.
    client.release(err as Error);
    throw err;
  }
}

/**
 * The console's job runner. A job is recorded queued; this server then claims queued jobs one at
 * a time (claimQueuedJob: once across servers on PostgreSQL) and computes each with `estimate`
 * (a worker thread with its own connection to the store's database: the SQLite file `dbFile`, or
 * the PostgreSQL store's URL).
 */
export function createJobRunner(store: Store, dbFile: string | undefined, clock: () => Date, estimate: Estimator = estimateInWorker): JobRunner {
  const database = workerDatabaseOf(store, dbFile);
  let chain: Promise<void> = Promise.resolve();
  let recovered: Promise<void> | undefined;
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
  const runJob = async (row: JobRow, db: WorkerDatabase) => {
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
      const run = await estimate(store.sql, db, request, row.createdBy, onProgress);
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
  /** Computes a claimed job, then lets it go. */
  const runClaimed = async (claim: ClaimedJob, db: WorkerDatabase) => {
    try {
      await runJob(claim.row, db);
    } finally {
      // After the job's last write: its row no longer says 'running' when the lock goes.
      await claim.release();
    }
  };
  /** Claims and computes queued jobs until none is left (one at a time on this server). */
  const drain = async (db: WorkerDatabase) => {
    for (;;) {
      const claim = await claimQueuedJob(store);
      if (!claim) return;
      await runClaimed(claim, db);
    }
  };
  const queueDrain = (db: WorkerDatabase, first?: ClaimedJob) => {
    chain = chain.then(async () => {
      if (first) await runClaimed(first, db);
      await drain(db);
    }).catch((err: unknown) => console.error('estimate jobs: claiming a job failed:', err));
  };
  const ready = () => {
    recovered ??= (async () => {
      await recoverJobs(store, clock());
      if (!database) return;
      // What a stopped server left queued is computed here (or by whichever server claims it
      // first). The claim is awaited: with nothing queued, nothing is left running after this.
      const claim = await claimQueuedJob(store);
      if (claim) queueDrain(database, claim);
    })().catch((err: unknown) => {
      recovered = undefined; // tried again by the next call
      throw err;
    });
    return recovered;
  };
  return {
    async startEstimate(request, actor, now) {
      if (!database) throw new Error('estimate runs need the database file (AppDeps.dbFile) or a PostgreSQL store');
      await ready();
      // Refuse what the worker would refuse, now, with the same errors.
      normaliseOptions(request.options);
      await resolveWave(store.sql, request.wave);
      await resolveFrame(store.sql, request.frame);
      const inserted = await store.write((tx) => tx.get<Record<string, unknown>>(sql`INSERT INTO ${jobs}
        (${bare(jobs.kind)}, ${bare(jobs.status)}, ${bare(jobs.progress)}, ${bare(jobs.stage)}, ${bare(jobs.request)}, ${bare(jobs.createdBy)}, ${bare(jobs.createdAt)})
        VALUES ('estimate', 'queued', 0, 'queued', ${JSON.stringify(request)}, ${actor}, ${now.toISOString()})
        RETURNING ${JOB_COLUMNS}`));
      const row = toJobRow(inserted!);
      queueDrain(database);
      return row;
    },
    idle: async () => {
      await recovered?.catch(() => undefined);
      await chain;
    },
    ready,
  };
}
