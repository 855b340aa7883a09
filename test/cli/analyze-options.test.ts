// Options of `kelisim analyze` (issue 3 contract): defaults and their explicit forms agree.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kelisim } from './run-cli';

const REF = 'test/fixtures/reference/raking-b';
const base = ['--margins', `${REF}/margins.csv`, '--scoring', `${REF}/scoring.json`];
const dir = mkdtempSync(join(tmpdir(), 'kelisim-analyze-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Out {
  raking: { converged: boolean; merged: unknown[] };
  weights: { min: number; max: number; mean: number };
  indicators: Record<string, { mean: number; se: number; domains: Record<string, { level: string }[]> }>;
  respondents?: { id: string; weight: number }[];
  marginCells?: { margin: string; level: string; members: string[]; n: number; population: number; weighted: number; populationShare: number; weightedShare: number }[];
}
function analyze(args: string[]): Out {
  const r = kelisim(['analyze', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Out;
}

describe('kelisim analyze options', () => {
  const defaults = analyze(['--responses', `${REF}/responses.csv`, ...base, '--respondents']);

  it('reports every margin cell with --margin-cells, whose weighted total hits its population once raked', () => {
    expect(defaults.marginCells).toBeUndefined();
    const { marginCells = [], raking } = analyze(['--responses', `${REF}/responses.csv`, ...base, '--margin-cells']);
    const margins = readFileSync(`${REF}/margins.csv`, 'utf8').trim().split('\n').slice(1);
    const cellsAfterMerges = marginCells.reduce((k, c) => k + c.members.length, 0);
    expect(cellsAfterMerges).toBe(margins.length);
    expect(raking.converged).toBe(true);
    for (const c of marginCells) {
      expect(c.n, `${c.margin}=${c.level}`).toBeGreaterThan(0);
      expect(c.weighted / c.population, `${c.margin}=${c.level}`).toBeCloseTo(1, 8);
      expect(c.weightedShare).toBeCloseTo(c.populationShare, 10);
    }
  });

  it('uses base_weight as the design weight by default, the same as --design-weight base_weight', () => {
    const explicit = analyze(['--responses', `${REF}/responses.csv`, ...base, '--design-weight', 'base_weight']);
    expect(explicit.indicators).toEqual(defaults.indicators);
  });

  it('uses 1 for everyone without a base_weight column', () => {
    const csv = readFileSync(`${REF}/responses.csv`, 'utf8').replace('"base_weight"', '"bw"');
    const p = join(dir, 'no-base-weight.csv');
    writeFileSync(p, csv);
    const ones = analyze(['--responses', p, ...base]);
    const named = analyze(['--responses', p, ...base, '--design-weight', 'bw']);
    expect(named.indicators).toEqual(defaults.indicators);
    expect(ones.indicators.consensus!.mean).not.toBe(defaults.indicators.consensus!.mean);
  });

  it('bounds g to [0.3, 5] by default, the same as --bounds 0.3,5; --no-bounds and other bounds differ', () => {
    const explicit = analyze(['--responses', `${REF}/responses.csv`, ...base, '--bounds', '0.3,5']);
    expect(explicit.indicators).toEqual(defaults.indicators);
    const tight = analyze(['--responses', `${REF}/responses.csv`, ...base, '--bounds', '0.5,2', '--respondents']);
    const none = analyze(['--responses', `${REF}/responses.csv`, ...base, '--no-bounds', '--respondents']);
    const spread = (o: Out): number => o.weights.max / o.weights.min;
    expect(spread(tight)).toBeLessThan(spread(defaults));
    expect(spread(defaults)).toBeLessThanOrEqual(spread(none) * (1 + 1e-12));
  });

  it('gives domain estimates for several --by variables and the respondents only when asked', () => {
    const o = analyze(['--responses', `${REF}/responses.csv`, ...base, '--by', 'region,sex']);
    expect(Object.keys(o.indicators.mood!.domains)).toEqual(['region', 'sex']);
    expect(o.indicators.mood!.domains.sex!.map((d) => d.level)).toEqual(['f', 'm']);
    expect(o.respondents).toBeUndefined();
    expect(defaults.respondents!.length).toBe(2000);
    expect(defaults.indicators.mood!.domains).toEqual({});
  });

  it('merges sparse regions with the default --min-cell-size 20 and not with 1', () => {
    const csv = readFileSync(`${REF}/responses.csv`, 'utf8').split('\n');
    // Keep only 5 respondents in Ulytau (KZ-62): below 20, merged into Karaganda (KZ-35).
    let kept = 0;
    const sparse = csv.filter((l) => !l.includes('"KZ-62"') || ++kept <= 5).join('\n');
    const p = join(dir, 'sparse.csv');
    writeFileSync(p, sparse);
    expect(analyze(['--responses', p, ...base]).raking.merged).toEqual([{ margin: 'region', from: 'KZ-62', into: 'KZ-35' }]);
    expect(analyze(['--responses', p, ...base, '--min-cell-size', '1', '--no-bounds']).raking.merged).toEqual([]);
  });
});
