import { describe, expect, it } from 'vitest';
import { AnalysisError } from '../../analysis/errors';
import { annualValues, eurostatProgress, targetStatus, waveChange } from '../../analysis/targets';

describe('annualValues (METHODOLOGY §5)', () => {
  it('pools the waves of each year: mean of estimates, SE = √(Σ SE²)/k', () => {
    const r = annualValues([
      { year: 2025, mean: 81, se: 0.5 },
      { year: 2024, mean: 80, se: 0.6 }, { year: 2024, mean: 82, se: 0.8 },
      { year: 2024, mean: 81, se: 0.9 }, { year: 2024, mean: 79, se: 1.2 },
    ]);
    expect(r.map((a) => a.year)).toEqual([2024, 2025]);
    expect(r[0]!.mean).toBeCloseTo(80.5, 12);
    expect(r[0]!.se).toBeCloseTo(Math.sqrt(0.36 + 0.64 + 0.81 + 1.44) / 4, 12);
    expect(r[0]!.waves).toBe(4);
    expect(r[1]).toEqual({ year: 2025, mean: 81, se: 0.5, waves: 1 });
  });
  it('gives no value to a year without waves (nothing interpolated)', () => {
    expect(annualValues([{ year: 2022, mean: 1, se: 1 }, { year: 2024, mean: 3, se: 1 }]).map((a) => a.year)).toEqual([2022, 2024]);
    expect(annualValues([])).toEqual([]);
  });
  it('pooling k equal waves divides the SE by √k', () => {
    for (let k = 1; k <= 6; k++) {
      const r = annualValues(Array.from({ length: k }, () => ({ year: 2023, mean: 70, se: 2 })));
      expect(r[0]!.se).toBeCloseTo(2 / Math.sqrt(k), 12);
    }
  });
  it('rejects bad input', () => {
    expect(() => annualValues([{ year: 2024.5, mean: 1, se: 1 }])).toThrow(/year 2024.5 must be a whole number/);
    expect(() => annualValues([{ year: 2024, mean: Number.NaN, se: 1 }])).toThrow(AnalysisError);
    expect(() => annualValues([{ year: 2024, mean: 1, se: -1 }])).toThrow(/SE ≥ 0/);
  });
});

describe('targetStatus', () => {
  const z = 1.959963984540054;
  it('classifies the four cases around the target', () => {
    expect(targetStatus({ mean: 82, se: 0.5 }, 80.6).status).toBe('achieved');
    expect(targetStatus({ mean: 80.9, se: 0.3 }, 80.6).status).toBe('achieved_not_significant');
    expect(targetStatus({ mean: 80.3, se: 0.3 }, 80.6).status).toBe('below_target_not_significant');
    expect(targetStatus({ mean: 78, se: 0.5 }, 80.6).status).toBe('below_target');
  });
  it('reports the gap in points and the CI', () => {
    const r = targetStatus({ mean: 80.9, se: 0.3 }, 80.6);
    expect(r.gap).toBeCloseTo(0.3, 12);
    expect(r.lower).toBeCloseTo(80.9 - z * 0.3, 12);
    expect(r.upper).toBeCloseTo(80.9 + z * 0.3, 12);
  });
  it('treats the boundaries as METHODOLOGY says: lower = T is achieved, estimate = T is achieved, upper = T is not significant', () => {
    expect(targetStatus({ mean: 80 + z * 1, se: 1 }, 80).status).toBe('achieved');
    expect(targetStatus({ mean: 80, se: 1 }, 80).status).toBe('achieved_not_significant');
    expect(targetStatus({ mean: 80, se: 0 }, 80).status).toBe('achieved');
    expect(targetStatus({ mean: 76, se: 4 / z }, 80).status).toBe('below_target_not_significant');
  });
  it('rejects a non-finite target', () => {
    expect(() => targetStatus({ mean: 80, se: 1 }, Number.NaN)).toThrow(/target NaN/);
  });
});

describe('eurostatProgress', () => {
  it('computes both growth rates and the ratio', () => {
    const r = eurostatProgress({ baseline: 80, value: 80.5, year: 2023, target: 81 });
    expect(r.cagrActual).toBeCloseTo(Math.sqrt(80.5 / 80) - 1, 14);
    expect(r.cagrRequired).toBeCloseTo((81 / 80) ** (1 / 5) - 1, 14);
    expect(r.ratio).toBeCloseTo(r.cagrActual / r.cagrRequired, 14);
    expect(r.category).toBe('on_track');
  });
  it('classifies by the ratio thresholds 95%, 60%, 0', () => {
    // Tolerance target 2026: 69.5 from 67.0. Required CAGR ≈ 0.735%/year.
    const req = (69.5 / 67) ** (1 / 5) - 1;
    const valueFor = (ratio: number, t = 2024): number => 67 * (1 + ratio * req) ** (t - 2021);
    expect(eurostatProgress({ baseline: 67, value: valueFor(0.96), year: 2024, target: 69.5 }).category).toBe('on_track');
    expect(eurostatProgress({ baseline: 67, value: valueFor(0.94), year: 2024, target: 69.5 }).category).toBe('moderate_progress');
    expect(eurostatProgress({ baseline: 67, value: valueFor(0.61), year: 2024, target: 69.5 }).category).toBe('moderate_progress');
    expect(eurostatProgress({ baseline: 67, value: valueFor(0.59), year: 2024, target: 69.5 }).category).toBe('insufficient_progress');
    expect(eurostatProgress({ baseline: 67, value: 67, year: 2024, target: 69.5 }).category).toBe('insufficient_progress');
    expect(eurostatProgress({ baseline: 67, value: 66.5, year: 2024, target: 69.5 }).category).toBe('moving_away');
    expect(eurostatProgress({ baseline: 67, value: 69.5, year: 2024, target: 69.5 }).category).toBe('target_achieved');
  });
  it('handles a target that requires no growth', () => {
    expect(eurostatProgress({ baseline: 70, value: 69, year: 2024, target: 69.5 })).toMatchObject({ ratio: null, category: 'moving_away' });
    expect(eurostatProgress({ baseline: 70, value: 70, year: 2024, target: 69.5 }).category).toBe('target_achieved');
  });
  it('uses the first measured year as baseline when asked', () => {
    const r = eurostatProgress({ baseline: 79, baselineYear: 2022, value: 80, year: 2024, target: 81 });
    expect(r.cagrActual).toBeCloseTo((80 / 79) ** (1 / 2) - 1, 14);
    expect(r.cagrRequired).toBeCloseTo((81 / 79) ** (1 / 4) - 1, 14);
  });
  it('rejects impossible inputs', () => {
    expect(() => eurostatProgress({ baseline: 0, value: 1, year: 2024, target: 2 })).toThrow(/baseline 0 must be a number greater than 0/);
    expect(() => eurostatProgress({ baseline: 80, value: 81, year: 2021, target: 82 })).toThrow(/years must be whole numbers/);
  });
});

describe('waveChange', () => {
  it('computes Δ, its SE and z with independent samples', () => {
    expect(waveChange({ mean: 80, se: 0.6 }, { mean: 82, se: 0.8 })).toEqual({ difference: 2, se: 1, z: 2, significant: true });
    const r = waveChange({ mean: 80, se: 0.6 }, { mean: 79, se: 0.8 });
    expect(r).toEqual({ difference: -1, se: 1, z: -1, significant: false });
  });
  it('uses |z| ≥ 1.96 and is antisymmetric', () => {
    expect(waveChange({ mean: 0, se: 1 }, { mean: 1.96, se: 0 }).significant).toBe(true);
    expect(waveChange({ mean: 0, se: 1 }, { mean: 1.959, se: 0 }).significant).toBe(false);
    const a = { mean: 70, se: 0.7 };
    const b = { mean: 72.3, se: 0.4 };
    expect(waveChange(a, b).z).toBeCloseTo(-waveChange(b, a).z, 14);
  });
  it('rejects two exact estimates', () => {
    expect(() => waveChange({ mean: 1, se: 0 }, { mean: 2, se: 0 })).toThrow(/both standard errors are 0/);
  });
});
