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

/** Per-pattern sums over a domain's respondents, from which an estimate is computed in O(P). */
export interface DomainSums {
  n: number;
  shift: number;
  maxAbs: number;
  /** Per pattern: count, Σd, Σd·y', Σw, Σw·y', Σw², Σw²·y', Σw²·y'² with y' = y − shift. */
  cnt: Int32Array;
  sd: Float64Array;
  sdy: Float64Array;
  sw: Float64Array;
  swy: Float64Array;
  sw2: Float64Array;
  sw2y: Float64Array;
  sw2y2: Float64Array;
  /** Σ w·y'² over the domain (for the design effect). */
  swyy: number;
}

/** The estimate from a domain's per-pattern sums (METHODOLOGY §4, see calibratedMean). */
function estimateFromSums(ctx: EstimationContext, s: DomainSums): MeanEstimate {
  const { cal } = ctx;
  const { design } = cal;
  const P = design.P;
  const nD = s.n;
  if (nD === 0) throw new AnalysisError('invalid_input', 'cannot estimate a mean over no respondents');
  let SW = 0;
  let SWY = 0;
  for (let p = 0; p < P; p++) { SW += s.sw[p]!; SWY += s.swy[p]!; }
  if (!(SW > 0)) throw new AnalysisError('invalid_input', 'the weights of the domain sum to 0');
  const m = SWY / SW; // mean of y' = y − shift
  // z_i = (y'_i − m)/SW inside the domain; the regression needs Σ_p d·z per pattern.
  const dz = new Float64Array(P);
  for (let p = 0; p < P; p++) if (s.cnt[p]! > 0) dz[p] = (s.sdy[p]! - m * s.sd[p]!) / SW;
  const f = fittedByPattern(cal, dz);
  // u_i = w_i(z_i − f_p) = w_i y'_i/SW − w_i g_p inside (g_p = m/SW + f_p), −w_i f_p outside.
  let sumU = 0;
  for (let p = 0; p < P; p++) {
    const fp = f[p]!;
    if (s.cnt[p]! > 0) sumU += s.swy[p]! / SW - (m / SW + fp) * s.sw[p]!;
    sumU -= fp * (ctx.wSum[p]! - s.sw[p]!);
  }
  const n = design.n;
  const ub = sumU / n;
  // Σ(u − ū)², pattern by pattern, expanded in the per-pattern sums.
  let q = 0;
  for (let p = 0; p < P; p++) {
    const fp = f[p]!;
    const c = s.cnt[p]!;
    if (c > 0) {
      const g = m / SW + fp;
      q += s.sw2y2[p]! / (SW * SW) + g * g * s.sw2[p]! + ub * ub * c
        - (2 * g * s.sw2y[p]!) / SW - (2 * ub * s.swy[p]!) / SW + 2 * ub * g * s.sw[p]!;
    }
    const out = design.count[p]! - c;
    if (out > 0) q += fp * fp * (ctx.w2Sum[p]! - s.sw2[p]!) + 2 * ub * fp * (ctx.wSum[p]! - s.sw[p]!) + ub * ub * out;
  }
  const V = n > 1 ? (n / (n - 1)) * Math.max(q, 0) : Number.NaN;
  const se = Math.sqrt(V);
  const mean = m + s.shift;
  const ss = Math.max(s.swyy - SW * m * m, 0); // Σ w (y − ȳ)²
  const s2 = nD > 1 ? (ss / SW) * (nD / (nD - 1)) : Number.NaN;
  // A variance at rounding-noise level (a constant y) is zero: no design effect is defined.
  const noise = (16 * Number.EPSILON * s.maxAbs) ** 2;
  const deff = nD > 1 && s2 > noise ? V / (s2 / nD) : null;
  return { n: nD, mean, se, ci95: [mean - Z975 * se, mean + Z975 * se], deff };
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
 * Since X's row, d-weighted fitted value and hence the part of uᵢ that does not involve yᵢ are
 * constant within a pattern, everything is computed from per-pattern sums of d, d·y, w, w·y, w²,
 * w²·y, w²·y² over the domain: one pass over the domain rows plus O(P·margins + k²). Checked
 * against the plain per-respondent formula in test/analysis/estimates.test.ts.
 * @throws AnalysisError code 'invalid_input' when `rows` is empty, a y in the domain is not
 *   finite, or the domain's weights sum to 0.
 * @example
 * calibratedMean(ctx, consensusScores, rowsWithConsensusScore)
 * // → { n: 1490, mean: 83.4087…, se: 0.5583…, ci95: [82.31…, 84.50…], deff: 1.4077… }
 */
export function calibratedMean(ctx: EstimationContext, y: Float64Array, rows: Int32Array): MeanEstimate {
  // The whole domain as the one level 0 of the same pass the domain estimates make.
  return estimateFromSums(ctx, levelSums(sumByLevel(ctx, y, rows, null, 1, false), 0));
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
 * The codes of `by`'s levels in the order of {@link domainMeans}: levels in `order` first, other
 * labels sorted after; levels whose count is 0, and the empty label (a missing domain value), left
 * out. Cost O(levels·log levels).
 */
function orderedLevels(by: FactorColumn, counts: Int32Array, order: readonly string[]): number[] {
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
  return codes;
}

/**
 * The respondents of each level of a domain variable, in the order of {@link domainMeans}:
 * levels in `order` first, other labels sorted after; levels with no row, and the empty label (a
 * missing domain value), left out. Cost O(rows + levels·log levels).
 * @example domainGroups(hasScore, regionColumn, ['KZ-10', 'KZ-11']) // → [{ level: 'KZ-10', rows: Int32Array […] }, …]
 */
export function domainGroups(rows: Int32Array, by: FactorColumn, order: readonly string[] = []): { level: string; rows: Int32Array }[] {
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
  return orderedLevels(by, counts, order).map((c) => ({ level: by.labels[c]!, rows: sorted.subarray(starts[c]!, starts[c + 1]!) }));
}

/**
 * Per-pattern sums of y itself (not shifted) over one domain, from which its pooling moments
 * (analysis/pooling.ts) are computed: count, Σd, Σd·y, Σw, Σw·y, Σw², Σw²·y, Σw²·y², and Σw, Σw·y.
 */
export interface RawDomainSums {
  n: number;
  sumW: number;
  sumWY: number;
  sd: Float64Array;
  sdy: Float64Array;
  sw: Float64Array;
  swy: Float64Array;
  sw2: Float64Array;
  sw2y: Float64Array;
  sw2y2: Float64Array;
}

/** The sums of one level of a domain variable (see {@link domainSumsByLevel}). */
export interface LevelSums {
  level: string;
  /** What {@link calibratedMean} computes its estimate from. */
  sums: DomainSums;
  /** Unshifted sums for the pooling moments, when asked. */
  raw: RawDomainSums | null;
}

// Slots of one (level, pattern) cell in the interleaved sums of domainSumsByLevel: the cell's
// sums sit side by side, so a row updates one or two cache lines.
const CNT = 0, SD = 1, SW = 2, SW2 = 3, SDY = 4, SWY = 5, SW2Y = 6, SW2Y2 = 7;
const RSDY = 8, RSWY = 9, RSW2Y = 10, RSW2Y2 = 11;

/**
 * The per-pattern sums of every level of a domain variable in one pass over `rows` (the domain's
 * respondents with a value), in the order of {@link domainMeans}. Each level's sums are added in
 * ascending row order and shifted by the value of its first row, exactly as
 * {@link calibratedMean} adds them over that level's rows alone, so the estimates are the same to
 * the last bit; with `raw`, the unshifted sums of the pooling moments come from the same pass.
 *
 * Cost: O(rows) plus O(levels · patterns) memory (12 doubles per level and pattern).
 * @throws AnalysisError code 'invalid_input' when a y in a domain level is not finite.
 * @example domainSumsByLevel(ctx, scores, hasScore, regionColumn, regionLevels, false)
 * // → [{ level: 'KZ-10', sums: { n: 29, … }, raw: null }, …]
 */
export function domainSumsByLevel(
  ctx: EstimationContext, y: Float64Array, rows: Int32Array, by: FactorColumn, order: readonly string[], raw: boolean,
): LevelSums[] {
  const cells = sumByLevel(ctx, y, rows, by.codes, by.labels.length, raw);
  return orderedLevels(by, cells.counts, order).map((c) => {
    const sums = levelSums(cells, c);
    const rawSums: RawDomainSums | null = raw
      ? { n: sums.n, sumW: cells.sumW[c]!, sumWY: cells.sumWY[c]!, sd: sums.sd, sdy: cells.column(c, RSDY), sw: sums.sw, swy: cells.column(c, RSWY), sw2: sums.sw2, sw2y: cells.column(c, RSW2Y), sw2y2: cells.column(c, RSW2Y2) }
      : null;
    return { level: by.labels[c]!, sums, raw: rawSums };
  });
}

/** The interleaved per-(level, pattern) sums of one pass (see {@link sumByLevel}). */
interface LevelCells {
  counts: Int32Array;
  shift: Float64Array;
  maxAbs: Float64Array;
  swyy: Float64Array;
  sumW: Float64Array;
  sumWY: Float64Array;
  /** One slot of level c's cells as a per-pattern column. */
  column(c: number, slot: number): Float64Array;
}

/**
 * One pass over `rows` adding each row to its level's per-pattern sums (level = `codes[i]`, or 0
 * for every row when `codes` is null). Each level's y is shifted by the value of its first row, so
 * that the sums of squares are taken around a typical value, not around 0 (keeps cancellation
 * negligible); with `raw`, the unshifted sums of the pooling moments too.
 */
function sumByLevel(ctx: EstimationContext, y: Float64Array, rows: Int32Array, codes: Int32Array | null, L: number, raw: boolean): LevelCells {
  const { w } = ctx;
  const { pattern, d, P } = ctx.cal.design;
  const K = raw ? 12 : 8;
  const cells = new Float64Array(L * P * K);
  const counts = new Int32Array(L);
  const shift = new Float64Array(L);
  const maxAbs = new Float64Array(L);
  const swyy = new Float64Array(L);
  const sumW = new Float64Array(L);
  const sumWY = new Float64Array(L);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    const c = codes === null ? 0 : codes[i]!;
    const v = y[i]!;
    if (!Number.isFinite(v)) throw new AnalysisError('invalid_input', `row ${i + 1}: value ${v} is not a finite number`, { row: i });
    if (counts[c] === 0) shift[c] = v;
    counts[c]!++;
    const a = Math.abs(v);
    if (a > maxAbs[c]!) maxAbs[c] = a;
    const yy = v - shift[c]!;
    const wi = w[i]!;
    const di = d[i]!;
    const wy = wi * yy;
    const b = (c * P + pattern[i]!) * K;
    cells[b + CNT]!++;
    cells[b + SD]! += di;
    cells[b + SW]! += wi;
    cells[b + SW2]! += wi * wi;
    cells[b + SDY]! += di * yy;
    cells[b + SWY]! += wy;
    cells[b + SW2Y]! += wi * wy;
    cells[b + SW2Y2]! += wy * wy;
    swyy[c]! += wy * yy;
    if (raw) {
      const wv = wi * v;
      cells[b + RSDY]! += di * v;
      cells[b + RSWY]! += wv;
      cells[b + RSW2Y]! += wi * wv;
      cells[b + RSW2Y2]! += wv * wv;
      sumW[c]! += wi;
      sumWY[c]! += wv;
    }
  }
  const column = (c: number, slot: number): Float64Array => {
    const out = new Float64Array(P);
    for (let p = 0, b = c * P * K + slot; p < P; p++, b += K) out[p] = cells[b]!;
    return out;
  };
  return { counts, shift, maxAbs, swyy, sumW, sumWY, column };
}

/** Level c's sums, what {@link estimateFromSums} takes. */
function levelSums(cells: LevelCells, c: number): DomainSums {
  return {
    n: cells.counts[c]!, shift: cells.shift[c]!, maxAbs: cells.maxAbs[c]!, cnt: Int32Array.from(cells.column(c, CNT)), sd: cells.column(c, SD), sdy: cells.column(c, SDY),
    sw: cells.column(c, SW), swy: cells.column(c, SWY), sw2: cells.column(c, SW2), sw2y: cells.column(c, SW2Y), sw2y2: cells.column(c, SW2Y2), swyy: cells.swyy[c]!,
  };
}

/** A level's published domain estimate from its sums (see {@link domainMeans}). */
export function domainEstimateFromSums(ctx: EstimationContext, level: string, sums: DomainSums): DomainEstimate {
  const e = estimateFromSums(ctx, sums);
  return {
    level,
    n: e.n,
    mean: e.mean,
    se: e.se,
    suppressed: e.n < MIN_DOMAIN_N,
    lowPrecision: Z975 * e.se > LOW_PRECISION_HALF_WIDTH,
  };
}

/**
 * Domain estimates of y over the levels of a categorical variable (R's `svyby(~y, ~var, cal,
 * svymean, na.rm = TRUE)`): the calibrated mean of each level's respondents with a value, using
 * full-sample weights and calibration residuals. Levels with no respondent with a value are left
 * out (R's drop.empty.groups). Levels are returned in `order` (labels not in it follow, sorted);
 * the empty label (a missing domain value) is left out.
 *
 * Cost: one pass over `rows` ({@link domainSumsByLevel}) plus O(P·margins + k²) per level.
 * @example
 * domainMeans(ctx, scores, hasScore, regionColumn, regionLevels)
 * // → [{ level: 'KZ-10', n: 29, mean: 87.6…, se: 3.29…, suppressed: true, lowPrecision: false }, …]
 */
export function domainMeans(
  ctx: EstimationContext, y: Float64Array, rows: Int32Array, by: FactorColumn, order: readonly string[] = [],
): DomainEstimate[] {
  return domainSumsByLevel(ctx, y, rows, by, order, false).map((l) => domainEstimateFromSums(ctx, l.level, l.sums));
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
