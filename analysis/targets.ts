// Comparison of estimates with the Concept's targets and between waves (METHODOLOGY §5).

import { AnalysisError } from './errors';
import { Z975 } from './estimates';

/** An estimate with its standard error, in points. */
export interface PointEstimate {
  mean: number;
  se: number;
}

/** An annual value: the mean of the year's wave estimates. */
export interface AnnualValue extends PointEstimate {
  year: number;
  /** Number of waves pooled. */
  waves: number;
}

function checkEstimate(e: PointEstimate, what: string): void {
  if (!Number.isFinite(e.mean) || !Number.isFinite(e.se) || e.se < 0) {
    throw new AnalysisError('invalid_input', `${what}: mean ${e.mean} and SE ${e.se} must be finite numbers, SE ≥ 0`);
  }
}

/**
 * Pools waves into annual values (METHODOLOGY §5): for each year with at least one wave, the
 * unweighted mean of the wave estimates (each wave raked on its own) with SE = √(Σ SEᵢ²)/k for k
 * waves (waves are independent samples). Years without a wave get no value: nothing is
 * interpolated. Returned in increasing year order.
 *
 * Cost O(waves).
 * @throws AnalysisError code 'invalid_input' for a non-integer year or a non-finite mean/SE.
 * @example
 * annualValues([{ year: 2024, mean: 80, se: 1 }, { year: 2024, mean: 82, se: 1 }, { year: 2025, mean: 81, se: 0.5 }])
 * // → [{ year: 2024, mean: 81, se: 0.7071…, waves: 2 }, { year: 2025, mean: 81, se: 0.5, waves: 1 }]
 */
export function annualValues(waves: readonly (PointEstimate & { year: number })[]): AnnualValue[] {
  const byYear = new Map<number, PointEstimate[]>();
  for (const w of waves) {
    if (!Number.isInteger(w.year)) throw new AnalysisError('invalid_input', `wave year ${w.year} must be a whole number`);
    checkEstimate(w, `wave of ${w.year}`);
    const list = byYear.get(w.year) ?? [];
    list.push(w);
    byYear.set(w.year, list);
  }
  return [...byYear.entries()].sort((a, b) => a[0] - b[0]).map(([year, list]) => {
    const k = list.length;
    let sum = 0;
    let v = 0;
    for (const e of list) { sum += e.mean; v += e.se * e.se; }
    return { year, mean: sum / k, se: Math.sqrt(v) / k, waves: k };
  });
}

/** Status of an estimate against its year's target. */
export type TargetStatus = 'achieved' | 'achieved_not_significant' | 'below_target_not_significant' | 'below_target';

/**
 * Status against a target T (METHODOLOGY §5) with the 95% CI ȳ ± z₀.₉₇₅·SE:
 * 'achieved' if the lower bound ≥ T; 'achieved_not_significant' if ȳ ≥ T > lower;
 * 'below_target_not_significant' if ȳ < T ≤ upper; 'below_target' if upper < T.
 * `gap` is ȳ − T in points.
 *
 * Cost O(1).
 * @throws AnalysisError code 'invalid_input' for non-finite inputs.
 * @example targetStatus({ mean: 80.9, se: 0.3 }, 80.6)
 * // → { gap: 0.3…, lower: 80.31…, upper: 81.49…, status: 'achieved_not_significant' }
 */
export function targetStatus(e: PointEstimate, target: number): { gap: number; lower: number; upper: number; status: TargetStatus } {
  checkEstimate(e, 'estimate');
  if (!Number.isFinite(target)) throw new AnalysisError('invalid_input', `target ${target} must be a finite number`);
  const lower = e.mean - Z975 * e.se;
  const upper = e.mean + Z975 * e.se;
  let status: TargetStatus;
  if (lower >= target) status = 'achieved';
  else if (e.mean >= target) status = 'achieved_not_significant';
  else if (upper >= target) status = 'below_target_not_significant';
  else status = 'below_target';
  return { gap: e.mean - target, lower, upper, status };
}

/** Eurostat's progress categories towards a target. */
export type ProgressCategory = 'target_achieved' | 'on_track' | 'moderate_progress' | 'insufficient_progress' | 'moving_away';

/** Inputs of {@link eurostatProgress}. */
export interface ProgressInput {
  /** Baseline value b (the Concept's 2021 estimate, or the first measured year's value). */
  baseline: number;
  /** Year of the baseline. Default 2021. */
  baselineYear?: number;
  /** Latest value y_t and its year t (> baselineYear). */
  value: number;
  year: number;
  /** Target value and year. Default year 2026. */
  target: number;
  targetYear?: number;
}

/**
 * Progress towards a target with Eurostat's SDG method for quantified targets (METHODOLOGY §5):
 * actual growth CAGRₐ = (y_t/b)^(1/(t − t₀)) − 1, required CAGRᵣ = (T/b)^(1/(T_year − t₀)) − 1,
 * ratio RR = CAGRₐ/CAGRᵣ; ≥ 0.95 'on_track', [0.6, 0.95) 'moderate_progress', [0, 0.6)
 * 'insufficient_progress', < 0 'moving_away'; a value already at or above the target is
 * 'target_achieved' (ratio still reported). When the target does not exceed the baseline (no
 * growth required) a value below the target is 'moving_away' and ratio is null.
 *
 * Cost O(1).
 * @throws AnalysisError code 'invalid_input' for non-positive values, or years out of order.
 * @example eurostatProgress({ baseline: 80, value: 80.5, year: 2023, target: 81 })
 * // → { cagrActual: 0.003120…, cagrRequired: 0.002487…, ratio: 1.2543…, category: 'on_track' }
 */
export function eurostatProgress(input: ProgressInput): {
  cagrActual: number; cagrRequired: number; ratio: number | null; category: ProgressCategory;
} {
  const t0 = input.baselineYear ?? 2021;
  const tT = input.targetYear ?? 2026;
  const { baseline: b, value: y, year: t, target: T } = input;
  for (const [name, v] of [['baseline', b], ['value', y], ['target', T]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new AnalysisError('invalid_input', `progress: ${name} ${v} must be a number greater than 0`);
  }
  if (!Number.isInteger(t) || !Number.isInteger(t0) || !Number.isInteger(tT) || t <= t0 || tT <= t0) {
    throw new AnalysisError('invalid_input', `progress: years must be whole numbers with baseline year ${t0} before the value's year ${t} and the target year ${tT}`);
  }
  const cagrActual = (y / b) ** (1 / (t - t0)) - 1;
  const cagrRequired = (T / b) ** (1 / (tT - t0)) - 1;
  const ratio = cagrRequired > 0 ? cagrActual / cagrRequired : null;
  let category: ProgressCategory;
  if (y >= T) category = 'target_achieved';
  else if (ratio === null) category = 'moving_away';
  else if (ratio >= 0.95) category = 'on_track';
  else if (ratio >= 0.6) category = 'moderate_progress';
  else if (ratio >= 0) category = 'insufficient_progress';
  else category = 'moving_away';
  return { cagrActual, cagrRequired, ratio, category };
}

/**
 * Change between two waves (METHODOLOGY §5): Δ = later − earlier, z = Δ/√(SE₁² + SE₂²)
 * (independent samples), significant at 5% when |z| ≥ 1.96.
 *
 * Cost O(1).
 * @throws AnalysisError code 'invalid_input' for non-finite inputs or two zero SEs.
 * @example waveChange({ mean: 80, se: 0.6 }, { mean: 82, se: 0.8 })
 * // → { difference: 2, se: 1, z: 2, significant: true }
 */
export function waveChange(earlier: PointEstimate, later: PointEstimate): { difference: number; se: number; z: number; significant: boolean } {
  checkEstimate(earlier, 'earlier wave');
  checkEstimate(later, 'later wave');
  const difference = later.mean - earlier.mean;
  const se = Math.sqrt(earlier.se ** 2 + later.se ** 2);
  if (!(se > 0)) throw new AnalysisError('invalid_input', 'wave change: both standard errors are 0, so no test is possible');
  const z = difference / se;
  return { difference, se, z, significant: Math.abs(z) >= 1.96 };
}
