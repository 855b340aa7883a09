// Internal consistency of an indicator's items (METHODOLOGY §2, "Reliability").

/** Cronbach's α and the number of complete cases it was computed on. */
export interface AlphaResult {
  /** null when fewer than 2 complete cases, fewer than 2 items, or the sum score has no variance. */
  alpha: number | null;
  n: number;
}

/**
 * Cronbach's α on the complete cases of item scores (respondents with every item non-missing),
 * with sample (n−1) variances: α = m/(m−1)·(1 − Σ var(item)/var(sum of items)). Unweighted, as
 * R's `psych::alpha` / the reference script compute it. Missing scores are NaN.
 *
 * Cost: O(n·m), two passes (means, then centred sums of squares, for accuracy).
 * @example
 * cronbachAlpha([Float64Array.of(0, 50, 100, 50), Float64Array.of(25, 50, 100, 75)])
 * // → { alpha: 0.96, n: 4 }
 */
export function cronbachAlpha(items: readonly Float64Array[]): AlphaResult {
  const m = items.length;
  const n0 = m > 0 ? items[0]!.length : 0;
  const complete = new Uint8Array(n0);
  let n = 0;
  for (let i = 0; i < n0; i++) {
    let ok = 1;
    for (let j = 0; j < m; j++) if (Number.isNaN(items[j]![i]!)) { ok = 0; break; }
    complete[i] = ok;
    n += ok;
  }
  if (m < 2 || n < 2) return { alpha: null, n };
  const means = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const col = items[j]!;
    let s = 0;
    for (let i = 0; i < n0; i++) if (complete[i]) s += col[i]!;
    means[j] = s / n;
  }
  const ssItem = new Float64Array(m);
  let ssSum = 0;
  for (let i = 0; i < n0; i++) {
    if (!complete[i]) continue;
    let t = 0;
    for (let j = 0; j < m; j++) {
      const dev = items[j]![i]! - means[j]!;
      ssItem[j]! += dev * dev;
      t += dev;
    }
    ssSum += t * t;
  }
  if (!(ssSum > 0)) return { alpha: null, n };
  let sumVar = 0;
  for (let j = 0; j < m; j++) sumVar += ssItem[j]! / (n - 1);
  const alpha = (m / (m - 1)) * (1 - sumVar / (ssSum / (n - 1)));
  return { alpha, n };
}
