// Published estimate runs for tests of the public API, built the way the estimate-runs feature
// stores them: analyze() (with pooling moments) over a wave's respondents, the StoredRunResult
// document written to estimate_runs, and publish / withdraw events appended to publications, through
// the store (either engine; `insertFrame` on a SQLite connection stays for the jobs test). The
// respondents are resamples of the R reference data set (test/fixtures/reference/raking-a).
import { analyze, type AnalysisResult, type AnalyzeInput } from '../../analysis/analyze';
import type { FactorColumn } from '../../analysis/columns';
import type { Margin } from '../../analysis/margins';
import type { ScoringSpec } from '../../analysis/scoring';
import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/open';
import { estimateRuns, frames, publications, waves } from '../../server/db/schema';
import { bare } from '../../server/db/sql';
import type { Store } from '../../server/db/store';
import { BREAKDOWNS, type StoredRunResult } from '../../server/runs/result';
import { OFFICIAL_SURVEY_ID } from '../../server/surveys/service';
import { findWaveByPeriod } from '../../server/waves/service';
import { loadReference } from '../analysis/reference-data';
import { rng } from './random';

export const reference = loadReference();

/** A wave's respondents: `size` rows of the reference data drawn with replacement (seeded). */
export function resampledInput(seed: number, size: number): AnalyzeInput {
  const random = rng(seed);
  const pick = Array.from({ length: size }, () => Math.floor(random() * reference.input.n));
  const columns: Record<string, FactorColumn> = {};
  for (const [name, col] of Object.entries(reference.input.columns)) {
    columns[name] = { labels: col.labels, codes: Int32Array.from(pick, (i) => col.codes[i]!) };
  }
  return {
    n: size, id: (i) => `${seed}-${i}`, columns,
    designWeights: Float64Array.from(pick, (i) => reference.input.designWeights![i]!),
  };
}

export interface FrameSpec { name: string; illustrative: boolean; margins: readonly Margin[] }

/** The stored document of a run of `input`, as the estimate-runs feature writes it. */
export function storedRunResult(
  input: AnalyzeInput, wave: { id: number; period: string }, frame: { id: number; name: string; illustrative: boolean },
  margins: readonly Margin[], spec: ScoringSpec = reference.spec,
): StoredRunResult {
  const r = analyze(input, { spec, margins, by: [...BREAKDOWNS], pooling: true });
  const { cells, perRespondent: _p, pooling, ...printed } = r;
  const analysis = JSON.parse(JSON.stringify(printed)) as AnalysisResult;
  return {
    engineVersion: 'test-engine',
    wave: { id: wave.id, surveyId: OFFICIAL_SURVEY_ID, period: wave.period },
    frame: { id: frame.id, name: frame.name, source: 'test', referenceDate: '2021-01-01', illustrative: frame.illustrative, contentHash: 'f'.repeat(64) },
    options: { minCellSize: 20, bounds: [0.3, 5], exclude: ['speeder', 'straightliner'] },
    sample: { completes: input.n + 7, used: input.n, excludedBy: { speeder: 5, straightliner: 2, incomplete: 0, burst: 0, duplicate_answers: 0, automation: 0 }, excluded: 7, overruled: 0 },
    analysis,
    marginCells: cells,
    pooling: pooling as StoredRunResult['pooling'],
  };
}

/** Inserts a frame row on a SQLite connection (once per name) and returns its id. */
export function insertFrame(db: Db, frame: FrameSpec): number {
  const margins = frame.margins.flatMap((m) => m.levels.map((l) => ({ margin: m.name, level: l.level, population: l.population })));
  return db.insert(frames).values({
    name: frame.name, source: 'test frame', referenceDate: '2021-01-01', illustrative: frame.illustrative, contentHash: 'f'.repeat(64),
    margins, createdBy: 'test', createdAt: '2026-01-01T00:00:00.000Z',
  }).returning({ id: frames.id }).get().id;
}

/** Inserts a frame row through the store (on either engine) and returns its id. */
export async function storeFrame(store: Store, frame: FrameSpec): Promise<number> {
  const margins = frame.margins.flatMap((m) => m.levels.map((l) => ({ margin: m.name, level: l.level, population: l.population })));
  return store.write(async (tx) => (await tx.get<{ id: number }>(sql`INSERT INTO ${frames}
    (${bare(frames.name)}, ${bare(frames.source)}, ${bare(frames.referenceDate)}, ${bare(frames.illustrative)}, ${bare(frames.contentHash)},
     ${bare(frames.margins)}, ${bare(frames.createdBy)}, ${bare(frames.createdAt)})
    VALUES (${frame.name}, ${'test frame'}, ${'2021-01-01'}, ${frame.illustrative ? 1 : 0}, ${'f'.repeat(64)},
     ${JSON.stringify(margins)}, ${'test'}, ${'2026-01-01T00:00:00.000Z'})
    RETURNING ${frames.id} AS "id"`))!.id);
}

/** The wave of `period` (created closed when missing). */
export async function waveFor(store: Store, period: string): Promise<number> {
  const existing = await findWaveByPeriod(store.sql, OFFICIAL_SURVEY_ID, period);
  if (existing) return existing.id;
  return store.write(async (tx) => (await tx.get<{ id: number }>(sql`INSERT INTO ${waves}
    (${bare(waves.surveyId)}, ${bare(waves.titleKk)}, ${bare(waves.titleRu)}, ${bare(waves.titleEn)}, ${bare(waves.openSlug)},
     ${bare(waves.status)}, ${bare(waves.openedAt)}, ${bare(waves.closedAt)}, ${bare(waves.period)})
    VALUES (${OFFICIAL_SURVEY_ID}, ${period}, ${period}, ${period}, ${`slug-${period}`},
     ${'closed'}, ${'2026-01-01T00:00:00.000Z'}, ${'2026-01-02T00:00:00.000Z'}, ${period})
    RETURNING ${waves.id} AS "id"`))!.id);
}

/** Stores a computed run of `input` for `period` (not published) and returns its id and document. */
export async function insertRun(store: Store, period: string, input: AnalyzeInput, frame: { id: number; name: string; illustrative: boolean }, margins: readonly Margin[] = reference.margins): Promise<{ runId: number; result: StoredRunResult }> {
  const waveId = await waveFor(store, period);
  const result = storedRunResult(input, { id: waveId, period }, frame, margins);
  const runId = await store.write(async (tx) => (await tx.get<{ id: number }>(sql`INSERT INTO ${estimateRuns}
    (${bare(estimateRuns.waveId)}, ${bare(estimateRuns.frameId)}, ${bare(estimateRuns.frameHash)}, ${bare(estimateRuns.surveyVersionIds)}, ${bare(estimateRuns.scoringHash)},
     ${bare(estimateRuns.options)}, ${bare(estimateRuns.engineVersion)}, ${bare(estimateRuns.inputHash)}, ${bare(estimateRuns.result)}, ${bare(estimateRuns.createdBy)}, ${bare(estimateRuns.createdAt)})
    VALUES (${waveId}, ${frame.id}, ${'f'.repeat(64)}, ${JSON.stringify([1])}, ${'s'.repeat(64)},
     ${JSON.stringify(result.options)}, ${result.engineVersion}, ${`input-${period}-${input.n}`}, ${JSON.stringify(result)}, ${'test'}, ${'2026-02-01T00:00:00.000Z'})
    RETURNING ${estimateRuns.id} AS "id"`))!.id);
  return { runId, result };
}

let clock = Date.parse('2026-03-01T00:00:00.000Z');

/** Appends a publish (or withdraw) event for `runId`. */
export async function publish(store: Store, runId: number, period: string, action: 'publish' | 'withdraw' = 'publish'): Promise<void> {
  clock += 60_000;
  const at = new Date(clock).toISOString();
  await store.write((tx) => tx.run(sql`INSERT INTO ${publications}
    (${bare(publications.runId)}, ${bare(publications.period)}, ${bare(publications.action)}, ${bare(publications.reason)}, ${bare(publications.actor)}, ${bare(publications.at)})
    VALUES (${runId}, ${period}, ${action}, ${action === 'withdraw' ? 'test withdraw' : null}, ${'test'}, ${at})`));
}
