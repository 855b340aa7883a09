// Weighted means with linearised standard errors for a calibrated (raked) design, domain
// estimates, and the share of respondents at or above a threshold (METHODOLOGY §4).

import { AnalysisError } from './errors';
import { fittedByPattern, type Calibration } from './calibration';
import type { FactorColumn } from './columns';

/** z₀.₉₇₅ as R's `qnorm(0.975)` (METHODOLOGY rounds it to 1.959964), used by R's `confint`. */
export const Z975 = 1.959963984540054;

/** Respondents with fewer than this many scores in a domain are suppressed in public views. */
export const MIN_DOMAIN_N = 30;
/** A domain whose 95% CI half-width exceeds this many points is marked low precision. */
export const LOW_PRECISION_HALF_WIDTH = 10;

/** A weighted mean with its linearised uncertainty. */
export interface MeanEstimate {
  /** Respondents in the domain with a value (n_D). */
  n: number;
  /** ȳ = Σ w y / Σ w over the domain. */
  mean: number;
  /** Linearised standard error (METHODOLOGY §4). */
  se: number;
  /** ȳ ± z₀.₉₇₅·SE. */
  ci95: [number, number];
  /** V / (s²/n_D) with s² the weighted sample variance (R's deff = "replace"); null when n_D < 2 or y is constant (s² = 0). */
  deff: number | null;
}

/** Everything about the weights that every estimate reuses. */
export interface EstimationContext {
  cal: Calibration;
  /** Final (raked) weights per respondent. */
  w: Float64Array;
  /** Per pattern: Σ w and Σ w² over all respondents. */
  wSum: Float64Array;
  w2Sum: Float64Array;
}

/**
 * Precomputes per-pattern sums of the final weights. Cost O(n).
 * @example const ctx = estimationContext(factorCalibration(design), rake(design).weights)
 */
export function estimationContext(cal: Calibration, w: Float64Array): EstimationContext {
  const { pattern, P } = cal.design;
  const wSum = new Float64Array(P);
  const w2Sum = new Float64Array(P);
  for (let i = 0; i < w.length; i++) {
    const p = pattern[i]!;
    const v = w[i]!;
    wSum[p]! += v;
    w2Sum[p]! += v * v;
  }
  return { cal, w, wSum, w2Sum };
}

/**
 * Weighted mean of y over the respondents `rows` (the domain: those with a value, optionally
 * within a subgroup) with its Taylor-linearised SE for a calibrated design (METHODOLOGY §4):
 * zᵢ = (yᵢ − ȳ)/Σ_D w in the domain and 0 elsewhere; eᵢ = residual of z from the least-squares
 * regression on the calibration design matrix weighted by the design weights d; uᵢ = wᵢeᵢ;
 * V = n/(n−1)·Σ(uᵢ − ū)² over all n respondents; SE = √V. Reproduces R's
 * `svymean(~y, calibrate(des, ~margins, calfun = "raking"), na.rm = TRUE, deff = "replace")`
 * (and `svyby` for a subgroup: full-sample weights and residuals).
 *
 * Respondents outside the domain have z = 0, so their residuals are constant within a pattern and
 * are summed per pattern: three passes over the domain rows plus O(P·margins + k²).
 * @throws AnalysisError code 'invalid_input' when `rows` is empty, a y in the domain is not
 *   finite, or the domain's weights sum to 0.
 * @example
 * calibratedMean(ctx, consensusScores, rowsWithConsensusScore)
 * // → { n: 1490, mean: 83.4087…, se: 0.5583…, ci95: [82.31…, 84.50…], deff: 1.4077… }
 */
export function calibratedMean(ctx: EstimationContext, y: Float64Array, rows: Int32Array): MeanEstimate {
  const { cal, w } = ctx;
  const { design } = cal;
  const { pattern, d, P } = design;
  const nD = rows.length;
  if (nD === 0) throw new AnalysisError('invalid_input', 'cannot estimate a mean over no respondents');
  let sw = 0;
  let swy = 0;
  let maxAbs = 0;
  for (let r = 0; r < nD; r++) {
    const i = rows[r]!;
    const v = y[i]!;
    if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
    if (!Number.isFinite(v)) throw new AnalysisError('invalid_input', `row ${i + 1}: value ${v} is not a finite number`, { row: i });
    sw += w[i]!;
    swy += w[i]! * v;
  }
  if (!(sw > 0)) throw new AnalysisError('invalid_input', 'the weights of the domain sum to 0');
  const mean = swy / sw;
  // Pass 2: z per respondent, summed per pattern (d·z for X'Dz; w and w² for the outside part).
  const dz = new Float64Array(P);
  const wIn = new Float64Array(P);
  const w2In = new Float64Array(P);
  const nIn = new Int32Array(P);
  let ss = 0;
  for (let r = 0; r < nD; r++) {
    const i = rows[r]!;
    const p = pattern[i]!;
    const dev = y[i]! - mean;
    const wi = w[i]!;
    dz[p]! += (d[i]! * dev) / sw;
    wIn[p]! += wi;
    w2In[p]! += wi * wi;
    nIn[p]!++;
    ss += wi * dev * dev;
  }
  const f = fittedByPattern(cal, dz);
  // ū over all n respondents: inside, uᵢ = wᵢ(zᵢ − f_p); outside, uᵢ = −wᵢ f_p.
  let sumU = 0;
  for (let r = 0; r < nD; r++) {
    const i = rows[r]!;
    sumU += w[i]! * ((y[i]! - mean) / sw - f[pattern[i]!]!);
  }
  for (let p = 0; p < P; p++) sumU -= f[p]! * (ctx.wSum[p]! - wIn[p]!);
  const n = design.n;
  const ubar = sumU / n;
  let q = 0;
  for (let r = 0; r < nD; r++) {
    const i = rows[r]!;
    const u = w[i]! * ((y[i]! - mean) / sw - f[pattern[i]!]!) - ubar;
    q += u * u;
  }
  // Outside the domain, Σ(−w f_p − ū)² = f_p²·Σw² + 2ū f_p·Σw + ū²·count, per pattern.
  for (let p = 0; p < P; p++) {
    const cnt = design.count[p]! - nIn[p]!;
    if (cnt === 0) continue;
    const fp = f[p]!;
    q += fp * fp * (ctx.w2Sum[p]! - w2In[p]!) + 2 * ubar * fp * (ctx.wSum[p]! - wIn[p]!) + ubar * ubar * cnt;
  }
  const V = n > 1 ? (n / (n - 1)) * Math.max(q, 0) : Number.NaN;
  const se = Math.sqrt(V);
  const s2 = nD > 1 ? (ss / sw) * (nD / (nD - 1)) : Number.NaN;
  // A variance at rounding-noise level (a constant y) is zero: no design effect is defined.
  const noise = (16 * Number.EPSILON * maxAbs) ** 2;
  const deff = nD > 1 && s2 > noise ? V / (s2 / nD) : null;
  return { n: nD, mean, se, ci95: [mean - Z975 * se, mean + Z975 * se], deff };
}

/** One domain (subgroup) estimate as published. */
export interface DomainEstimate {
  level: string;
  n: number;
  mean: number;
  se: number;
  /** n < 30: every public view shows "too few responses" instead of the numbers. */
  suppressed: boolean;
  /** 95% CI half-width (z₀.₉₇₅·SE) above 10 points. */
  lowPrecision: boolean;
}

/**
 * Domain estimates of y over the levels of a categorical variable (R's `svyby(~y, ~var, cal,
 * svymean, na.rm = TRUE)`): the calibrated mean of each level's respondents with a value, using
 * full-sample weights and calibration residuals. Levels with no respondent with a value are left
 * out (R's drop.empty.groups). Levels are returned in `order` (labels not in it follow, sorted);
 * the empty label (a missing domain value) is left out.
 *
 * Cost: O(n) to group plus one {@link calibratedMean} per level.
 * @example
 * domainMeans(ctx, scores, hasScore, regionColumn, regionLevels)
 * // → [{ level: 'KZ-10', n: 29, mean: 87.6…, se: 3.29…, suppressed: true, lowPrecision: false }, …]
 */
export function domainMeans(
  ctx: EstimationContext, y: Float64Array, rows: Int32Array, by: FactorColumn, order: readonly string[] = [],
): DomainEstimate[] {
  const L = by.labels.length;
  const counts = new Int32Array(L);
  for (let r = 0; r < rows.length; r++) counts[by.codes[rows[r]!]!]!++;
  const starts = new Int32Array(L + 1);
  for (let c = 0; c < L; c++) starts[c + 1] = starts[c]! + counts[c]!;
  const sorted = new Int32Array(rows.length);
  const pos = starts.slice(0, L);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    sorted[pos[by.codes[i]!]!++] = i;
  }
  const rank = new Map(order.map((l, k) => [l, k]));
  const codes = [...by.labels.keys()].filter((c) => counts[c]! > 0 && by.labels[c] !== '');
  codes.sort((a, b) => {
    const ra = rank.get(by.labels[a]!);
    const rb = rank.get(by.labels[b]!);
    if (ra !== undefined && rb !== undefined) return ra - rb;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return by.labels[a]! < by.labels[b]! ? -1 : by.labels[a]! > by.labels[b]! ? 1 : 0;
  });
  return codes.map((c) => {
    const e = calibratedMean(ctx, y, sorted.subarray(starts[c]!, starts[c + 1]!));
    return {
      level: by.labels[c]!,
      n: e.n,
      mean: e.mean,
      se: e.se,
      suppressed: e.n < MIN_DOMAIN_N,
      lowPrecision: Z975 * e.se > LOW_PRECISION_HALF_WIDTH,
    };
  });
}

/**
 * Indices of the respondents whose value is not missing (not NaN). Cost O(n).
 * @example rowsWithValue(Float64Array.of(1, NaN, 3)) // Int32Array [0, 2]
 */
export function rowsWithValue(y: Float64Array): Int32Array {
  let k = 0;
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i]!)) k++;
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i]!)) out[k++] = i;
  return out;
}

/**
 * The weighted share of respondents with a value ≥ threshold (METHODOLOGY §2, the secondary
 * definition), as a proportion in [0, 1], with its linearised SE: the calibrated mean of the
 * indicator 1[y ≥ threshold] over respondents with a value (R: `svymean(~I(y >= 60), cal,
 * na.rm = TRUE)`). Cost: one {@link calibratedMean}.
 * @example shareAtLeast(ctx, scores, hasScore, 60) // { share: 0.8909…, se: 0.0097… }
 */
export function shareAtLeast(ctx: EstimationContext, y: Float64Array, rows: Int32Array, threshold: number): { share: number; se: number } {
  const ind = new Float64Array(y.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    ind[i] = y[i]! >= threshold ? 1 : 0;
  }
  const e = calibratedMean(ctx, ind, rows);
  return { share: e.mean, se: e.se };
}
