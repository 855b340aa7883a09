// Raking (iterative proportional fitting) of design weights to population margins, with optional
// bounds on the adjustment factor (METHODOLOGY §3.2, §3.4).
//
// Why patterns: raking multiplies a respondent's design weight by one factor per cell of each
// margin, so the adjustment g is the same for every respondent with the same combination of cells
// (a "pattern": at most 20 regions × 8 sex-age cells × 2 × 4 = 1,280 of them in the official
// design). IPF therefore runs on per-pattern sums of design weights instead of on every
// respondent; the result is the same IPF, at a cost independent of n. The same patterns carry the
// calibration regression (calibration.ts).

import { AnalysisError } from './errors';
import type { AppliedMerge, CellMargin } from './margins';

/** Respondents grouped by their combination of margin cells. */
export interface Design {
  /** Number of respondents. */
  n: number;
  /** Design weights d (> 0), per respondent. */
  d: Float64Array;
  /** Margins after merging, with each respondent's cell. */
  margins: CellMargin[];
  /** Population total N (every margin sums to it). */
  populationTotal: number;
  /** Number of distinct patterns P. */
  P: number;
  /** Respondent → pattern index. */
  pattern: Int32Array;
  /** Pattern p's cell in margin m is patternCells[p·M + m]. */
  patternCells: Int32Array;
  /** Σ d over the respondents of each pattern. */
  dSum: Float64Array;
  /** Respondents per pattern. */
  count: Int32Array;
}

/**
 * Groups respondents into patterns of margin cells and sums design weights per pattern.
 * Cost: O(n · margins).
 * @throws AnalysisError code 'invalid_input' when a design weight is not a finite number > 0
 *   (naming the row) or there are no margins/respondents.
 * @example buildDesign(assignCells(margins, columns).margins, Float64Array.from([1, 2, 1]))
 */
export function buildDesign(margins: CellMargin[], d: Float64Array, rowName: (row: number) => string = (r) => `row ${r + 1}`): Design {
  if (margins.length === 0) throw new AnalysisError('invalid_input', 'no margins to weight to');
  const n = d.length;
  if (n === 0) throw new AnalysisError('invalid_input', 'no respondents');
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new AnalysisError('invalid_input', `${rowName(i)}: design weight ${v} must be a finite number greater than 0`, { row: i });
    }
  }
  const M = margins.length;
  const sizes = margins.map((m) => m.levels.length);
  const pattern = new Int32Array(n);
  const cellsList: number[] = [];
  let P = 0;
  const product = sizes.reduce((a, b) => a * b, 1);
  if (product <= 1 << 20) {
    // Dense lookup from the mixed-radix code of the cells to the pattern index.
    const lut = new Int32Array(product).fill(-1);
    for (let i = 0; i < n; i++) {
      let key = 0;
      for (let m = 0; m < M; m++) key = key * sizes[m]! + margins[m]!.cell[i]!;
      let p = lut[key]!;
      if (p < 0) {
        p = lut[key] = P++;
        for (let m = 0; m < M; m++) cellsList.push(margins[m]!.cell[i]!);
      }
      pattern[i] = p;
    }
  } else {
    const map = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      let key = '';
      for (let m = 0; m < M; m++) key += margins[m]!.cell[i]! + ',';
      let p = map.get(key);
      if (p === undefined) {
        p = P++;
        map.set(key, p);
        for (let m = 0; m < M; m++) cellsList.push(margins[m]!.cell[i]!);
      }
      pattern[i] = p;
    }
  }
  const dSum = new Float64Array(P);
  const count = new Int32Array(P);
  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    dSum[p]! += d[i]!;
    count[p]!++;
  }
  let populationTotal = 0;
  for (const l of margins[0]!.levels) populationTotal += l.population;
  return { n, d, margins, populationTotal, P, pattern, patternCells: Int32Array.from(cellsList), dSum, count };
}

/** Options of {@link rake}. */
export interface RakeOptions {
  /** Stop when every |weighted − population| cell difference < tolerance · N. Default 1e-10. */
  tolerance?: number;
  /** Sweeps over all margins allowed per raking. Default 1000. */
  maxSweeps?: number;
  /** Bounds [lo, hi] on g = w / (d·N/Σd), or null for none. Default null. */
  bounds?: readonly [number, number] | null;
  /** Capping-and-re-raking rounds allowed with bounds. Default 50. */
  maxRounds?: number;
}

/** The raked weights and how the raking went. */
export interface RakeResult {
  /** Final weight per respondent: w = d · G[pattern]. */
  weights: Float64Array;
  /** Multiplicative adjustment per pattern (w / d). */
  G: Float64Array;
  /** True when the margins hold within tolerance (and, with bounds, the bounds too). */
  converged: boolean;
  /** Total IPF sweeps over all margins (summed over rounds when bounded). */
  iterations: number;
  /** Capping rounds used (0 without bounds). */
  rounds: number;
  /** Largest |weighted − population| cell total over all margins, in population units. */
  maxMarginError: number;
  /** Merges applied before raking (copied from the cell assignment). */
  merged: AppliedMerge[];
}

function marginTotals(design: Design, G: Float64Array, m: number, out: Float64Array): void {
  const M = design.margins.length;
  out.fill(0);
  const cells = design.patternCells;
  const dSum = design.dSum;
  for (let p = 0; p < design.P; p++) out[cells[p * M + m]!]! += dSum[p]! * G[p]!;
}

/**
 * Largest absolute difference between weighted and population cell totals over every margin, for
 * per-pattern adjustments G. Cost O(P · margins).
 * @example maxMarginError(design, G) // 3.2e-6 (population units)
 */
export function maxMarginError(design: Design, G: Float64Array): number {
  let err = 0;
  for (let m = 0; m < design.margins.length; m++) {
    const levels = design.margins[m]!.levels;
    const t = new Float64Array(levels.length);
    marginTotals(design, G, m, t);
    for (let c = 0; c < levels.length; c++) err = Math.max(err, Math.abs(t[c]! - levels[c]!.population));
  }
  return err;
}

/**
 * One IPF run from G (modified in place) until the tolerance holds or maxSweeps pass. Patterns
 * with fixed[p] = 1 (capped at a bound) keep their weight; the others are scaled so that each
 * cell's free weight makes up what the fixed weight leaves of the population total.
 */
function ipf(design: Design, G: Float64Array, tol: number, maxSweeps: number, fixed: Uint8Array | null = null): { sweeps: number; err: number } {
  const M = design.margins.length;
  const cells = design.patternCells;
  const dSum = design.dSum;
  const totals = design.margins.map((m) => new Float64Array(m.levels.length));
  const fixedTotals = design.margins.map((m) => new Float64Array(m.levels.length));
  if (fixed) {
    for (let m = 0; m < M; m++) {
      for (let p = 0; p < design.P; p++) if (fixed[p]) fixedTotals[m]![cells[p * M + m]!]! += dSum[p]! * G[p]!;
    }
  }
  const sweep = (): void => {
    for (let m = 0; m < M; m++) {
      const t = totals[m]!;
      if (fixed) {
        t.fill(0);
        for (let p = 0; p < design.P; p++) if (!fixed[p]) t[cells[p * M + m]!]! += dSum[p]! * G[p]!;
      } else marginTotals(design, G, m, t);
      const levels = design.margins[m]!.levels;
      const ft = fixedTotals[m]!;
      for (let c = 0; c < t.length; c++) {
        // A cell with no free weight left cannot be adjusted; a cell whose fixed weight already
        // exceeds the population gets a tiny factor, pushing its free patterns to the lower bound.
        t[c] = t[c]! > 0 ? Math.max((levels[c]!.population - ft[c]!) / t[c]!, 1e-12) : 1;
      }
      if (fixed) {
        for (let p = 0; p < design.P; p++) if (!fixed[p]) G[p]! *= t[cells[p * M + m]!]!;
      } else {
        for (let p = 0; p < design.P; p++) G[p]! *= t[cells[p * M + m]!]!;
      }
    }
  };
  let err = maxMarginError(design, G);
  let sweeps = 0;
  while (err >= tol && sweeps < maxSweeps) {
    sweeps++;
    sweep();
    err = maxMarginError(design, G);
  }
  // Once within tolerance, a few more sweeps (cheap: O(P)) take the weights to near machine
  // precision, so results do not depend on where within the tolerance the loop happened to stop
  // (the R reference is compared to a relative 1e-9 per weight).
  const floor = tol * 1e-4;
  while (err < tol && err > floor && sweeps < maxSweeps) {
    const before = err;
    sweep();
    sweeps++;
    err = maxMarginError(design, G);
    if (err > 0.5 * before) break;
  }
  return { sweeps, err };
}

/**
 * Rakes design weights to the margins by iterative proportional fitting (METHODOLOGY §3.2): each
 * sweep scales the weights of every margin's cells in turn to their population totals, until the
 * largest |weighted − population| cell difference is below tolerance·N. The fixed point is
 * calibration with the raking distance (R: `survey::rake`, `calibrate(calfun = "raking")`).
 *
 * With bounds [lo, hi] (METHODOLOGY §3.4): after raking, every pattern whose g = w/(d·N/Σd) is
 * outside the bounds is capped at the bound and fixed there, and the other patterns are raked
 * again to what the fixed ones leave of each cell; this repeats until no g leaves the bounds, or
 * maxRounds pass. The returned weights always respect the bounds; `converged` tells whether the
 * margins hold too, and maxMarginError says by how much they miss either way. (The result is a
 * bounded raking solution, not necessarily R's bounded `calibrate()` one: both hold the margins
 * and the bounds, but they distribute the capped weight differently.)
 *
 * Cost: O(sweeps · P · margins) plus O(n) to expand weights; P ≤ n is the number of patterns.
 * @throws AnalysisError code 'not_converged' when, without bounds, the margins do not hold after
 *   maxSweeps (e.g. contradictory crossed margins), naming the remaining error.
 * @example
 * const r = rake(buildDesign(cells.margins, d)); r.weights // raked weights, Σw = N
 */
export function rake(design: Design, options: RakeOptions = {}): RakeResult {
  const tol = (options.tolerance ?? 1e-10) * design.populationTotal;
  const maxSweeps = options.maxSweeps ?? 1000;
  const bounds = options.bounds ?? null;
  const maxRounds = options.maxRounds ?? 50;
  const G = new Float64Array(design.P).fill(1);
  let { sweeps, err } = ipf(design, G, tol, maxSweeps);
  let iterations = sweeps;
  let rounds = 0;
  let converged = err < tol;
  if (!bounds) {
    if (!converged) {
      throw new AnalysisError('not_converged',
        `raking did not converge in ${maxSweeps} sweeps: the largest margin error is still ${err} (tolerance ${tol}); check that crossed margins agree with each other`,
        { maxMarginError: err });
    }
  } else {
    const [lo, hi] = bounds;
    if (!(lo > 0 && hi > lo && Number.isFinite(hi))) {
      throw new AnalysisError('invalid_input', `weight bounds ${lo},${hi} must satisfy 0 < lo < hi`);
    }
    let dTotal = 0;
    for (let p = 0; p < design.P; p++) dTotal += design.dSum[p]!;
    // g = w/(d·N/Σd) = G·Σd/N, so the bounds on g are bounds on G.
    const gLo = (lo * design.populationTotal) / dTotal;
    const gHi = (hi * design.populationTotal) / dTotal;
    // Capping and re-raking (METHODOLOGY §3.4): a pattern whose g leaves the bounds is capped at
    // the bound and fixed there; the remaining patterns are raked again to what the fixed ones
    // leave of each population cell. Re-raking everything from the capped weights instead was
    // measured to oscillate (margin error still 19,300 on raking-a after 50 rounds).
    const fixed = new Uint8Array(design.P);
    converged = false;
    while (rounds < maxRounds) {
      rounds++;
      let capped = false;
      for (let p = 0; p < design.P; p++) {
        if (fixed[p]) continue;
        if (G[p]! < gLo) { G[p] = gLo; fixed[p] = 1; capped = true; } else if (G[p]! > gHi) { G[p] = gHi; fixed[p] = 1; capped = true; }
      }
      if (!capped) { converged = err < tol; break; }
      ({ sweeps, err } = ipf(design, G, tol, maxSweeps, fixed));
      iterations += sweeps;
    }
    // Leave the weights within bounds whatever happened; the caller reports the margin error.
    for (let p = 0; p < design.P; p++) G[p] = Math.min(gHi, Math.max(gLo, G[p]!));
    err = maxMarginError(design, G);
    converged = converged && err < tol;
  }
  const weights = new Float64Array(design.n);
  const pattern = design.pattern;
  const d = design.d;
  for (let i = 0; i < design.n; i++) weights[i] = d[i]! * G[pattern[i]!]!;
  return { weights, G, converged, iterations, rounds, maxMarginError: err, merged: [] };
}
