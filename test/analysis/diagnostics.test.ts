import { describe, expect, it } from 'vitest';
import { weightDiagnostics } from '../../analysis/diagnostics';
import { cronbachAlpha } from '../../analysis/reliability';
import { sampleVariance } from 'simple-statistics';

describe('weightDiagnostics', () => {
  it('computes Kish n_eff, deff, min, max, mean, cv (known values)', () => {
    const d = weightDiagnostics(Float64Array.of(1, 1, 2, 4));
    expect(d.kishEffectiveN).toBeCloseTo(64 / 22, 12);
    expect(d.designEffect).toBeCloseTo(4 / (64 / 22), 12);
    expect(d).toMatchObject({ min: 1, max: 4, mean: 2 });
    expect(d.cv).toBeCloseTo(Math.sqrt(1.5) / 2, 12);
    expect(d.designEffect).toBeCloseTo(1 + d.cv ** 2, 12);
  });
  it('equal weights have n_eff = n, deff 1, cv 0; scaling changes no ratio', () => {
    const d = weightDiagnostics(new Float64Array(10).fill(3));
    expect(d).toMatchObject({ kishEffectiveN: 10, designEffect: 1, cv: 0 });
    const w = Float64Array.of(0.5, 1.7, 3.2, 9.1, 2.2);
    const a = weightDiagnostics(w);
    const b = weightDiagnostics(w.map((x) => x * 1000));
    expect(b.kishEffectiveN).toBeCloseTo(a.kishEffectiveN, 10);
    expect(b.cv).toBeCloseTo(a.cv, 12);
  });
});

describe('cronbachAlpha', () => {
  it('matches the formula with sample variances (known value)', () => {
    const items = [Float64Array.of(0, 50, 100, 50), Float64Array.of(25, 50, 100, 75)];
    const sum = [25, 100, 200, 125];
    const want = 2 * (1 - (sampleVariance([0, 50, 100, 50]) + sampleVariance([25, 50, 100, 75])) / sampleVariance(sum));
    const r = cronbachAlpha(items);
    expect(r.n).toBe(4);
    expect(r.alpha).toBeCloseTo(want, 12);
    expect(r.alpha).toBeCloseTo(0.96, 12);
  });
  it('uses complete cases only', () => {
    const r = cronbachAlpha([Float64Array.of(0, 50, 100, 50, Number.NaN), Float64Array.of(25, 50, 100, 75, 0)]);
    expect(r.n).toBe(4);
    expect(r.alpha).toBeCloseTo(0.96, 12);
  });
  it('is 1 for identical items and null when undefined', () => {
    const x = Float64Array.of(0, 25, 75, 100);
    expect(cronbachAlpha([x, x, x]).alpha).toBeCloseTo(1, 12);
    expect(cronbachAlpha([x]).alpha).toBeNull();
    expect(cronbachAlpha([Float64Array.of(5), Float64Array.of(5)])).toEqual({ alpha: null, n: 1 });
    expect(cronbachAlpha([Float64Array.of(5, 5), Float64Array.of(5, 5)])).toEqual({ alpha: null, n: 2 });
  });
});
