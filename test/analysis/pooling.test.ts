// Annual domain values (analysis/pooling.ts): one wave gives exactly the wave's domain estimate;
// two waves give exactly the brute-force estimate over the stacked respondents (weights w/k, each
// wave's own calibration residuals from a dense regression, variance summed over waves).
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzeInput } from '../../analysis/analyze';
import { factorCalibration } from '../../analysis/calibration';
import type { FactorColumn } from '../../analysis/columns';
import { calibratedMean, domainGroups, domainMeans, estimationContext, MIN_DOMAIN_N, rowsWithValue, Z975, type EstimationContext } from '../../analysis/estimates';
import { assignCells, defaultCollapseMap } from '../../analysis/margins';
import { domainEstimatesAndMoments, domainMoments, domainMomentsByLevel, poolDomains, type PoolingMoments } from '../../analysis/pooling';
import { buildDesign, rake, type Design } from '../../analysis/raking';
import { scoreColumns } from '../../analysis/scoring';
import { rng } from './random';
import { loadReference } from './reference-data';

const ref = loadReference();
const IND = ['consensus', 'tolerance', 'mood'] as const;

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

interface Wave {
  design: Design;
  ctx: EstimationContext;
  columns: Record<string, FactorColumn>;
  scores: Record<string, Float64Array>;
}

/** A wave: the reference rows picked by `pick` (row indices, repeats allowed), raked on its own. */
function makeWave(pick: readonly number[], bounds: readonly [number, number] | null): Wave {
  const columns: Record<string, FactorColumn> = {};
  for (const [name, col] of Object.entries(ref.input.columns)) {
    columns[name] = { labels: col.labels, codes: Int32Array.from(pick, (i) => col.codes[i]!) };
  }
  const d = Float64Array.from(pick, (i) => ref.input.designWeights![i]!);
  const scores = scoreColumns(ref.spec, columns, pick.length).indicators;
  const cells = assignCells(ref.margins, columns, { minCellSize: 20, collapse: defaultCollapseMap(ref.margins) });
  const design = buildDesign(cells.margins, d);
  const ctx = estimationContext(factorCalibration(design), rake(design, { bounds }).weights);
  return { design, ctx, columns, scores };
}

/** Residuals of z from the d-weighted least-squares regression on the dense design matrix X. */
function denseResiduals(design: Design, z: Float64Array): Float64Array {
  const n = design.n;
  let k = 1;
  const offsets = design.margins.map((m) => { const o = k; k += m.levels.length - 1; return o; });
  const rowCols = (i: number): number[] => {
    const r = [0];
    design.margins.forEach((m, j) => { const c = m.cell[i]!; if (c > 0) r.push(offsets[j]! + c - 1); });
    return r;
  };
  const A = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const cols = rowCols(i);
    for (const a of cols) {
      for (const b of cols) A[a]![b]! += design.d[i]!;
      A[a]![k]! += design.d[i]! * z[i]!;
    }
  }
  // Gauss–Jordan with partial pivoting; a (numerically) zero pivot is a dependent column: β = 0.
  const beta = new Array<number>(k).fill(0);
  const pivotRow: number[] = [];
  let row = 0;
  for (let c = 0; c < k && row < k; c++) {
    let p = row;
    for (let r = row + 1; r < k; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    if (Math.abs(A[p]![c]!) < 1e-9) continue;
    [A[row], A[p]] = [A[p]!, A[row]!];
    for (let r = 0; r < k; r++) {
      if (r === row) continue;
      const f = A[r]![c]! / A[row]![c]!;
      for (let j = c; j <= k; j++) A[r]![j]! -= f * A[row]![j]!;
    }
    pivotRow[c] = row++;
  }
  pivotRow.forEach((r, c) => { beta[c] = A[r]![k]! / A[r]![c]!; });
  return Float64Array.from({ length: n }, (_, i) => z[i]! - rowCols(i).reduce((s, c) => s + beta[c]!, 0));
}

/** The stacked estimate computed the long way, respondent by respondent. */
function bruteForce(waves: readonly Wave[], ind: string, by: string, level: string): { n: number; mean: number; se: number } {
  const k = waves.length;
  const inD = (wv: Wave, i: number): boolean => {
    const col = wv.columns[by]!;
    return !Number.isNaN(wv.scores[ind]![i]!) && col.labels[col.codes[i]!] === level;
  };
  let n = 0;
  let sw = 0;
  let swy = 0;
  for (const wv of waves) {
    for (let i = 0; i < wv.design.n; i++) {
      if (!inD(wv, i)) continue;
      n++;
      sw += wv.ctx.w[i]! / k;
      swy += (wv.ctx.w[i]! / k) * wv.scores[ind]![i]!;
    }
  }
  const mean = swy / sw;
  let V = 0;
  for (const wv of waves) {
    const nw = wv.design.n;
    const z = Float64Array.from({ length: nw }, (_, i) => (inD(wv, i) ? (wv.scores[ind]![i]! - mean) / sw : 0));
    const e = denseResiduals(wv.design, z);
    const u = Float64Array.from(e, (ei, i) => (wv.ctx.w[i]! / k) * ei);
    const ub = u.reduce((s, x) => s + x, 0) / nw;
    V += (nw / (nw - 1)) * u.reduce((s, x) => s + (x - ub) ** 2, 0);
  }
  return { n, mean, se: Math.sqrt(V) };
}

const all = Array.from({ length: ref.input.n }, (_, i) => i);
const random = rng(20261129);
const resample = Array.from({ length: 1100 }, () => Math.floor(random() * ref.input.n));

describe('poolDomains over one wave equals the wave domain estimate (domainMeans)', () => {
  it.each([
    ['unbounded', null],
    ['bounded [0.3, 5]', [0.3, 5] as const],
  ])('%s weights: every indicator, every level of region, sex and age', (_label, bounds) => {
    const wave = makeWave(all, bounds);
    for (const ind of IND) {
      const y = wave.scores[ind]!;
      const rows = rowsWithValue(y);
      for (const by of ['region', 'sex', 'age']) {
        const order = ref.margins.find((m) => m.name === by)?.levels.map((l) => l.level) ?? [];
        const est = domainMeans(wave.ctx, y, rows, wave.columns[by]!, order);
        const moments = domainMomentsByLevel(wave.ctx, y, rows, wave.columns[by]!, order);
        expect(Object.keys(moments)).toEqual(est.map((e) => e.level));
        for (const e of est) {
          const p = poolDomains([moments[e.level]!]);
          expect(p.n).toBe(e.n);
          expect(rel(p.mean, e.mean), `${ind} ${by} ${e.level} mean`).toBeLessThan(1e-12);
          expect(rel(p.se, e.se), `${ind} ${by} ${e.level} se`).toBeLessThan(1e-12);
          expect(p.suppressed).toBe(e.suppressed);
          expect(p.lowPrecision).toBe(e.lowPrecision);
          expect(p.ci95[0]).toBe(p.mean - Z975 * p.se);
          expect(p.ci95[1]).toBe(p.mean + Z975 * p.se);
        }
      }
    }
  });
});

describe('domainEstimatesAndMoments: one pass over all levels', () => {
  it('gives, to the last bit, calibratedMean and domainMoments over each level\'s rows alone', () => {
    const wave = makeWave(resample, [0.3, 5]);
    for (const ind of IND) {
      const y = wave.scores[ind]!;
      const rows = rowsWithValue(y);
      for (const by of ['region', 'sex', 'age']) {
        const order = ref.margins.find((m) => m.name === by)?.levels.map((l) => l.level) ?? [];
        const { estimates, moments } = domainEstimatesAndMoments(wave.ctx, y, rows, wave.columns[by]!, order);
        const groups = domainGroups(rows, wave.columns[by]!, order);
        expect(estimates.map((e) => e.level)).toEqual(groups.map((g) => g.level));
        expect(Object.keys(moments)).toEqual(groups.map((g) => g.level));
        groups.forEach((g, k) => {
          const alone = calibratedMean(wave.ctx, y, g.rows);
          expect(estimates[k]).toEqual({ level: g.level, n: alone.n, mean: alone.mean, se: alone.se, suppressed: alone.n < MIN_DOMAIN_N, lowPrecision: Z975 * alone.se > 10 });
          expect(moments[g.level]).toEqual(domainMoments(wave.ctx, y, g.rows));
        });
      }
    }
  });
});

describe('poolDomains over two waves equals the brute-force stacked estimate', () => {
  const w1 = makeWave(all, [0.3, 5]);
  const w2 = makeWave(resample, [0.3, 5]);
  it.each(IND)('%s: the first regions and both sexes', (ind) => {
    for (const [by, levels] of [['region', ['KZ-75', 'KZ-71', 'KZ-79', 'KZ-62']], ['sex', ['m', 'f']]] as const) {
      for (const level of levels) {
        const m = [w1, w2].map((wv) => domainMomentsByLevel(wv.ctx, wv.scores[ind]!, rowsWithValue(wv.scores[ind]!), wv.columns[by]!)[level]);
        const present = m.filter((x): x is PoolingMoments => x !== undefined);
        const p = poolDomains(present);
        const b = bruteForce([w1, w2], ind, by, level);
        expect(p.n).toBe(b.n);
        expect(rel(p.mean, b.mean), `${ind} ${level} mean`).toBeLessThan(1e-12);
        expect(rel(p.se, b.se), `${ind} ${level} se`).toBeLessThan(1e-9);
      }
    }
  });
});

describe('poolDomains: properties and bad input', () => {
  const wave = makeWave(all, [0.3, 5]);
  const y = wave.scores.consensus!;
  const rows = rowsWithValue(y);
  const byRegion = domainMomentsByLevel(wave.ctx, y, rows, wave.columns.region!);
  const levels = Object.keys(byRegion);
  it('the same wave twice: same mean, SE divided by √2, n doubled', () => {
    for (const l of levels) {
      const one = poolDomains([byRegion[l]!]);
      const two = poolDomains([byRegion[l]!, byRegion[l]!]);
      expect(two.n).toBe(2 * one.n);
      expect(rel(two.mean, one.mean)).toBeLessThan(1e-14);
      expect(rel(two.se, one.se / Math.SQRT2)).toBeLessThan(1e-12);
    }
  });
  it('the order of the waves does not matter, and a wave without the domain (zero moments) adds nothing', () => {
    const a = byRegion[levels[0]!]!;
    const b = byRegion[levels[1]!]!;
    const ab = poolDomains([a, b]);
    const ba = poolDomains([b, a]);
    expect(rel(ab.mean, ba.mean)).toBeLessThan(1e-14);
    expect(rel(ab.se, ba.se)).toBeLessThan(1e-14);
    const zero: PoolingMoments = { n: 0, sumW: 0, sumWY: 0, vYY: 0, vY1: 0, v11: 0 };
    expect(poolDomains([a, zero])).toEqual(poolDomains([a]));
  });
  it('a domain too small in each wave is not suppressed once the pooled n reaches 30', () => {
    const small = Object.values(byRegion).find((m) => m.n < 30 && m.n >= 15);
    expect(small, 'the reference data have a region with 15–29 respondents').toBeDefined();
    expect(poolDomains([small!]).suppressed).toBe(true);
    expect(poolDomains([small!, small!]).suppressed).toBe(false);
  });
  it('the domain moments of the whole sample give the overall estimate', () => {
    const whole = domainMoments(wave.ctx, y, rows);
    const est = analyze(ref.input, { spec: ref.spec, margins: ref.margins }).indicators.consensus!;
    const p = poolDomains([whole]);
    expect(rel(p.mean, est.mean!)).toBeLessThan(1e-12);
    expect(rel(p.se, est.se!)).toBeLessThan(1e-12);
  });
  it('rejects no respondents, non-finite moments and a fractional n', () => {
    expect(() => poolDomains([])).toThrow(/no respondent in any wave/);
    expect(() => poolDomains([{ ...byRegion[levels[0]!]!, vYY: Number.NaN }])).toThrow(/wave 1: vYY NaN is not a finite number/);
    expect(() => poolDomains([byRegion[levels[0]!]!, { ...byRegion[levels[0]!]!, n: 2.5 }])).toThrow(/wave 2: n 2.5 must be a whole number/);
  });
});

describe('analyze({ pooling: true })', () => {
  const input: AnalyzeInput = ref.input;
  const by = ['region', 'sex', 'age', 'settlement', 'ethnicity'];
  const withPooling = analyze(input, { spec: ref.spec, margins: ref.margins, by, pooling: true });
  const without = analyze(input, { spec: ref.spec, margins: ref.margins, by });
  it('returns moments for every indicator, by variable and domain level, each pooling to the domain estimate', () => {
    for (const ind of IND) {
      for (const v of by) {
        const doms = withPooling.indicators[ind]!.domains[v]!;
        const moments = withPooling.pooling![ind]![v]!;
        expect(Object.keys(moments)).toEqual(doms.map((d) => d.level));
        for (const d of doms) {
          const p = poolDomains([moments[d.level]!]);
          expect(p.n).toBe(d.n);
          expect(rel(p.mean, d.mean)).toBeLessThan(1e-12);
          expect(rel(p.se, d.se)).toBeLessThan(1e-12);
        }
      }
    }
  });
  it('leaves the printed document unchanged and adds nothing without the option', () => {
    const { pooling, cells: _c1, perRespondent: _p1, ...a } = withPooling;
    const { cells: _c2, perRespondent: _p2, ...b } = without;
    expect(pooling).toBeDefined();
    expect(without.pooling).toBeUndefined();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
