import { describe, expect, it } from 'vitest';
import { rng } from './random';
import { factorFromValues } from '../../analysis/columns';
import { assignCells, type Margin } from '../../analysis/margins';
import { buildDesign, maxMarginError, rake } from '../../analysis/raking';


/** n respondents, `vars` variables with `levels` levels each, and margins with unequal populations. */
function synthetic(n: number, vars: number, levels: number, seed = 1) {
  const rand = rng(seed);
  const columns: Record<string, ReturnType<typeof factorFromValues>> = {};
  const margins: Margin[] = [];
  for (let v = 0; v < vars; v++) {
    const name = `v${v}`;
    columns[name] = factorFromValues(Array.from({ length: n }, () => `l${Math.floor(rand() * levels)}`));
    const pops = Array.from({ length: levels }, (_, k) => 1000 + 100 * k + v);
    const total = pops.reduce((a, b) => a + b, 0);
    margins.push({ name, variables: [name], levels: pops.map((p, k) => ({ level: `l${k}`, population: (p / total) * 1e6 })) });
  }
  return { columns, margins };
}

describe('buildDesign', () => {
  it('groups respondents into patterns of cells, also past the dense lookup table (8^7 combinations)', () => {
    const { columns, margins } = synthetic(3000, 7, 8);
    const cells = assignCells(margins, columns, { minCellSize: 1 });
    const design = buildDesign(cells.margins, new Float64Array(3000).fill(1));
    const M = margins.length;
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const p = design.pattern[i]!;
      const key: number[] = [];
      for (let m = 0; m < M; m++) {
        expect(design.patternCells[p * M + m]).toBe(cells.margins[m]!.cell[i]);
        key.push(cells.margins[m]!.cell[i]!);
      }
      seen.add(key.join(','));
    }
    expect(design.P).toBe(seen.size);
    expect(Array.from(design.count).reduce((a, b) => a + b, 0)).toBe(3000);
  });
  it('rejects a design weight that is not a positive number, naming the row', () => {
    const { columns, margins } = synthetic(10, 1, 2);
    const cells = assignCells(margins, columns, { minCellSize: 1 });
    expect(() => buildDesign(cells.margins, Float64Array.of(1, 1, 1, 0, 1, 1, 1, 1, 1, 1))).toThrow(/row 4: design weight 0 must be a finite number greater than 0/);
    expect(() => buildDesign(cells.margins, Float64Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1, Number.NaN))).toThrow(/row 10/);
  });
});

describe('rake', () => {
  it('hits every margin of seven variables and keeps g within bounds when asked', () => {
    const { columns, margins } = synthetic(3000, 7, 8, 7);
    const cells = assignCells(margins, columns, { minCellSize: 1 });
    const d = Float64Array.from({ length: 3000 }, (_, i) => 1 + (i % 5));
    const design = buildDesign(cells.margins, d);
    const r = rake(design);
    expect(r.converged).toBe(true);
    expect(r.maxMarginError).toBeLessThan(1e-10 * 1e6);
    expect(maxMarginError(design, r.G)).toBe(r.maxMarginError);
    const total = r.weights.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1e6, 4);
    const b = rake(design, { bounds: [0.5, 2] });
    const sumD = d.reduce((a, x) => a + x, 0);
    b.weights.forEach((w, i) => {
      const g = w / ((d[i]! * 1e6) / sumD);
      expect(g).toBeGreaterThanOrEqual(0.5 * (1 - 1e-12));
      expect(g).toBeLessThanOrEqual(2 * (1 + 1e-12));
    });
    expect(b.converged).toBe(true);
  });
  it('rejects impossible bounds', () => {
    const { columns, margins } = synthetic(50, 2, 3);
    const design = buildDesign(assignCells(margins, columns, { minCellSize: 1 }).margins, new Float64Array(50).fill(1));
    expect(() => rake(design, { bounds: [2, 1] })).toThrow(/weight bounds 2,1 must satisfy 0 < lo < hi/);
  });
});
