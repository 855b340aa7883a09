// Properties of the whole analysis (issue 3, "Proof"), on the R reference data set.
import { describe, expect, it } from 'vitest';
import { analyze, type AnalysisResult, type AnalyzeInput } from '../../analysis/analyze';
import { factorFromValues, type FactorColumn } from '../../analysis/columns';
import { AnalysisError } from '../../analysis/errors';
import type { Margin } from '../../analysis/margins';
import { loadReference } from './reference-data';

const ref = loadReference();
const IND = ['consensus', 'tolerance', 'mood'];
const opts = { spec: ref.spec, margins: ref.margins, minCellSize: 1, bounds: null, by: ['region'], respondents: true } as const;

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** Every estimate of a and b agrees to a relative tol (domains matched by level). */
function expectSameEstimates(a: AnalysisResult, b: AnalysisResult, tol: number): void {
  for (const id of IND) {
    const x = a.indicators[id]!;
    const y = b.indicators[id]!;
    expect(x.nScored).toBe(y.nScored);
    for (const k of ['mean', 'se', 'deff'] as const) expect(rel(x[k]!, y[k]!), `${id} ${k}`).toBeLessThan(tol);
    expect(rel(x.shareAtLeast60!.share, y.shareAtLeast60!.share)).toBeLessThan(tol);
    expect(rel(x.shareAtLeast60!.se, y.shareAtLeast60!.se)).toBeLessThan(tol);
    for (const [v, doms] of Object.entries(x.domains)) {
      const other = new Map(y.domains[v]!.map((d) => [d.level, d]));
      expect(doms.length).toBe(other.size);
      for (const d of doms) {
        const e = other.get(d.level)!;
        expect(d.n).toBe(e.n);
        expect(rel(d.mean, e.mean), `${id} ${d.level} mean`).toBeLessThan(tol);
        expect(rel(d.se, e.se), `${id} ${d.level} se`).toBeLessThan(tol);
      }
    }
  }
}

function weightsById(r: AnalysisResult): Map<string, number> {
  return new Map(r.respondents!.map((x) => [x.id, x.weight]));
}

function subsetColumns(input: AnalyzeInput, order: number[]): AnalyzeInput {
  const columns: Record<string, FactorColumn> = {};
  for (const [k, c] of Object.entries(input.columns)) columns[k] = { labels: c.labels, codes: Int32Array.from(order, (i) => c.codes[i]!) };
  return {
    n: order.length,
    id: (i) => input.id(order[i]!),
    columns,
    designWeights: Float64Array.from(order, (i) => input.designWeights![i]!),
  };
}

const base = analyze(ref.input, opts);

describe('analyze: properties', () => {
  it('equal weights give unweighted results', () => {
    // Margins equal to the sample's own counts (×10): raking leaves equal design weights alone.
    const margins: Margin[] = ref.margins.map((m) => {
      const cols = m.variables.map((v) => ref.input.columns[v]!);
      const counts = new Map<string, number>();
      for (let i = 0; i < ref.input.n; i++) {
        const key = cols.map((c) => c.labels[c.codes[i]!]).join(':');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return { ...m, levels: m.levels.map((l) => ({ level: l.level, population: 10 * counts.get(l.level)! })) };
    });
    const r = analyze({ ...ref.input, designWeights: null }, { ...opts, margins });
    for (const x of r.respondents!) expect(x.weight).toBeCloseTo(10, 9);
    expect(r.weights.kishEffectiveN).toBeCloseTo(ref.input.n, 6);
    for (const id of IND) {
      const e = r.indicators[id]!;
      expect(rel(e.mean!, e.unweightedMean!)).toBeLessThan(1e-12);
      const scores = r.respondents!.map((x) => x.scores[id]).filter((v): v is number => v !== null);
      expect(rel(e.shareAtLeast60!.share, scores.filter((v) => v >= 60).length / scores.length)).toBeLessThan(1e-12);
    }
  });

  it('scaling the design weights changes nothing', () => {
    const scaled = Float64Array.from(ref.input.designWeights!, (d) => d * 37.25);
    const r = analyze({ ...ref.input, designWeights: scaled }, opts);
    const w = weightsById(base);
    for (const x of r.respondents!) expect(rel(x.weight, w.get(x.id)!)).toBeLessThan(1e-9);
    expectSameEstimates(r, base, 1e-9);
  });

  it('raked margins hit their population totals', () => {
    for (const c of base.cells) expect(rel(c.weighted, c.population), `${c.margin} ${c.level}`).toBeLessThan(1e-10);
    for (const m of ref.margins) {
      const cells = base.cells.filter((c) => c.margin === m.name);
      expect(cells.map((c) => c.level)).toEqual(m.levels.map((l) => l.level));
      expect(cells.reduce((s, c) => s + c.weightedShare, 0)).toBeCloseTo(1, 12);
    }
    expect(base.raking.maxMarginError).toBeLessThan(1e-10 * base.populationTotal);
  });

  it('permuting respondents changes nothing', () => {
    // A fixed pseudo-random permutation (reverse + stride) keeps the test deterministic.
    const n = ref.input.n;
    const order = Array.from({ length: n }, (_, i) => (i * 7 + 3) % n).reverse();
    expect(new Set(order).size).toBe(n);
    const r = analyze(subsetColumns(ref.input, order), opts);
    const w = weightsById(base);
    for (const x of r.respondents!) expect(rel(x.weight, w.get(x.id)!)).toBeLessThan(1e-9);
    expectSameEstimates(r, base, 1e-9);
  });

  it('a respondent with all items missing has no score and does not enter any estimate', () => {
    const skipper = base.respondents!.findIndex((x) => IND.every((id) => x.scores[id] === null));
    expect(skipper).toBeGreaterThanOrEqual(0);
    for (const id of IND) {
      const e = base.indicators[id]!;
      const scored = base.respondents!.filter((x) => x.scores[id] !== null);
      expect(e.nScored).toBe(scored.length);
      const sw = scored.reduce((s, x) => s + x.weight, 0);
      expect(rel(e.mean!, scored.reduce((s, x) => s + x.weight * x.scores[id]!, 0) / sw)).toBeLessThan(1e-12);
    }
    // Whatever "missing" looks like (empty, or all items of the skipper emptied further), nothing moves:
    // blank out the skipper's remaining answered items and the estimates stay the same.
    const columns: Record<string, FactorColumn> = { ...ref.input.columns };
    for (const ind of ref.spec.indicators) for (const it of ind.items) {
      const c = ref.input.columns[it.name]!;
      const labels = [...c.labels, ''];
      const codes = Int32Array.from(c.codes);
      codes[skipper] = labels.length - 1;
      columns[it.name] = { labels, codes };
    }
    const r = analyze({ ...ref.input, columns }, opts);
    expectSameEstimates(r, base, 1e-12);
  });

  it('a redundant margin (sex beside sex:age) changes neither weights nor standard errors', () => {
    const sexAge = ref.margins.find((m) => m.name === 'sex:age')!;
    const sex = ['m', 'f'].map((s) => ({ level: s, population: sexAge.levels.filter((l) => l.level.startsWith(`${s}:`)).reduce((t, l) => t + l.population, 0) }));
    const r = analyze(ref.input, { ...opts, margins: [...ref.margins, { name: 'sex', variables: ['sex'], levels: sex }] });
    const w = weightsById(base);
    for (const x of r.respondents!) expect(rel(x.weight, w.get(x.id)!)).toBeLessThan(1e-9);
    expectSameEstimates(r, base, 1e-8);
  });
});

describe('analyze: sparse categories, bounds, domains', () => {
  it('merges a sparse region into its declared partner and reports it; the domain stays separate', () => {
    const r = analyze(ref.input, { ...opts, minCellSize: 20 });
    expect(r.raking.merged).toEqual([{ margin: 'region', from: 'KZ-62', into: 'KZ-35' }]);
    const karaganda = r.cells.find((c) => c.margin === 'region' && c.level === 'KZ-35')!;
    expect(karaganda.members).toEqual(['KZ-35', 'KZ-62']);
    expect(karaganda.population).toBe(840000 + 160000);
    expect(r.cells.some((c) => c.level === 'KZ-62')).toBe(false);
    expect(r.indicators.consensus!.domains.region!.find((d) => d.level === 'KZ-62')).toMatchObject({ n: 3, suppressed: true });
  });

  it('keeps g within the default bounds [0.3, 5] while the margins still hold', () => {
    const r = analyze(ref.input, { ...opts, minCellSize: 20, bounds: [0.3, 5] });
    const d = ref.input.designWeights!;
    const sumD = d.reduce((s, x) => s + x, 0);
    let gMax = 0;
    let gMin = Infinity;
    r.respondents!.forEach((x, i) => {
      const g = x.weight / ((d[i]! * r.populationTotal) / sumD);
      gMax = Math.max(gMax, g);
      gMin = Math.min(gMin, g);
    });
    // Unbounded, the reference weights need g up to about 6.4.
    const gMaxUnbounded = Math.max(...base.respondents!.map((x, i) => x.weight / ((d[i]! * base.populationTotal) / sumD)));
    expect(gMaxUnbounded).toBeGreaterThan(5);
    expect(gMax).toBeLessThanOrEqual(5 * (1 + 1e-12));
    expect(gMin).toBeGreaterThanOrEqual(0.3 * (1 - 1e-12));
    expect(r.raking.converged).toBe(true);
    expect(r.raking.maxMarginError).toBeLessThan(1e-10 * r.populationTotal);
    for (const c of r.cells) expect(rel(c.weighted, c.population)).toBeLessThan(1e-9);
  });

  it('reports, without failing, bounds that cannot hold together with the margins', () => {
    // Unmerged, KZ-62's 3 respondents (d = 1, N/Σd = 9,380) can carry at most 3·5·9,380 = 140,700
    // of its 160,000 people under g ≤ 5: the margin misses by exactly 19,300.
    const r = analyze(ref.input, { ...opts, minCellSize: 1, bounds: [0.3, 5] });
    expect(r.raking.converged).toBe(false);
    expect(r.raking.maxMarginError).toBeCloseTo(19_300, 3);
    const kz62 = r.cells.find((c) => c.level === 'KZ-62')!;
    expect(kz62.weighted).toBeCloseTo(140_700, 3);
    expect(Math.max(...r.respondents!.map((x) => x.weight))).toBeLessThanOrEqual(5 * 9380 * (1 + 1e-12));
    expect(Number.isFinite(r.indicators.consensus!.mean!)).toBe(true);
    const tight = analyze(ref.input, { ...opts, minCellSize: 20, bounds: [0.9, 1.1] });
    expect(tight.raking.converged).toBe(false);
    expect(tight.raking.maxMarginError).toBeGreaterThan(1e-10 * tight.populationTotal);
  });

  it('gives domain estimates for a variable that is not a margin, levels sorted', () => {
    const r = analyze(ref.input, { ...opts, by: ['sex', 'settlement'] });
    const sex = r.indicators.mood!.domains.sex!;
    expect(sex.map((d) => d.level)).toEqual(['f', 'm']);
    expect(sex.reduce((s, d) => s + d.n, 0)).toBe(r.indicators.mood!.nScored);
    expect(r.indicators.mood!.domains.settlement!.map((d) => d.level)).toEqual(['urban', 'rural']);
  });

  it('fails when raking cannot converge (contradictory margins)', () => {
    const sex = [{ level: 'm', population: 7_000_000 }, { level: 'f', population: 7_070_000 }];
    try {
      analyze(ref.input, { ...opts, margins: [...ref.margins, { name: 'sex', variables: ['sex'], levels: sex }] });
      expect.unreachable();
    } catch (e) {
      expect((e as AnalysisError).code).toBe('not_converged');
      expect((e as Error).message).toMatch(/raking did not converge in 1000 sweeps/);
    }
  });

  it('bands age in years as the margins do: the same results as with the bands given', () => {
    const age = ref.input.columns.age!;
    const years: Record<string, number[]> = { '18-29': [18, 23, 29], '30-44': [30, 37, 44], '45-59': [45, 59], '60+': [60, 75, 101] };
    const values = Array.from(age.codes, (c, i) => { const ys = years[age.labels[c]!]!; return ys[i % ys.length]!; });
    const r = analyze({ ...ref.input, columns: { ...ref.input.columns, age: factorFromValues(values) } }, opts);
    expectSameEstimates(r, base, 1e-12);
    const w = weightsById(base);
    for (const x of r.respondents!) expect(x.weight).toBe(w.get(x.id));
  });

  it('names the respondent of a bad value', () => {
    const c = ref.input.columns.c1!;
    const labels = [...c.labels, '7'];
    const codes = Int32Array.from(c.codes);
    codes[41] = labels.length - 1;
    expect(() => analyze({ ...ref.input, columns: { ...ref.input.columns, c1: { labels, codes } } }, opts))
      .toThrow(/row 42 \(id "r00042"\): item "c1": value "7" is not a number from 1 to 5/);
  });
});
