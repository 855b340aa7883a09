import { describe, expect, it } from 'vitest';
import { analyze } from '../../analysis/analyze';
import { factorFromValues, type FactorColumn } from '../../analysis/columns';
import { imputeDeclined } from '../../analysis/imputation';
import type { Margin } from '../../analysis/margins';
import { loadReference } from './reference-data';

const eth: Margin = { name: 'ethnicity', variables: ['ethnicity'], levels: [
  { level: 'kazakh', population: 70 }, { level: 'russian', population: 20 }, { level: 'other', population: 10 }] };
const labelsOf = (c: FactorColumn): string[] => Array.from(c.codes, (k) => c.labels[k]!);

describe('imputeDeclined (METHODOLOGY §3.5)', () => {
  it('takes the most frequent answer in the same region and settlement type', () => {
    const region = factorFromValues(['A', 'A', 'A', 'A', 'B', 'B', 'B']);
    const settlement = factorFromValues(['u', 'u', 'u', 'r', 'u', 'u', 'u']);
    const col = factorFromValues(['russian', 'russian', 'refused', 'refused', 'kazakh', 'other', 'refused']);
    const r = imputeDeclined(col, 'refused', eth, [region, settlement]);
    // A/u: russian ×2 → russian. A/r: nobody answered → overall most frequent (russian ×2).
    // B/u: kazakh 1, other 1 → tie, kazakh has the larger population.
    expect(labelsOf(r.column)).toEqual(['russian', 'russian', 'russian', 'russian', 'kazakh', 'other', 'kazakh']);
    expect(r.count).toBe(3);
    // The input column is left as given.
    expect(labelsOf(col)).toContain('refused');
  });
  it('does nothing when nobody declined', () => {
    const col = factorFromValues(['kazakh', 'other']);
    expect(imputeDeclined(col, 'refused', eth, [])).toEqual({ column: col, count: 0 });
  });
});

describe('analyze with declined ethnicity', () => {
  const ref = loadReference();
  const e = ref.input.columns.ethnicity!;
  const labels = [...e.labels, 'refused'];
  const codes = Int32Array.from(e.codes);
  for (const i of [3, 50, 400, 999]) codes[i] = labels.length - 1;
  const input = { ...ref.input, columns: { ...ref.input.columns, ethnicity: { codes, labels } } };
  it('imputes for weighting only, reports the count, and keeps the answer as given in domains', () => {
    const r = analyze(input, { spec: ref.spec, margins: ref.margins, minCellSize: 1, bounds: null, by: ['ethnicity'] });
    expect(r.raking.imputed).toEqual([{ variable: 'ethnicity', value: 'refused', count: 4 }]);
    expect(r.raking.converged).toBe(true);
    expect(r.indicators.consensus!.domains.ethnicity!.find((d) => d.level === 'refused')).toMatchObject({ suppressed: true });
    expect(r.indicators.consensus!.domains.ethnicity!.find((d) => d.level === 'refused')!.n).toBeGreaterThanOrEqual(3);
  });
  it('reports no imputation key when nothing was imputed', () => {
    const r = analyze(ref.input, { spec: ref.spec, margins: ref.margins, minCellSize: 1, bounds: null });
    expect('imputed' in r.raking).toBe(false);
  });
  it('treats the declined value as an unknown level when imputation is turned off', () => {
    expect(() => analyze(input, { spec: ref.spec, margins: ref.margins, minCellSize: 1, bounds: null, declined: {} }))
      .toThrow(/ethnicity = "refused" is not a level of margin "ethnicity"/);
  });
});
