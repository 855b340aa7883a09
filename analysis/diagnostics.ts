// Weight diagnostics reported with every raking run (METHODOLOGY §3.6).

import type { Design } from './raking';

/** Summary of a set of final weights. */
export interface WeightDiagnostics {
  /** Kish effective sample size (Σw)²/Σw². */
  kishEffectiveN: number;
  /** Kish design effect due to weighting, n / n_eff. */
  designEffect: number;
  min: number;
  max: number;
  /** Σw/n (= N/n after raking). */
  mean: number;
  /** Coefficient of variation sd/mean with the population (÷n) sd, so designEffect = 1 + cv². */
  cv: number;
}

/**
 * Kish effective n and design effect, min, max, mean and CV of the weights.
 * Cost O(n).
 * @example weightDiagnostics(Float64Array.of(1, 1, 2, 4))
 * // → { kishEffectiveN: 3.2727…, designEffect: 1.2222…, min: 1, max: 4, mean: 2, cv: 0.7071… }
 */
export function weightDiagnostics(w: Float64Array): WeightDiagnostics {
  const n = w.length;
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    s += v;
    s2 += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const dev = w[i]! - mean;
    ss += dev * dev;
  }
  const kishEffectiveN = (s * s) / s2;
  return { kishEffectiveN, designEffect: n / kishEffectiveN, min, max, mean, cv: Math.sqrt(ss / n) / mean };
}

/** Weighted vs population share of one margin cell. */
export interface MarginCellShare {
  margin: string;
  level: string;
  /** Original levels merged into this cell (just the level itself when nothing was merged). */
  members: string[];
  n: number;
  population: number;
  weighted: number;
  populationShare: number;
  weightedShare: number;
}

/**
 * Weighted vs population totals and shares for every cell of every (merged) margin.
 * Cost O(n · margins).
 * @example marginCellShares(design, w)[0] // { margin: 'region', level: 'KZ-10', n: 29, population: 430000, weighted: 430000, … }
 */
export function marginCellShares(design: Design, w: Float64Array): MarginCellShare[] {
  const out: MarginCellShare[] = [];
  let wTotal = 0;
  for (let i = 0; i < w.length; i++) wTotal += w[i]!;
  for (const m of design.margins) {
    const t = new Float64Array(m.levels.length);
    for (let i = 0; i < w.length; i++) t[m.cell[i]!]! += w[i]!;
    m.levels.forEach((l, c) => {
      out.push({
        margin: m.name, level: l.level, members: m.members[c]!, n: m.counts[c]!, population: l.population, weighted: t[c]!,
        populationShare: l.population / design.populationTotal, weightedShare: t[c]! / wTotal,
      });
    });
  }
  return out;
}
