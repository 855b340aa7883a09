// The whole analysis of one wave: score, weight, estimate (METHODOLOGY §2–§4). This is what
// `kelisim analyze` prints and what later issues store as an estimate run; it stays pure (plain
// columns in, raw numbers out) so that the CLI, the server and the tests share it.

import { AnalysisError } from './errors';
import type { FactorColumn } from './columns';
import { cronbachAlpha } from './reliability';
import { weightDiagnostics, marginCellShares, type MarginCellShare, type WeightDiagnostics } from './diagnostics';
import { calibratedMean, domainMeans, estimationContext, rowsWithValue, shareAtLeast, type DomainEstimate, type EstimationContext } from './estimates';
import { factorCalibration } from './calibration';
import { assignCells, bandNumericColumn, defaultCollapseMap, type AppliedMerge, type CollapseRule, type Margin } from './margins';
import { imputeDeclined, type Imputation } from './imputation';
import { domainEstimatesAndMoments, type PoolingMoments } from './pooling';
import { buildDesign, rake } from './raking';
import { scoreColumns, type CodedScores, type ScoringSpec } from './scoring';

/** Respondent data, column by column. */
export interface AnalyzeInput {
  /** Number of respondents. */
  n: number;
  /** Respondent id of row i (0-based), for error messages and the per-respondent output. */
  id: (row: number) => string;
  /** How to name row i in an error message; default `row <i+1> (id "<id>")`. */
  rowName?: (row: number) => string;
  /** Dictionary-encoded columns: every margin variable, every scored item, every --by variable. */
  columns: Readonly<Record<string, FactorColumn>>;
  /** Design weights d (> 0); null or absent means 1 for everyone. */
  designWeights?: Float64Array | null;
}

/** Options of {@link analyze}; the defaults are METHODOLOGY's. */
export interface AnalyzeOptions {
  spec: ScoringSpec;
  margins: readonly Margin[];
  /** Levels with fewer respondents are merged by the collapse map. Default 20; 1 = only empty ones. */
  minCellSize?: number;
  /** Default: {@link defaultCollapseMap} of the margins. */
  collapse?: readonly CollapseRule[];
  /** Bounds on g; null for none. Default [0.3, 5]. */
  bounds?: readonly [number, number] | null;
  /** Domain variables (columns). Default none. */
  by?: readonly string[];
  /** Include per-respondent weights and scores. Default false. */
  respondents?: boolean;
  /** Threshold of the secondary "share at least" definition. Default 60. */
  shareThreshold?: number;
  /**
   * Declined answers of weighting variables imputed for weighting only (METHODOLOGY §3.5), within
   * region × settlement. Default { ethnicity: 'refused' }. Applies only when the declined value is
   * not itself a level of the variable's margin.
   */
  declined?: Readonly<Record<string, string>>;
  /**
   * Also return the pooling moments (analysis/pooling.ts) of every indicator for every level of
   * every `by` variable, from which annual domain values are pooled over waves. Default false.
   */
  pooling?: boolean;
  /**
   * With `pooling: true`, who computes the domain sets (see {@link DomainSetRunner}); default
   * {@link runDomainSetsHere}. The result is the same whoever computes them.
   */
  domainSets?: DomainSetRunner;
}

/** One domain variable's estimates and pooling moments of one indicator, as an estimate run stores them. */
export interface DomainSet {
  /** The indicator's scores (NaN = none) and the rows that have one (`rowsWithValue(y)`, not empty). */
  y: Float64Array;
  rows: Int32Array;
  /** The domain variable's column and its levels' order (the margin's, when it is one). */
  by: FactorColumn;
  order: readonly string[];
}

/** What {@link domainEstimatesAndMoments} gives for a {@link DomainSet}. */
export interface DomainSetResult { estimates: DomainEstimate[]; moments: Record<string, PoolingMoments> }

/**
 * Computes domain sets. analyze() calls it once with the sets of every indicator (indicator by
 * indicator, `by` variable by variable) and gets back a function that gives their results in the
 * same order — each exactly `domainEstimatesAndMoments(ctx, set.y, set.rows, set.by, set.order)`,
 * or that call's error (the first in the sets' order). analyze() estimates everything else between
 * the two calls, so a runner may compute some sets elsewhere meanwhile (server/runs/domain-sets.ts
 * computes most of them on another thread). For a large wave the sets are about a third of
 * analyze()'s CPU: each is one pass over the indicator's rows.
 */
export type DomainSetRunner = (ctx: EstimationContext, sets: readonly DomainSet[]) => () => DomainSetResult[];

/** The default {@link DomainSetRunner}: every set on this thread, one after another, when the results are asked for. */
export const runDomainSetsHere: DomainSetRunner = (ctx, sets) => () => sets.map((s) => domainEstimatesAndMoments(ctx, s.y, s.rows, s.by, s.order));

/** Estimates of one indicator. */
export interface IndicatorResult {
  nScored: number;
  unweightedMean: number | null;
  mean: number | null;
  se: number | null;
  ci95: [number, number] | null;
  deff: number | null;
  cronbachAlpha: number | null;
  alphaN: number;
  shareAtLeast60: { share: number; se: number } | null;
  domains: Record<string, DomainEstimate[]>;
}

/** The result, exactly the JSON document `kelisim analyze` prints (plus the cell shares). */
export interface AnalysisResult {
  n: number;
  populationTotal: number;
  /** `imputed` is present only when a declined answer was imputed for weighting. */
  raking: { converged: boolean; iterations: number; maxMarginError: number; merged: AppliedMerge[]; imputed?: Imputation[] };
  weights: WeightDiagnostics;
  indicators: Record<string, IndicatorResult>;
  respondents?: { id: string; weight: number; scores: Record<string, number | null> }[];
}

/** What analyze returns beside the printed document. */
export interface Extras {
  /** Weighted vs population share of every (merged) margin cell (METHODOLOGY §3.6). */
  cells: MarginCellShare[];
  /** Final weight and indicator scores (NaN = none) per respondent, without building objects. */
  perRespondent: { weights: Float64Array; scores: Record<string, Float64Array> };
  /** With `pooling: true`: indicator → `by` variable → level → moments (levels as in `domains`). */
  pooling?: Record<string, Record<string, Record<string, PoolingMoments>>>;
}

/** Domain levels in the margin's order when the variable is also a (single-variable) margin. */
function levelOrder(margins: readonly Margin[], v: string): string[] {
  const margin = margins.find((m) => m.variables.length === 1 && m.variables[0] === v);
  return margin ? margin.levels.map((l) => l.level) : [];
}

/**
 * An indicator's estimates other than its domains, from its scores y (NaN = no score) and the
 * rows that have one (`rowsWithValue(y)`): weighted mean with SE, CI and deff, Cronbach's α of its
 * items and the share ≥ threshold (METHODOLOGY §2–§4).
 *
 * Cost: O(n · (1 + items)) plus O(P·margins + k²).
 * @example indicatorEstimates(ctx, y, rowsWithValue(y), itemScores, 60)
 * // → { nScored: 1490, unweightedMean: 82.9…, mean: 83.4…, se: 0.6…, …, shareAtLeast60: { share: 0.8…, se: 0.01… } }
 */
export function indicatorEstimates(
  ctx: EstimationContext, y: Float64Array, rows: Int32Array, items: readonly (Float64Array | CodedScores)[], threshold: number,
): Omit<IndicatorResult, 'domains'> {
  const alpha = cronbachAlpha(items);
  if (rows.length === 0) {
    return { nScored: 0, unweightedMean: null, mean: null, se: null, ci95: null, deff: null, cronbachAlpha: alpha.alpha, alphaN: alpha.n, shareAtLeast60: null };
  }
  let sum = 0;
  for (let r = 0; r < rows.length; r++) sum += y[rows[r]!]!;
  const e = calibratedMean(ctx, y, rows);
  return {
    nScored: rows.length,
    unweightedMean: sum / rows.length,
    mean: e.mean,
    se: e.se,
    ci95: e.ci95,
    deff: e.deff,
    cronbachAlpha: alpha.alpha,
    alphaN: alpha.n,
    shareAtLeast60: shareAtLeast(ctx, y, rows, threshold),
  };
}

/**
 * Scores every respondent, rakes the design weights to the margins (banding numeric answers such
 * as age in years into the margins' bands and imputing declined weighting answers, for weighting
 * only; merging sparse categories; bounding g), and estimates every
 * indicator of the spec: weighted mean with linearised SE, 95% CI and deff, Cronbach's α, the
 * share ≥ 60 and domain estimates (METHODOLOGY §2–§4).
 *
 * Cost: O(n · (items + margins + domain variables)) plus O(sweeps · patterns) for raking; about
 * 0.8 s of CPU for 1,000,000 respondents in the official layout, besides reading the CSV.
 * @throws AnalysisError ('invalid_input', 'invalid_item_value', 'empty_category',
 *   'not_converged') naming the row (via ids), column, margin or level at fault.
 * @example
 * analyze({ n, id: (i) => ids[i], columns, designWeights }, { spec, margins, by: ['region'] })
 * // → { n: 1500, populationTotal: 14070000, raking: {…}, weights: {…}, indicators: { consensus: {…}, … } }
 */
export function analyze(input: AnalyzeInput, options: AnalyzeOptions): AnalysisResult & Extras {
  const { n, id, columns } = input;
  if (n < 2) throw new AnalysisError('invalid_input', `need at least 2 respondents, got ${n}`);
  const rowName = input.rowName ?? ((row: number): string => `row ${row + 1} (id "${id(row)}")`);
  const by = options.by ?? [];
  for (const v of by) {
    if (!columns[v]) throw new AnalysisError('invalid_input', `--by ${v}: the responses have no column "${v}"`, { column: v });
  }
  const scores = scoreColumns(options.spec, columns, n, rowName);
  // Declined weighting answers are imputed, and numbers (age in years) banded as the margins are,
  // in a copy of the columns used for weighting only.
  const weighting: Record<string, FactorColumn> = { ...columns };
  const partsOf = new Map<string, string[]>();
  for (const m of options.margins) {
    m.variables.forEach((v, j) => {
      const list = partsOf.get(v) ?? [];
      for (const l of m.levels) list.push(l.level.split(':')[j]!);
      partsOf.set(v, list);
    });
  }
  for (const [v, parts] of partsOf) {
    const col = columns[v];
    if (!col || col.labels.some((l) => parts.includes(l))) continue;
    const banded = bandNumericColumn(col, parts);
    if (banded) weighting[v] = banded;
  }
  const imputed: Imputation[] = [];
  for (const [variable, value] of Object.entries(options.declined ?? { ethnicity: 'refused' })) {
    const margin = options.margins.find((m) => m.variables.length === 1 && m.variables[0] === variable);
    const col = weighting[variable];
    if (!margin || !col || margin.levels.some((l) => l.level === value)) continue;
    const groupBy = ['region', 'settlement'].filter((v) => v !== variable && weighting[v]).map((v) => weighting[v]!);
    const r = imputeDeclined(col, value, margin, groupBy);
    if (r.count > 0) {
      weighting[variable] = r.column;
      imputed.push({ variable, value, count: r.count });
    }
  }
  const cells = assignCells(options.margins, weighting, {
    minCellSize: options.minCellSize ?? 20,
    collapse: options.collapse ?? defaultCollapseMap(options.margins),
    rowName,
  });
  const d = input.designWeights ?? new Float64Array(n).fill(1);
  if (d.length !== n) throw new AnalysisError('invalid_input', `design weights have ${d.length} entries for ${n} respondents`);
  const design = buildDesign(cells.margins, d, rowName);
  const raked = rake(design, { bounds: options.bounds === undefined ? [0.3, 5] : options.bounds });
  const w = raked.weights;
  const ctx = estimationContext(factorCalibration(design), w);
  const threshold = options.shareThreshold ?? 60;
  const indicators: Record<string, IndicatorResult> = {};
  const pooling: Record<string, Record<string, Record<string, PoolingMoments>>> = {};
  const pooled = options.pooling === true;
  const specIndicators = options.spec.indicators;
  const ys = specIndicators.map((ind) => scores.indicators[ind.id]!);
  const rowsOf = ys.map((y) => rowsWithValue(y));
  // With pooling, each indicator's domain sets (one pass over its rows per `by` variable, both the
  // estimates and the pooling moments of every level) go to the runner before anything else is
  // estimated, so that it may compute them elsewhere meanwhile; their results are taken after.
  const sets: DomainSet[] = [];
  specIndicators.forEach((_, k) => {
    if (rowsOf[k]!.length > 0) for (const v of by) sets.push({ y: ys[k]!, rows: rowsOf[k]!, by: columns[v]!, order: levelOrder(options.margins, v) });
  });
  const domainSets = pooled ? (options.domainSets ?? runDomainSetsHere)(ctx, sets) : null;
  const bases = specIndicators.map((ind, k) => indicatorEstimates(ctx, ys[k]!, rowsOf[k]!, ind.items.map((it) => scores.items[it.name]!), threshold));
  const setResults = domainSets ? domainSets() : null;
  if (setResults && setResults.length !== sets.length) throw new Error(`the domain set runner gave ${setResults.length} results for ${sets.length} sets`);
  let next = 0;
  specIndicators.forEach((ind, k) => {
    const domains: Record<string, DomainEstimate[]> = {};
    const moments: Record<string, Record<string, PoolingMoments>> = {};
    for (const v of by) {
      if (rowsOf[k]!.length === 0) { domains[v] = []; moments[v] = {}; } else if (setResults) {
        ({ estimates: domains[v], moments: moments[v] } = setResults[next++]!);
      } else domains[v] = domainMeans(ctx, ys[k]!, rowsOf[k]!, columns[v]!, levelOrder(options.margins, v));
    }
    indicators[ind.id] = { ...bases[k]!, domains };
    if (pooled) pooling[ind.id] = moments;
  });
  const result: AnalysisResult & Extras = {
    n,
    populationTotal: design.populationTotal,
    raking: {
      converged: raked.converged, iterations: raked.iterations, maxMarginError: raked.maxMarginError, merged: cells.merged,
      ...(imputed.length > 0 ? { imputed } : {}),
    },
    weights: weightDiagnostics(w),
    indicators,
    cells: marginCellShares(design, w),
    perRespondent: { weights: w, scores: scores.indicators },
    ...(options.pooling === true ? { pooling } : {}),
  };
  if (options.respondents) {
    const ys = options.spec.indicators.map((ind) => [ind.id, scores.indicators[ind.id]!] as const);
    result.respondents = Array.from({ length: n }, (_, i) => {
      const s: Record<string, number | null> = {};
      for (const [id, y] of ys) s[id] = Number.isNaN(y[i]!) ? null : y[i]!;
      return { id: id(i), weight: w[i]!, scores: s };
    });
  }
  return result;
}
