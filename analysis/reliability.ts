// Internal consistency of an indicator's items (METHODOLOGY §2, "Reliability").

import type { CodedScores } from './scoring';

/** Cronbach's α and the number of complete cases it was computed on. */
export interface AlphaResult {
  /** null when fewer than 2 complete cases, fewer than 2 items, or the sum score has no variance. */
  alpha: number | null;
  n: number;
}

/**
 * Cronbach's α on the complete cases of item scores (respondents with every item non-missing),
 * with sample (n−1) variances: α = m/(m−1)·(1 − Σ var(item)/var(sum of items)). Unweighted, as the
 * R reference (test/fixtures/reference/ref.R) computes it. Items are score columns (NaN =
 * missing), either plain or coded as the engine keeps them ({@link CodedScores}).
 *
 * Cost: one pass, O(n·m). Sums are taken around the first complete case's scores, which keeps
 * the one-pass variance formula free of serious cancellation for 0–100 scores.
 * @example
 * cronbachAlpha([Float64Array.of(0, 50, 100, 50), Float64Array.of(25, 50, 100, 75)])
 * // → { alpha: 0.96, n: 4 }
 */
export function cronbachAlpha(items: readonly (Float64Array | CodedScores)[]): AlphaResult {
  const m = items.length;
  const coded: CodedScores[] = items.map((it) =>
    it instanceof Float64Array ? { codes: Int32Array.from({ length: it.length }, (_, i) => i), table: it } : it);
  const n0 = m > 0 ? coded[0]!.codes.length : 0;
  const x = new Float64Array(m);
  const shift = new Float64Array(m);
  const s1 = new Float64Array(m);
  const s2 = new Float64Array(m);
  let t1 = 0;
  let t2 = 0;
  let n = 0;
  rows: for (let i = 0; i < n0; i++) {
    for (let j = 0; j < m; j++) {
      const c = coded[j]!;
      const v = c.table[c.codes[i]!]!;
      if (v !== v) continue rows; // NaN: not a complete case
      x[j] = v;
    }
    if (n === 0) shift.set(x);
    let t = 0;
    for (let j = 0; j < m; j++) {
      const v = x[j]! - shift[j]!;
      s1[j]! += v;
      s2[j]! += v * v;
      t += v;
    }
    t1 += t;
    t2 += t * t;
    n++;
  }
  if (m < 2 || n < 2) return { alpha: null, n };
  let sumVar = 0;
  for (let j = 0; j < m; j++) sumVar += Math.max(s2[j]! - (s1[j]! * s1[j]!) / n, 0) / (n - 1);
  const varSum = Math.max(t2 - (t1 * t1) / n, 0) / (n - 1);
  // A sum score with no variance beyond rounding noise: α is undefined.
  if (!(varSum > 1e-12 * (1 + sumVar))) return { alpha: null, n };
  return { alpha: (m / (m - 1)) * (1 - sumVar / varSum), n };
}
