// The calibration regression behind linearised standard errors (METHODOLOGY §4): residuals of a
// variable from its least-squares regression on the calibration design matrix, weighted by the
// design weights d.
//
// The design matrix X is R's `model.matrix(~ m1 + m2 + ...)` over the margins: an intercept plus
// treatment-coded indicator columns of each margin (its first level dropped). Each respondent's
// row of X is determined by its pattern (raking.ts), so X'DX = Σ_p (Σ_{i∈p} d_i) x_p x_p' is
// accumulated over patterns (≈35×35 for the official design) and factored once; a regression of
// z is then X'Dz accumulated over the respondents where z ≠ 0, one small solve, and a fitted
// value per pattern. Columns that are linear combinations of earlier ones (overlapping margins
// such as sex and sex:age) are detected in the factorisation and dropped, which leaves the
// residuals unchanged (they depend only on the column space).

import type { Design } from './raking';

/** A factored calibration regression, reusable for any number of variables. */
export interface Calibration {
  design: Design;
  /** Number of columns of X (intercept included). */
  k: number;
  /** Column of pattern p in margin m: cols[p·M + m], or −1 for the margin's first level. */
  cols: Int32Array;
  /** Lower-triangular Cholesky factor of X'DX (row-major k×k), zero on dropped columns. */
  L: Float64Array;
  /** 1 for columns kept, 0 for columns found linearly dependent on earlier ones. */
  active: Uint8Array;
}

/**
 * Builds and factors X'DX for a design. Cost O(P · M² + k³).
 * @example const cal = factorCalibration(design); cal.k // 1 + Σ (levels − 1)
 */
export function factorCalibration(design: Design): Calibration {
  const M = design.margins.length;
  const offsets: number[] = [];
  let k = 1;
  for (const m of design.margins) {
    offsets.push(k);
    k += m.levels.length - 1;
  }
  const cols = new Int32Array(design.P * M);
  for (let p = 0; p < design.P; p++) {
    for (let m = 0; m < M; m++) {
      const c = design.patternCells[p * M + m]!;
      cols[p * M + m] = c === 0 ? -1 : offsets[m]! + c - 1;
    }
  }
  const A = new Float64Array(k * k);
  const act = new Int32Array(M + 1);
  for (let p = 0; p < design.P; p++) {
    const w = design.dSum[p]!;
    let a = 0;
    act[a++] = 0;
    for (let m = 0; m < M; m++) {
      const c = cols[p * M + m]!;
      if (c >= 0) act[a++] = c;
    }
    for (let r = 0; r < a; r++) for (let s = 0; s < a; s++) A[act[r]! * k + act[s]!]! += w;
  }
  // Cholesky with detection of dependent columns: a pivot that is (relative to the column's own
  // diagonal) numerically zero marks the column as a combination of earlier ones.
  const L = new Float64Array(k * k);
  const active = new Uint8Array(k);
  for (let j = 0; j < k; j++) {
    let s = A[j * k + j]!;
    for (let t = 0; t < j; t++) s -= L[j * k + t]! * L[j * k + t]!;
    if (!(s > 1e-10 * A[j * k + j]!)) continue;
    active[j] = 1;
    const ljj = Math.sqrt(s);
    L[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = A[i * k + j]!;
      for (let t = 0; t < j; t++) v -= L[i * k + t]! * L[j * k + t]!;
      L[i * k + j] = v / ljj;
    }
  }
  return { design, k, cols, L, active };
}

/**
 * Solves (X'DX) β = b on the kept columns (β = 0 on dropped ones). Cost O(k²).
 * @example solve(cal, xtdz) // β
 */
export function solve(cal: Calibration, b: Float64Array): Float64Array {
  const { k, L, active } = cal;
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    if (!active[i]) continue;
    let v = b[i]!;
    for (let t = 0; t < i; t++) v -= L[i * k + t]! * y[t]!;
    y[i] = v / L[i * k + i]!;
  }
  const beta = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    if (!active[i]) continue;
    let v = y[i]!;
    for (let t = i + 1; t < k; t++) v -= L[t * k + i]! * beta[t]!;
    beta[i] = v / L[i * k + i]!;
  }
  return beta;
}

/**
 * Fitted value x_p'β of the d-weighted regression of z on X, per pattern, given the per-pattern
 * sums Σ_{i∈p} d_i z_i. Cost O(P · M + k²).
 * @example fittedByPattern(cal, dzByPattern) // Float64Array(P)
 */
export function fittedByPattern(cal: Calibration, dzByPattern: Float64Array): Float64Array {
  const { design, k, cols } = cal;
  const M = design.margins.length;
  const b = new Float64Array(k);
  for (let p = 0; p < design.P; p++) {
    const v = dzByPattern[p]!;
    if (v === 0) continue;
    b[0]! += v;
    for (let m = 0; m < M; m++) {
      const c = cols[p * M + m]!;
      if (c >= 0) b[c]! += v;
    }
  }
  const beta = solve(cal, b);
  const f = new Float64Array(design.P);
  for (let p = 0; p < design.P; p++) {
    let v = beta[0]!;
    for (let m = 0; m < M; m++) {
      const c = cols[p * M + m]!;
      if (c >= 0) v += beta[c]!;
    }
    f[p] = v;
  }
  return f;
}
