// Published estimate runs for tests of the public API, built the way the estimate-runs feature
// stores them: analyze() (with pooling moments) over a wave's respondents, the StoredRunResult
// document written to estimate_runs, and publish / withdraw events appended to publications. The
// respondents are resamples of the R reference data set (test/fixtures/reference/raking-a).
import { analyze, type AnalysisResult, type AnalyzeInput } from '../../analysis/analyze';
import type { FactorColumn } from '../../analysis/columns';
import type { Margin } from '../../analysis/margins';
import type { ScoringSpec } from '../../analysis/scoring';
import type { Db } from '../../server/db/open';
import { estimateRuns, frames, publications, waves } from '../../server/db/schema';
import { BREAKDOWNS, type StoredRunResult } from '../../server/runs/result';
import { OFFICIAL_SURVEY_ID } from '../../server/surveys/service';
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

/** Inserts a frame row (once per name) and returns its id. */
export function insertFrame(db: Db, frame: FrameSpec): number {
  const margins = frame.margins.flatMap((m) => m.levels.map((l) => ({ margin: m.name, level: l.level, population: l.population })));
  return db.insert(frames).values({
    name: frame.name, source: 'test frame', referenceDate: '2021-01-01', illustrative: frame.illustrative, contentHash: 'f'.repeat(64),
    margins, createdBy: 'test', createdAt: '2026-01-01T00:00:00.000Z',
  }).returning({ id: frames.id }).get().id;
}

/** The wave of `period` (created closed when missing). */
export function waveFor(db: Db, period: string): number {
  const existing = db.select({ id: waves.id, period: waves.period }).from(waves).all().find((w) => w.period === period);
  if (existing) return existing.id;
  return db.insert(waves).values({
    surveyId: OFFICIAL_SURVEY_ID, titleKk: period, titleRu: period, titleEn: period, openSlug: `slug-${period}`,
    status: 'closed', openedAt: '2026-01-01T00:00:00.000Z', closedAt: '2026-01-02T00:00:00.000Z', period,
  }).returning({ id: waves.id }).get().id;
}

/** Stores a computed run of `input` for `period` (not published) and returns its id and document. */
export function insertRun(db: Db, period: string, input: AnalyzeInput, frame: { id: number; name: string; illustrative: boolean }, margins: readonly Margin[] = reference.margins): { runId: number; result: StoredRunResult } {
  const waveId = waveFor(db, period);
  const result = storedRunResult(input, { id: waveId, period }, frame, margins);
  const runId = db.insert(estimateRuns).values({
    waveId, frameId: frame.id, frameHash: 'f'.repeat(64), surveyVersionIds: [1], scoringHash: 's'.repeat(64), options: result.options,
    engineVersion: result.engineVersion, inputHash: `input-${period}-${input.n}`, result: result as unknown as Record<string, unknown>,
    createdBy: 'test', createdAt: '2026-02-01T00:00:00.000Z',
  }).returning({ id: estimateRuns.id }).get().id;
  return { runId, result };
}

let clock = Date.parse('2026-03-01T00:00:00.000Z');

/** Appends a publish (or withdraw) event for `runId`. */
export function publish(db: Db, runId: number, period: string, action: 'publish' | 'withdraw' = 'publish'): void {
  clock += 60_000;
  db.insert(publications).values({
    runId, period, action, reason: action === 'withdraw' ? 'test withdraw' : null, actor: 'test', at: new Date(clock).toISOString(),
  }).run();
}
