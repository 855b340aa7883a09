// Estimate runs: compute (server/runs/compute.ts), store once (the table refuses UPDATE and
// DELETE), show, and verify by recomputing from the database. `createEstimateRun` is the one code
// path of both the command line and the server's worker thread (server/runs/worker-pool.ts).
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open';
import { estimateRuns, type EstimateRunRow, type FrameRow, type WaveRow } from '../db/schema';
import { bare, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { findFrame, findFrameByName, listFrames } from '../frames/service';
import { allWaves, appendAuditTx, RUN_COLUMNS, toRun, waveById, waveByPeriod } from './rows';
import { computeRunFrom, DEFAULT_RUN_OPTIONS, readRunSource, RUN_STAGE_START, type ComputedRun, type RunOptions, type RunProgress, type RunSource } from './compute';
import { DomainError } from '../errors';
import { flaggedIds, writeRunFlags } from './run-flags';
import { QUALITY_FLAGS, type QualityFlag, type StoredRunResult } from './result';

export { DEFAULT_RUN_OPTIONS, type RunOptions } from './compute';

/** What to estimate: a wave (by id or period) and a frame (by name or id), with options. */
export interface EstimateRequest {
  wave: { id: number } | { period: string };
  frame: { name: string } | { id: number };
  options?: Partial<RunOptions>;
  /**
   * Threads that read a large wave (input.ts `readThreads`): the command line asks for 2 (a
   * researcher's shell has the machine to itself), the server's estimate worker for the default 1
   * (the second core stays with the respondents). KELISIM_RUN_READ_THREADS overrides either.
   */
  readThreads?: 1 | 2;
}

const PERIOD = /^\d{4}-Q[1-4]$/;

/** Resolves the request's wave, or a DomainError naming the id or period. */
export async function resolveWave(q: Sql, ref: EstimateRequest['wave']): Promise<WaveRow> {
  if ('id' in ref) {
    const w = await waveById(q, ref.id);
    if (!w) {
      const known = (await allWaves(q)).map((x) => `${x.id}${x.period ? ` (${x.period})` : ''}`).join(', ') || 'none';
      throw new DomainError('not_found', 'wave_not_found', `--wave ${ref.id}: no such wave; existing waves: ${known}`);
    }
    return w;
  }
  if (!PERIOD.test(ref.period)) throw new DomainError('bad_usage', 'invalid_option', `--period "${ref.period}" must look like 2026-Q3`);
  const w = await waveByPeriod(q, ref.period);
  if (!w) {
    const known = (await allWaves(q)).filter((x) => x.period).map((x) => x.period).join(', ') || 'none';
    throw new DomainError('not_found', 'wave_not_found', `--period ${ref.period}: no wave has this period; periods with a wave: ${known}`);
  }
  return w;
}

export async function resolveFrame(q: Sql, ref: EstimateRequest['frame']): Promise<FrameRow> {
  const f = 'name' in ref ? await findFrameByName(q, ref.name) : await findFrame(q, ref.id);
  if (!f) {
    const known = (await listFrames(q)).map((x) => x.name).join(', ') || 'none';
    throw new DomainError('not_found', 'frame_not_found', `--frame ${'name' in ref ? ref.name : ref.id}: no such frame; stored frames: ${known}`);
  }
  return f;
}

/** Fills and checks the options (defaults of METHODOLOGY). */
export function normaliseOptions(o: Partial<RunOptions> = {}): RunOptions {
  const out: RunOptions = {
    minCellSize: o.minCellSize ?? DEFAULT_RUN_OPTIONS.minCellSize,
    bounds: o.bounds === undefined ? DEFAULT_RUN_OPTIONS.bounds : o.bounds,
    exclude: o.exclude ?? [...DEFAULT_RUN_OPTIONS.exclude],
  };
  if (!Number.isInteger(out.minCellSize) || out.minCellSize < 1) throw new DomainError('bad_usage', 'invalid_option', `--min-cell-size must be a whole number of 1 or more, got ${out.minCellSize}`);
  if (out.bounds && !(out.bounds[0] > 0 && out.bounds[1] > out.bounds[0] && Number.isFinite(out.bounds[1]))) {
    throw new DomainError('bad_usage', 'invalid_option', `--bounds must be LO,HI with 0 < LO < HI, got ${out.bounds.join(',')}`);
  }
  for (const f of out.exclude) {
    if (!(QUALITY_FLAGS as readonly string[]).includes(f)) throw new DomainError('bad_usage', 'invalid_option', `--exclude: unknown flag "${f}"; use ${QUALITY_FLAGS.join(', ')} or none`);
  }
  // A fixed order, so equal options are recorded equally.
  out.exclude = QUALITY_FLAGS.filter((f) => out.exclude.includes(f)) as QualityFlag[];
  return out;
}

/** A stored run with its result typed. */
export interface StoredRun {
  row: EstimateRunRow;
  result: StoredRunResult;
}

async function insertRun(store: Store, wave: WaveRow, frame: FrameRow, options: RunOptions, computed: ComputedRun, actor: string, now: Date): Promise<EstimateRunRow> {
  // Everything but the inserts is made before the write transaction, which every other writer
  // waits for (respondents' completions among them): the run's ~60 ms of flagged ids and JSON.
  const flagged = flaggedIds(computed);
  const text = { versions: JSON.stringify(computed.surveyVersionIds), options: JSON.stringify({ ...options }), blocks: JSON.stringify(computed.inputBlocks), result: JSON.stringify(computed.result) };
  return store.write(async (tx) => {
    const inserted = await tx.get<Record<string, unknown>>(sql`INSERT INTO ${estimateRuns}
      (${bare(estimateRuns.waveId)}, ${bare(estimateRuns.frameId)}, ${bare(estimateRuns.frameHash)}, ${bare(estimateRuns.surveyVersionIds)},
       ${bare(estimateRuns.scoringHash)}, ${bare(estimateRuns.options)}, ${bare(estimateRuns.engineVersion)}, ${bare(estimateRuns.inputHash)},
       ${bare(estimateRuns.inputBlocks)}, ${bare(estimateRuns.result)}, ${bare(estimateRuns.createdBy)}, ${bare(estimateRuns.createdAt)})
      VALUES (${wave.id}, ${frame.id}, ${frame.contentHash}, ${text.versions},
       ${computed.scoringHash}, ${text.options}, ${computed.engineVersion}, ${computed.inputHash},
       ${text.blocks}, ${text.result}, ${actor}, ${now.toISOString()})
      RETURNING ${RUN_COLUMNS}`);
    const row = toRun(inserted!);
    await writeRunFlags(tx, row.id, wave.id, flagged);
    await appendAuditTx(tx, {
      actor, action: 'run.create', subjectType: 'estimate_run', subjectId: row.id,
      after: { wave: wave.id, period: wave.period, frame: frame.name, frameHash: frame.contentHash, options, inputHash: computed.inputHash, completes: computed.result.sample.completes, used: computed.result.sample.used },
    }, now);
    return row;
  });
}

/**
 * Computes and stores one run; returns the stored row and its result (whose `runId` is row.id).
 * The rows are read on `db`, the SQLite connection (server/runs/compute.ts), synchronously on the
 * calling thread, or on PostgreSQL from the store's pool (compute-pg.ts): the server calls it through a worker thread
 * (`estimateInWorker`), the command line directly — the same code either way. Wave, frame and the
 * stored run go through `store`.
 * @throws DomainError (not_found for an unknown wave or frame, bad_usage for bad options, bad_data from the computation)
 */
export async function createEstimateRun(store: Store, db: Db | undefined, request: EstimateRequest, actor: string, now = new Date(), progress?: RunProgress): Promise<StoredRun> {
  const options = normaliseOptions(request.options);
  const wave = await resolveWave(store.sql, request.wave);
  const frame = await resolveFrame(store.sql, request.frame);
  const computed = await computeOn(store, db, wave, frame, options, progress, request.readThreads);
  progress?.('storing', RUN_STAGE_START.storing);
  const row = await insertRun(store, wave, frame, options, computed, actor, now);
  return { row, result: computed.result };
}

/** The run computed from the store's engine (readSource). */
async function computeOn(store: Store, db: Db | undefined, wave: WaveRow, frame: FrameRow, options: RunOptions, progress?: RunProgress, readThreads?: 1 | 2): Promise<ComputedRun> {
  return computeRunFrom(await readSource(store, db, wave.id, progress, readThreads), wave, frame, options, progress);
}

/**
 * What a run of wave `waveId` is computed from, read from the store's engine: SQLite through `db`
 * (its connection, compute.ts), PostgreSQL through the store's pool (compute-pg.ts).
 * @throws DomainError bad_data 'empty_wave', 'mixed_scoring'
 */
async function readSource(store: Store, db: Db | undefined, waveId: number, progress?: RunProgress, readThreads?: 1 | 2): Promise<RunSource> {
  if (store.driver?.dialect === 'postgres') {
    const { readRunSourcePg } = await import('./compute-pg');
    return readRunSourcePg(store.driver.pool, waveId, progress);
  }
  if (!db) throw new Error('an estimate run on SQLite needs the store\'s SQLite connection (db)');
  return readRunSource(db, waveId, progress, readThreads);
}

export async function getRun(q: Sql, id: number): Promise<StoredRun | undefined> {
  const r = await q.get<Record<string, unknown>>(sql`SELECT ${RUN_COLUMNS} FROM ${estimateRuns} WHERE ${estimateRuns.id} = ${id}`);
  if (!r) return undefined;
  const row = toRun(r);
  return { row, result: row.result as unknown as StoredRunResult };
}

export async function requireRun(q: Sql, id: number): Promise<StoredRun> {
  const run = await getRun(q, id);
  if (!run) throw new DomainError('not_found', 'run_not_found', `--run ${id}: no such estimate run`);
  return run;
}

/** The document `kelisim run show` and `estimate` print: the run's inputs and its result. */
export function runDocument(run: StoredRun): Record<string, unknown> {
  const { row } = run;
  return {
    runId: row.id,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    inputs: {
      waveId: row.waveId, frameId: row.frameId, frameHash: row.frameHash, surveyVersionIds: row.surveyVersionIds,
      scoringHash: row.scoringHash, options: row.options, engineVersion: row.engineVersion, inputHash: row.inputHash,
    },
    ...run.result,
  };
}

/** One difference found by {@link verifyRun}. */
export interface RunDifference {
  /** e.g. 'inputHash', 'input rows', 'analysis.indicators.consensus.mean'. */
  what: string;
  stored: unknown;
  now: unknown;
}

function diffValues(pathName: string, a: unknown, b: unknown, out: RunDifference[], limit = 200): void {
  if (out.length >= limit) return;
  if (Object.is(a, b)) return;
  if (typeof a === 'number' && typeof b === 'number') { out.push({ what: pathName, stored: a, now: b }); return; }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) { out.push({ what: `${pathName}.length`, stored: a.length, now: b.length }); return; }
    a.forEach((x, i) => diffValues(`${pathName}[${i}]`, x, b[i], out, limit));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diffValues(pathName ? `${pathName}.${k}` : k, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], out, limit);
    return;
  }
  out.push({ what: pathName, stored: a, now: b });
}

export interface Verification {
  runId: number;
  identical: boolean;
  differences: RunDifference[];
}

/**
 * Recomputes run `id` from the database (same wave, the frame it used, its options) and compares
 * everything (compareRun). Read-only: the stored run through the store, the rows read from its
 * engine as createEstimateRun reads them (`db`: the SQLite connection under the store; absent on
 * PostgreSQL); `readThreads` as in {@link EstimateRequest}.
 */
export async function verifyRun(store: Store, db: Db | undefined, id: number, readThreads?: 1 | 2): Promise<Verification> {
  const q = store.sql;
  const run = await requireRun(q, id);
  const wave = (await waveById(q, run.row.waveId))!;
  const frame = (await findFrame(q, run.row.frameId))!;
  let source: RunSource | DomainError;
  try {
    source = await readSource(store, db, wave.id, undefined, readThreads);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    source = err;
  }
  return compareRun(run, wave, frame, source);
}

/**
 * The comparison of `run verify`, on the rows read from either engine (no database): the frame's
 * content hash, the input rows (by block: the ids of each changed block are named), then the
 * recomputation from `source` — the scoring spec hash, the survey versions, the engine version and
 * every number of the result. `source` is the DomainError its read threw (an emptied wave, mixed
 * scoring): the recomputation is then reported as failing with it.
 */
export function compareRun(run: StoredRun, wave: WaveRow, frame: FrameRow, source: RunSource | DomainError): Verification {
  const { row } = run;
  const id = row.id;
  const differences: RunDifference[] = [];
  if (frame.contentHash !== row.frameHash) differences.push({ what: 'frame content hash', stored: row.frameHash, now: frame.contentHash });
  // The input rows first, on their own: a changed row is named even when the recomputation fails.
  const input = source instanceof DomainError ? null : source.input;
  if (input && input.inputHash !== row.inputHash) {
    differences.push({ what: 'input hash', stored: row.inputHash, now: input.inputHash });
    const stored = row.inputBlocks;
    if (stored && stored.size === input.blocks.size && stored.hashes.length === input.blocks.hashes.length) {
      const ids = input.ids;
      stored.hashes.forEach((h, b) => {
        if (h === input.blocks.hashes[b]) return;
        const from = ids.at(b * stored.size);
        const to = ids.at(Math.min(ids.length, (b + 1) * stored.size) - 1);
        differences.push({ what: 'input rows', stored: `block ${b + 1} of ${stored.hashes.length}`, now: `at least one of the complete responses from "${from}" to "${to}" (id order) changed` });
      });
    } else {
      differences.push({ what: 'input rows', stored: `${run.result.sample.completes} complete responses`, now: `${input.n} complete responses` });
    }
  }
  let computed: ComputedRun;
  try {
    if (source instanceof DomainError) throw source;
    computed = computeRunFrom(source, wave, frame, normaliseOptions(row.options as Partial<RunOptions>));
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    differences.push({ what: 'recomputation', stored: 'succeeded', now: `fails: ${err.message}` });
    return { runId: id, identical: false, differences };
  }
  if (computed.scoringHash !== row.scoringHash) differences.push({ what: 'scoring spec hash', stored: row.scoringHash, now: computed.scoringHash });
  if (JSON.stringify(computed.surveyVersionIds) !== JSON.stringify(row.surveyVersionIds)) differences.push({ what: 'survey versions', stored: row.surveyVersionIds, now: computed.surveyVersionIds });
  if (computed.engineVersion !== row.engineVersion) differences.push({ what: 'engine version', stored: row.engineVersion, now: computed.engineVersion });
  const { engineVersion: _a, ...storedRest } = run.result;
  const { engineVersion: _b, ...nowRest } = computed.result;
  diffValues('', storedRest, nowRest, differences);
  return { runId: id, identical: differences.length === 0, differences };
}

/**
 * The stored run `id` read synchronously on a SQLite connection, for the export worker, which
 * checks a run inside its own read transaction (server/exports/run-columns.ts); everything else
 * reads through the store (getRun).
 */
export function requireRunOnDb(db: Db, id: number): StoredRun {
  const row = db.select().from(estimateRuns).where(eq(estimateRuns.id, id)).get();
  if (!row) throw new DomainError('not_found', 'run_not_found', `--run ${id}: no such estimate run`);
  return { row, result: row.result as unknown as StoredRunResult };
}
