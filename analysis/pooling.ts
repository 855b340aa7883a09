// Annual domain values: pooling the respondents of several waves of a year into one domain
// estimate without re-raking and without the raw rows (METHODOLOGY §5, "annual domain values").
//
// A quarter's sample is too small for some regions (n < 30 → suppressed), but a year of four
// waves usually is not. Averaging the waves' domain estimates would not help (a suppressed wave has
// no estimate to average), so the year's domain estimate is the calibrated mean over the stacked
// respondents of its waves, each wave keeping its own raked weights scaled by 1/k and its own
// calibration residuals, the waves being independent samples (variance summed over waves). Each
// wave's run stores the few sums this needs per domain level (PoolingMoments below), so a year's
// value is computed from stored runs in O(waves).

import { AnalysisError } from './errors';
import { fittedByPattern } from './calibration';
import type { FactorColumn } from './columns';
import { domainEstimateFromSums, domainSumsByLevel, LOW_PRECISION_HALF_WIDTH, MIN_DOMAIN_N, Z975, type DomainEstimate, type EstimationContext, type RawDomainSums } from './estimates';

/**
 * Sufficient statistics of one domain of one wave (the same shape as server/runs/result.ts
 * `PoolingMoments`). With the wave's final weights w, its calibration residuals e(·) and D the
 * domain's respondents with a score: n = |D|, sumW = Σ_D w, sumWY = Σ_D w·y; with a = w·e(y·1_D),
 * b = w·e(1_D) over all n_wave respondents and c(x, x') = n_wave/(n_wave−1)·Σ(x − x̄)(x' − x̄'):
 * vYY = c(a, a), vY1 = c(a, b), v11 = c(b, b).
 */
export interface PoolingMoments {
  n: number;
  sumW: number;
  sumWY: number;
  vYY: number;
  vY1: number;
  v11: number;
}

/** A pooled (annual) domain estimate, with the same suppression rules as a wave's (METHODOLOGY §4). */
export interface PooledDomainEstimate {
  /** Respondents of the domain with a score, over all pooled waves. */
  n: number;
  mean: number;
  se: number;
  ci95: [number, number];
  /** n < 30: shown as "too few responses" in every public view. */
  suppressed: boolean;
  /** 95% CI half-width above 10 points. */
  lowPrecision: boolean;
}

/**
 * The pooling moments of one domain: `rows` are the domain's respondents with a value of y (a
 * subset of the wave's respondents). Per-pattern sums over the domain rows, two regressions (of
 * y·1_D and of 1_D) and the cross-products expanded pattern by pattern; no per-respondent pass
 * outside the domain.
 *
 * Cost: O(|rows|) plus O(P·margins + k²).
 * @throws AnalysisError code 'invalid_input' when a y in the domain is not finite or the wave
 *   has fewer than 2 respondents.
 * @example domainMoments(ctx, consensus, rowsOfAstana)
 * // → { n: 212, sumW: 1.02e6, sumWY: 8.4e7, vYY: …, vY1: …, v11: … }
 */
export function domainMoments(ctx: EstimationContext, y: Float64Array, rows: Int32Array): PoolingMoments {
  const { w } = ctx;
  const { pattern, d, P, n: nWave } = ctx.cal.design;
  if (nWave < 2) throw new AnalysisError('invalid_input', `pooling needs a wave of at least 2 respondents, got ${nWave}`);
  const sd = new Float64Array(P);
  const sdy = new Float64Array(P);
  const sw = new Float64Array(P);
  const swy = new Float64Array(P);
  const sw2 = new Float64Array(P);
  const sw2y = new Float64Array(P);
  const sw2y2 = new Float64Array(P);
  let sumW = 0;
  let sumWY = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    const v = y[i]!;
    if (!Number.isFinite(v)) throw new AnalysisError('invalid_input', `row ${i + 1}: value ${v} is not a finite number`, { row: i });
    const p = pattern[i]!;
    const wi = w[i]!;
    const di = d[i]!;
    const wy = wi * v;
    sd[p]! += di;
    sdy[p]! += di * v;
    sw[p]! += wi;
    swy[p]! += wy;
    sw2[p]! += wi * wi;
    sw2y[p]! += wi * wy;
    sw2y2[p]! += wy * wy;
    sumW += wi;
    sumWY += wy;
  }
  return momentsFromSums(ctx, { n: rows.length, sumW, sumWY, sd, sdy, sw, swy, sw2, sw2y, sw2y2 });
}

/**
 * The pooling moments of one domain from its unshifted per-pattern sums (see
 * {@link domainMoments}): two regressions (of y·1_D and of 1_D) and the cross-products expanded
 * pattern by pattern. Cost O(P·margins + k²).
 * @throws AnalysisError code 'invalid_input' when the wave has fewer than 2 respondents.
 * @example momentsFromSums(ctx, domainSumsByLevel(ctx, y, rows, region, [], true)[0].raw)
 * // → { n: 212, sumW: 1.02e6, sumWY: 8.4e7, vYY: …, vY1: …, v11: … }
 */
export function momentsFromSums(ctx: EstimationContext, s: RawDomainSums): PoolingMoments {
  const { wSum, w2Sum } = ctx;
  const { P, n: nWave } = ctx.cal.design;
  if (nWave < 2) throw new AnalysisError('invalid_input', `pooling needs a wave of at least 2 respondents, got ${nWave}`);
  const { sd, sdy, sw, swy, sw2, sw2y, sw2y2 } = s;
  // e(y·1_D)_i = y_i·1_D(i) − f1_p and e(1_D)_i = 1_D(i) − f2_p (fitted values per pattern).
  const f1 = fittedByPattern(ctx.cal, sdy);
  const f2 = fittedByPattern(ctx.cal, sd);
  let sA = 0;
  let sB = 0;
  let sAA = 0;
  let sAB = 0;
  let sBB = 0;
  for (let p = 0; p < P; p++) {
    const g1 = f1[p]!;
    const g2 = f2[p]!;
    const W = wSum[p]!;
    const W2 = w2Sum[p]!;
    sA += swy[p]! - g1 * W;
    sB += sw[p]! - g2 * W;
    sAA += sw2y2[p]! - 2 * g1 * sw2y[p]! + g1 * g1 * W2;
    sAB += sw2y[p]! - g2 * sw2y[p]! - g1 * sw2[p]! + g1 * g2 * W2;
    sBB += sw2[p]! - 2 * g2 * sw2[p]! + g2 * g2 * W2;
  }
  const c = nWave / (nWave - 1);
  return {
    n: s.n,
    sumW: s.sumW,
    sumWY: s.sumWY,
    vYY: c * (sAA - (sA * sA) / nWave),
    vY1: c * (sAB - (sA * sB) / nWave),
    v11: c * (sBB - (sB * sB) / nWave),
  };
}

/**
 * Pooling moments of y for every level of a domain variable, keyed by level in the order of
 * analysis/estimates.ts `domainMeans` (same levels: those with at least one respondent with a
 * value; the empty label left out).
 *
 * Cost: one pass over `rows` plus O(P·margins + k²) per level.
 * @example domainMomentsByLevel(ctx, consensus, hasScore, regionColumn, regionLevels)
 * // → { 'KZ-10': { n: 29, … }, 'KZ-11': { … }, … }
 */
export function domainMomentsByLevel(
  ctx: EstimationContext, y: Float64Array, rows: Int32Array, by: FactorColumn, order: readonly string[] = [],
): Record<string, PoolingMoments> {
  if (ctx.cal.design.n < 2) throw new AnalysisError('invalid_input', `pooling needs a wave of at least 2 respondents, got ${ctx.cal.design.n}`);
  const out: Record<string, PoolingMoments> = {};
  for (const l of domainSumsByLevel(ctx, y, rows, by, order, true)) out[l.level] = momentsFromSums(ctx, l.raw!);
  return out;
}

/**
 * The domain estimates of y over the levels of `by` (exactly analysis/estimates.ts `domainMeans`)
 * and their pooling moments (exactly {@link domainMomentsByLevel}), from one pass over `rows`:
 * what an estimate run stores for each domain variable.
 *
 * Cost: one pass over `rows` plus O(P·margins + k²) per level.
 * @throws AnalysisError code 'invalid_input' when a y in a level is not finite, its weights sum
 *   to 0, or the wave has fewer than 2 respondents.
 * @example domainEstimatesAndMoments(ctx, consensus, hasScore, regionColumn, regionLevels)
 * // → { estimates: [{ level: 'KZ-10', n: 29, mean: 87.6…, … }, …], moments: { 'KZ-10': { n: 29, … }, … } }
 */
export function domainEstimatesAndMoments(
  ctx: EstimationContext, y: Float64Array, rows: Int32Array, by: FactorColumn, order: readonly string[] = [],
): { estimates: DomainEstimate[]; moments: Record<string, PoolingMoments> } {
  if (ctx.cal.design.n < 2) throw new AnalysisError('invalid_input', `pooling needs a wave of at least 2 respondents, got ${ctx.cal.design.n}`);
  const estimates: DomainEstimate[] = [];
  const moments: Record<string, PoolingMoments> = {};
  for (const l of domainSumsByLevel(ctx, y, rows, by, order, true)) {
    estimates.push(domainEstimateFromSums(ctx, l.level, l.sums));
    moments[l.level] = momentsFromSums(ctx, l.raw!);
  }
  return { estimates, moments };
}

function checkMoments(m: PoolingMoments, what: string): void {
  for (const k of ['n', 'sumW', 'sumWY', 'vYY', 'vY1', 'v11'] as const) {
    if (!Number.isFinite(m[k])) throw new AnalysisError('invalid_input', `${what}: ${k} ${m[k]} is not a finite number`);
  }
  if (!Number.isInteger(m.n) || m.n < 0) throw new AnalysisError('invalid_input', `${what}: n ${m.n} must be a whole number ≥ 0`);
}

/**
 * The domain estimate over the stacked respondents of k waves (METHODOLOGY §5, annual domain
 * values): weights w/k, each wave's own calibration residuals, variance summed over the
 * independent waves. ȳ = Σ sumWY / Σ sumW; V = Σ_waves (vYY − 2ȳ·vY1 + ȳ²·v11) / (Σ sumW)² (the
 * 1/k factors cancel); SE = √V; n = Σ n. With one wave this is exactly that wave's domain estimate
 * (analysis/estimates.ts `domainMeans`). A wave in which the domain has no respondent contributes
 * nothing (pass it or leave it out: its moments are all 0). Suppressed (n < 30) and low precision
 * (CI half-width > 10) as a wave's domain estimate.
 *
 * R equivalent: `svyby(~y, ~domain, calibrate(...), svymean)` on the rbind of the waves' calibrated
 * designs with weights divided by k and the waves as strata (each with its own calibration).
 * Cost O(waves).
 * @throws AnalysisError code 'invalid_input' when no wave has a respondent in the domain, the
 *   weights sum to 0, or a moment is not finite.
 * @example poolDomains([astanaQ1, astanaQ2, astanaQ3, astanaQ4])
 * // → { n: 103, mean: 82.1…, se: 1.9…, ci95: [78.3…, 85.9…], suppressed: false, lowPrecision: false }
 */
export function poolDomains(waves: readonly PoolingMoments[]): PooledDomainEstimate {
  let n = 0;
  let sumW = 0;
  let sumWY = 0;
  waves.forEach((m, j) => {
    checkMoments(m, `wave ${j + 1}`);
    n += m.n;
    sumW += m.sumW;
    sumWY += m.sumWY;
  });
  if (n === 0) throw new AnalysisError('invalid_input', 'cannot pool a domain with no respondent in any wave');
  if (!(sumW > 0)) throw new AnalysisError('invalid_input', 'the weights of the pooled domain sum to 0');
  const mean = sumWY / sumW;
  let q = 0;
  for (const m of waves) q += m.vYY - 2 * mean * m.vY1 + mean * mean * m.v11;
  const se = Math.sqrt(Math.max(q, 0)) / sumW;
  return {
    n,
    mean,
    se,
    ci95: [mean - Z975 * se, mean + Z975 * se],
    suppressed: n < MIN_DOMAIN_N,
    lowPrecision: Z975 * se > LOW_PRECISION_HALF_WIDTH,
  };
}
