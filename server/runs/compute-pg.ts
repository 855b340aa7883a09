// An estimate run computed from PostgreSQL (decision 027): the same computation as computeRun
// (server/runs/compute.ts) on the same input, read by server/runs/input-pg.ts — which gives the
// SQLite reader's InputRows exactly (test/server/runs/input-pg.test.ts) — on a connection of the
// store's pool of its own, since the read holds its snapshot's transaction open.
import type pg from 'pg';
import type { FrameRow, WaveRow } from '../db/schema';
import { pgSql } from '../db/store-pg';
import { computeRunFrom, RUN_STAGE_START, scoringSpecOfRows, type ComputedRun, type RunOptions, type RunProgress, type RunSource } from './compute';
import { readRunInputPg } from './input-pg';
import { overrulesOfWaveSql } from './overrules';

/** computeRun, reading the wave from PostgreSQL. Deterministic as computeRun is. */
export async function computeRunPg(pool: pg.Pool, wave: WaveRow, frame: FrameRow, options: RunOptions, progress?: RunProgress): Promise<ComputedRun> {
  return computeRunFrom(await readRunSourcePg(pool, wave.id, progress), wave, frame, options, progress);
}

/**
 * readRunSource (compute.ts) on PostgreSQL: what a run of wave `waveId` is computed from.
 * @throws DomainError bad_data 'empty_wave', 'mixed_scoring' as readRunSource
 */
export async function readRunSourcePg(pool: pg.Pool, waveId: number, progress?: RunProgress): Promise<RunSource> {
  const client = await pool.connect();
  try {
    const versions = async (ids: readonly number[]) => ids.length === 0 ? [] : (await client.query<{ id: number; scoring: string }>(
      'SELECT id, CAST(scoring AS TEXT) AS scoring FROM survey_versions WHERE id = ANY($1::int[]) ORDER BY id', [[...ids]])).rows;
    // As readRunSource: the items from any one complete response's version, all versions read checked after.
    const any = (await client.query<{ v: number }>("SELECT survey_version_id AS v FROM responses WHERE wave_id = $1 AND status = 'complete' LIMIT 1", [waveId])).rows[0];
    const { spec } = scoringSpecOfRows(waveId, await versions(any ? [any.v] : []));
    const input = await readRunInputPg(client, waveId, spec, {
      onRows: progress && ((done, total) => progress('reading', RUN_STAGE_START.reading + (RUN_STAGE_START.flags - RUN_STAGE_START.reading) * (done / total))),
    });
    const { hash: scoringHash } = scoringSpecOfRows(waveId, await versions(input.surveyVersionIds));
    const overrules = await overrulesOfWaveSql(pgSql(client), waveId);
    return { spec, scoringHash, input, overrules };
  } finally {
    client.release();
  }
}
