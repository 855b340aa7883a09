// The linearised SE of analysis/estimates.ts checked against a plain dense implementation of
// METHODOLOGY §4 (full n×k design matrix, normal equations), so the per-pattern shortcuts are
// tested independently of the R reference — including bounded weights and domains R was not run on.
import { describe, expect, it } from 'vitest';
import { factorCalibration } from '../../analysis/calibration';
import { factorFromValues } from '../../analysis/columns';
import { calibratedMean, domainMeans, estimationContext, rowsWithValue, shareAtLeast, Z975 } from '../../analysis/estimates';
import { assignCells } from '../../analysis/margins';
import { buildDesign, rake, type Design } from '../../analysis/raking';
import { scoreColumns } from '../../analysis/scoring';
import { loadReference } from './reference-data';

function denseSE(design: Design, w: Float64Array, y: Float64Array, inDomain: (i: number) => boolean): { mean: number; se: number } {
  const n = design.n;
  const cols: number[][] = []; // per respondent, the indices of its 1s
  let k = 1;
  const offsets = design.margins.map((m) => { const o = k; k += m.levels.length - 1; return o; });
  for (let i = 0; i < n; i++) {
    const r = [0];
    design.margins.forEach((m, j) => { const c = m.cell[i]!; if (c > 0) r.push(offsets[j]! + c - 1); });
    cols.push(r);
  }
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) if (inDomain(i)) { sw += w[i]!; swy += w[i]! * y[i]!; }
  const mean = swy / sw;
  const z = Array.from({ length: n }, (_, i) => (inDomain(i) ? (y[i]! - mean) / sw : 0));
  const A = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let i = 0; i < n; i++) {
    for (const a of cols[i]!) {
      for (const b of cols[i]!) A[a]![b]! += design.d[i]!;
      A[a]![k]! += design.d[i]! * z[i]!;
    }
  }
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let j = c; j <= k; j++) A[r]![j]! -= f * A[c]![j]!;
    }
  }
  const beta = A.map((row, c) => row[k]! / row[c]!);
  const u = z.map((zi, i) => w[i]! * (zi - cols[i]!.reduce((s, c) => s + beta[c]!, 0)));
  const ubar = u.reduce((s, x) => s + x, 0) / n;
  const V = (n / (n - 1)) * u.reduce((s, x) => s + (x - ubar) ** 2, 0);
  return { mean, se: Math.sqrt(V) };
}

const ref = loadReference();
const scores = scoreColumns(ref.spec, ref.input.columns, ref.input.n);
const cells = assignCells(ref.margins, ref.input.columns, { minCellSize: 20, collapse: [{ margin: 'region', from: 'KZ-62', into: 'KZ-35' }] });
const design = buildDesign(cells.margins, ref.input.designWeights!);
const cal = factorCalibration(design);

describe.each([
  ['unbounded', null],
  ['bounded [0.3, 5]', [0.3, 5] as const],
])('calibratedMean equals the dense formula of METHODOLOGY §4 (%s weights)', (_label, bounds) => {
  const raked = rake(design, { bounds });
  const ctx = estimationContext(cal, raked.weights);
  it.each(['consensus', 'tolerance', 'mood'])('%s: whole sample and every region', (ind) => {
    const y = scores.indicators[ind]!;
    const rows = rowsWithValue(y);
    const e = calibratedMean(ctx, y, rows);
    const dense = denseSE(design, raked.weights, y, (i) => !Number.isNaN(y[i]!));
    expect(Math.abs(e.mean - dense.mean) / dense.mean).toBeLessThan(1e-12);
    expect(Math.abs(e.se - dense.se) / dense.se).toBeLessThan(1e-9);
    expect(e.ci95[0]).toBeCloseTo(e.mean - Z975 * e.se, 12);
    const region = ref.input.columns.region!;
    for (const d of domainMeans(ctx, y, rows, region).slice(0, 6)) {
      const code = region.labels.indexOf(d.level);
      const dd = denseSE(design, raked.weights, y, (i) => !Number.isNaN(y[i]!) && region.codes[i] === code);
      expect(Math.abs(d.mean - dd.mean) / dd.mean).toBeLessThan(1e-12);
      expect(Math.abs(d.se - dd.se) / dd.se).toBeLessThan(1e-9);
    }
  });
});

describe('calibratedMean: known values and bad input', () => {
  const ctx = estimationContext(cal, rake(design).weights);
  it('a constant has mean c, SE 0 and no deff', () => {
    const y = new Float64Array(design.n).fill(42);
    const e = calibratedMean(ctx, y, rowsWithValue(y));
    expect(e.mean).toBeCloseTo(42, 12);
    expect(e.se).toBeLessThan(1e-9);
    expect(e.deff).toBeNull();
  });
  it('a variable that is a calibration variable has SE 0 (calibration removes its variance)', () => {
    // The share of urban respondents is fixed by the settlement margin.
    const urban = Float64Array.from(ref.input.columns.settlement!.codes, (c) => (ref.input.columns.settlement!.labels[c] === 'urban' ? 1 : 0));
    const e = calibratedMean(ctx, urban, rowsWithValue(urban));
    expect(e.mean).toBeCloseTo(8723400 / 14070000, 10);
    expect(e.se).toBeLessThan(1e-9);
  });
  it('shareAtLeast is the calibrated mean of the 0/1 indicator', () => {
    const y = scores.indicators.mood!;
    const rows = rowsWithValue(y);
    const s = shareAtLeast(ctx, y, rows, 60);
    const ind = Float64Array.from(y, (v) => (Number.isNaN(v) ? Number.NaN : v >= 60 ? 1 : 0));
    const e = calibratedMean(ctx, ind, rows);
    expect(s).toEqual({ share: e.mean, se: e.se });
  });
  it('rejects an empty domain and non-finite values', () => {
    const y = scores.indicators.mood!;
    expect(() => calibratedMean(ctx, y, new Int32Array(0))).toThrow(/over no respondents/);
    const bad = Float64Array.from(y);
    bad[5] = Infinity;
    expect(() => calibratedMean(ctx, bad, Int32Array.of(4, 5))).toThrow(/row 6: value Infinity is not a finite number/);
  });
  it('domainMeans orders levels as asked, leaves out empty and blank levels, marks small domains', () => {
    const y = Float64Array.from({ length: design.n }, (_, i) => (i % 3 === 0 ? Number.NaN : (i * 37) % 101));
    const by = factorFromValues(Array.from({ length: design.n }, (_, i) => (i < 10 ? 'tiny' : i % 2 ? 'b' : i % 5 ? 'a' : '')));
    const d = domainMeans(ctx, y, rowsWithValue(y), by, ['b', 'a']);
    expect(d.map((x) => x.level)).toEqual(['b', 'a', 'tiny']);
    expect(d[2]).toMatchObject({ n: 6, suppressed: true });
    expect(d[0]!.suppressed).toBe(false);
    expect(d.every((x) => x.lowPrecision === Z975 * x.se > 10)).toBe(true);
  });
});
