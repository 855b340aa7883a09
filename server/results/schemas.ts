// The shapes of the public results API (docs/PUBLIC-API.md), written once as zod schemas: the
// service's types are inferred from them, the OpenAPI document (openapi.ts) is generated from them,
// and the tests check every real response against that generated document. One source, so the
// document cannot drift from what is served.
import { z } from 'zod';
import { BREAKDOWNS, INDICATOR_IDS } from '../runs/result';

/** Every schema named in the OpenAPI document's components. */
export const registry = z.registry<{ id: string; description?: string }>();

export const Localized = z.object({ kk: z.string(), ru: z.string(), en: z.string() })
  .register(registry, { id: 'Localized', description: 'A text for people, in Kazakh, Russian and English.' });

const ci95 = z.tuple([z.number(), z.number()]).describe('95% confidence interval, estimate ± z₀.₉₇₅·SE.');
const demo = z.boolean().describe('True when the instance holds synthetic demonstration data: show it on every screen.');

export const WaveChange = z.object({
  from: z.string().describe('The previous published wave.'),
  delta: z.number().describe('This wave minus the previous one, in points.'),
  z: z.number(),
  significant: z.boolean().describe('|z| ≥ 1.96 (METHODOLOGY §5).'),
}).register(registry, { id: 'WaveChange' });

export const WavePoint = z.object({
  period: z.string().describe('"2026-Q3"'),
  runId: z.number().int(),
  publishedAt: z.string(),
  n: z.number().int().describe('Respondents with a score on this indicator.'),
  value: z.number().describe('Weighted mean score, 0–100, unrounded.'),
  se: z.number(),
  ci95,
  deff: z.number().nullable(),
  change: WaveChange.nullable(),
  revised: z.boolean().describe('True when an earlier published run for this period was replaced.'),
}).register(registry, { id: 'WavePoint' });

export const TARGET_STATUSES = ['achieved', 'achieved_not_significant', 'below_target_not_significant', 'below_target'] as const;

export const YearPoint = z.object({
  year: z.number().int(),
  waves: z.number().int().describe('Published waves pooled into the value.'),
  provisional: z.boolean().describe('True until the year is over and 4 waves are in.'),
  value: z.number().describe('Mean of the year\'s wave estimates (METHODOLOGY §5).'),
  se: z.number().describe('√(Σ SEᵢ²)/k.'),
  ci95,
  target: z.number().nullable().describe('The year\'s target; null for a year without one.'),
  gap: z.number().nullable().describe('value − target, in points.'),
  status: z.enum(TARGET_STATUSES).nullable(),
}).register(registry, { id: 'YearPoint' });

export const PROGRESS_CATEGORIES = ['target_achieved', 'on_track', 'moderate_progress', 'insufficient_progress', 'moving_away'] as const;

export const Progress = z.object({
  category: z.enum(PROGRESS_CATEGORIES),
  ratio: z.number().nullable().describe('Eurostat RR = CAGR actual / CAGR required; null when the target is achieved or needs no growth.'),
  fromYear: z.number().int().describe('The baseline year.'),
  toYear: z.number().int().describe('The year of the value the progress is measured at (the latest year).'),
}).register(registry, { id: 'Progress' });

export const Target = z.object({
  year: z.number().int(),
  value: z.number(),
  alternatives: z.array(z.object({ value: z.number(), source: Localized })).optional()
    .describe('Other values a source gives for the same year (a noted discrepancy).'),
}).register(registry, { id: 'Target' });

export const IndicatorId = z.enum(INDICATOR_IDS);

export const IndicatorSummary = z.object({
  id: IndicatorId,
  name: Localized,
  baseline: z.object({ year: z.number().int(), value: z.number() }).nullable(),
  targets: z.array(Target),
  latestWave: WavePoint.nullable(),
  latestYear: YearPoint.nullable(),
  progress: Progress.nullable().describe('Towards the final target, from the latest year.'),
}).register(registry, { id: 'IndicatorSummary' });

export const IndicatorsBody = z.object({
  demo,
  generatedAt: z.string().describe('When the published state last changed (the latest publication).'),
  document: z.object({
    id: z.string(),
    title: Localized,
    inForce: z.boolean(),
    statusNote: Localized.nullable(),
  }),
  indicators: z.array(IndicatorSummary),
}).register(registry, { id: 'IndicatorsBody' });

export const SeriesBody = z.object({
  demo,
  indicator: z.object({ id: IndicatorId, name: Localized }),
  waves: z.array(WavePoint),
  years: z.array(YearPoint),
  targets: z.array(Target),
}).register(registry, { id: 'SeriesBody' });

export const PeriodEntry = z.object({
  period: z.string(),
  kind: z.enum(['wave', 'year']),
  runId: z.number().int().nullable().describe('The published run of a wave; null for a year.'),
  publishedAt: z.string().describe('For a year, the latest publication among its waves.'),
  n: z.number().int().describe('Respondents used (for a year, summed over its waves).'),
  frame: z.object({ name: z.string(), illustrative: z.boolean() })
    .describe('For a year whose waves used different frames, the names joined by ", "; illustrative if any is.'),
  revised: z.boolean(),
  waves: z.array(z.string()).optional().describe('For a year: its published waves.'),
  provisional: z.boolean().optional().describe('For a year: true until the year is over and 4 waves are in.'),
}).register(registry, { id: 'PeriodEntry' });

export const PeriodsBody = z.object({ demo, periods: z.array(PeriodEntry) }).register(registry, { id: 'PeriodsBody' });

export const BreakdownLevel = z.object({
  level: z.string(),
  label: Localized,
  n: z.number().int().nullable(),
  value: z.number().nullable(),
  se: z.number().nullable(),
  ci95: ci95.nullable(),
  suppressed: z.boolean().describe('Fewer than 30 respondents: no value, SE, CI or n is given.'),
  lowPrecision: z.boolean().describe('95% CI half-width above 10 points.'),
}).register(registry, { id: 'BreakdownLevel' });

export const Breakdown = z.enum(BREAKDOWNS);

export const BreakdownsBody = z.object({
  demo,
  period: z.string(),
  by: Breakdown,
  indicators: z.array(z.object({ id: IndicatorId, levels: z.array(BreakdownLevel) })),
}).register(registry, { id: 'BreakdownsBody' });

export const RunBody = z.object({
  demo,
  runId: z.number().int(),
  period: z.string(),
  publishedAt: z.string(),
  revised: z.boolean(),
  computedAt: z.string(),
  frame: z.object({ name: z.string(), source: z.string(), referenceDate: z.string(), illustrative: z.boolean(), contentHash: z.string() }),
  sample: z.object({
    completes: z.number().int(),
    used: z.number().int(),
    excluded: z.number().int(),
    excludedBy: z.record(z.string(), z.number().int()).describe('Respondents excluded per quality flag (METHODOLOGY §6).'),
    overruled: z.number().int(),
  }),
  weighting: z.object({
    converged: z.boolean(),
    iterations: z.number().int(),
    maxMarginError: z.number(),
    kishEffectiveN: z.number(),
    designEffect: z.number(),
    weightRange: z.tuple([z.number(), z.number()]),
    merged: z.array(z.object({ margin: z.string(), from: z.string(), into: z.string() }).loose()),
  }),
  options: z.object({
    minCellSize: z.number().int(),
    bounds: z.tuple([z.number(), z.number()]).nullable(),
    exclude: z.array(z.string()),
  }),
  questionnaire: z.object({ surveyId: z.string(), versions: z.array(z.number().int()) }),
  engineVersion: z.string(),
  inputHash: z.string(),
  scoringHash: z.string(),
}).register(registry, { id: 'RunBody' });

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
}).register(registry, { id: 'ErrorBody' });

export type WavePointT = z.infer<typeof WavePoint>;
export type YearPointT = z.infer<typeof YearPoint>;
export type ProgressT = z.infer<typeof Progress>;
export type TargetT = z.infer<typeof Target>;
export type LocalizedT = z.infer<typeof Localized>;
export type IndicatorsBodyT = z.infer<typeof IndicatorsBody>;
export type SeriesBodyT = z.infer<typeof SeriesBody>;
export type PeriodEntryT = z.infer<typeof PeriodEntry>;
export type PeriodsBodyT = z.infer<typeof PeriodsBody>;
export type BreakdownLevelT = z.infer<typeof BreakdownLevel>;
export type BreakdownsBodyT = z.infer<typeof BreakdownsBody>;
export type RunBodyT = z.infer<typeof RunBody>;
