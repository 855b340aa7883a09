// Imputation of a declined weighting variable, for weighting only (METHODOLOGY §3.5).

import type { FactorColumn } from './columns';
import type { Margin } from './margins';

/** What was imputed for one variable. */
export interface Imputation {
  variable: string;
  /** The declined answer, e.g. "refused". */
  value: string;
  /** Respondents imputed. */
  count: number;
}

/**
 * Replaces a declined answer (e.g. ethnicity "refused") by the most frequent answered level among
 * respondents of the same group (region × settlement type by default), ties going to the level
 * with the larger population in the margin. A group where nobody answered falls back to the most
 * frequent level over all respondents (same tie rule). Only values that are levels of `margin`
 * count as answers. The returned column is for weighting only: every other table must show the
 * answer as given.
 *
 * Cost: O(n · groups variables) plus O(groups · levels).
 * @example
 * imputeDeclined(factorFromValues(['kazakh', 'refused', 'russian', 'kazakh']), 'refused', ethnicityMargin, [regionColumn, settlementColumn])
 * // → { column: labels ['kazakh', 'russian'] with the refusal coded as kazakh (most frequent in its group), count: 1 }
 */
export function imputeDeclined(
  col: FactorColumn, declined: string, margin: Margin, groupBy: readonly FactorColumn[],
): { column: FactorColumn; count: number } {
  const n = col.codes.length;
  const declinedCodes = new Set<number>();
  col.labels.forEach((l, c) => { if (l === declined) declinedCodes.add(c); });
  if (declinedCodes.size === 0) return { column: col, count: 0 };
  // Level index of each label (−1 for labels that are not levels, such as the declined one).
  const levelOf = new Map(margin.levels.map((l, k) => [l.level, k]));
  const L = margin.levels.length;
  const labelLevel = Int32Array.from(col.labels, (l) => levelOf.get(l) ?? -1);
  // Group key per respondent from the grouping columns' codes.
  const sizes = groupBy.map((g) => g.labels.length);
  const G = sizes.reduce((a, b) => a * b, 1);
  const key = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 0; j < groupBy.length; j++) k = k * sizes[j]! + groupBy[j]!.codes[i]!;
    key[i] = k;
  }
  const counts = new Float64Array(G * L);
  const overall = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    const lv = labelLevel[col.codes[i]!]!;
    if (lv < 0) continue;
    counts[key[i]! * L + lv]!++;
    overall[lv]!++;
  }
  const best = (arr: Float64Array, off: number): number => {
    let b = -1;
    for (let l = 0; l < L; l++) {
      const c = arr[off + l]!;
      if (c === 0) continue;
      if (b < 0 || c > arr[off + b]! || (c === arr[off + b]! && margin.levels[l]!.population > margin.levels[b]!.population)) b = l;
    }
    return b;
  };
  const fallback = best(overall, 0);
  // New labels: the original ones, plus any level not yet among them, so every level has a code.
  const labels = [...col.labels];
  const codeOfLevel = margin.levels.map((l) => {
    const c = labels.indexOf(l.level);
    if (c >= 0) return c;
    labels.push(l.level);
    return labels.length - 1;
  });
  const codes = Int32Array.from(col.codes);
  const chosen = new Int32Array(G).fill(-2);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!declinedCodes.has(codes[i]!)) continue;
    const g = key[i]!;
    if (chosen[g] === -2) {
      const b = best(counts, g * L);
      chosen[g] = b >= 0 ? b : fallback;
    }
    const lv = chosen[g]!;
    if (lv < 0) continue; // nobody answered at all: left as is, the margin check reports it
    codes[i] = codeOfLevel[lv]!;
    count++;
  }
  return { column: { codes, labels }, count };
}
