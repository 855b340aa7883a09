import { describe, expect, it } from 'vitest';
import { factorFromValues } from '../../analysis/columns';
import { AnalysisError } from '../../analysis/errors';
import { assignCells, bandNumericColumn, defaultCollapseMap, parseMargins, type MarginRow } from '../../analysis/margins';

const rows = (spec: [string, string, number | string][]): MarginRow[] => spec.map(([margin, level, population], i) => ({ margin, level, population, line: i + 2 }));

function expectError(f: () => unknown, code: string, re: RegExp): void {
  try { f(); expect.unreachable(); } catch (e) {
    expect(e).toBeInstanceOf(AnalysisError);
    expect((e as AnalysisError).code).toBe(code);
    expect((e as Error).message).toMatch(re);
  }
}

describe('parseMargins', () => {
  it('groups rows into margins, crossed margins split into variables', () => {
    const m = parseMargins(rows([['sex', 'm', 48], ['sex', 'f', '52'], ['sex:age', 'm:18-29', 50], ['sex:age', 'f:18-29', 50]]));
    expect(m).toEqual([
      { name: 'sex', variables: ['sex'], levels: [{ level: 'm', population: 48 }, { level: 'f', population: 52 }] },
      { name: 'sex:age', variables: ['sex', 'age'], levels: [{ level: 'm:18-29', population: 50 }, { level: 'f:18-29', population: 50 }] },
    ]);
  });
  it.each([
    ['no rows', [], /no rows/],
    ['a level with the wrong number of parts', [['sex:age', 'm', 1]], /line 2: level "m" of margin "sex:age" must have 2 non-empty value/],
    ['an empty margin name', [['', 'm', 1]], /line 2: empty margin name/],
    ['a zero population', [['sex', 'm', 0]], /line 2: population "0" of sex=m must be a number greater than 0/],
    ['a non-numeric population', [['sex', 'm', 'many']], /population "many"/],
    ['a duplicate level', [['sex', 'm', 1], ['sex', 'm', 1]], /line 3: level "m" of margin "sex" appears twice/],
    ['different totals', [['sex', 'm', 1], ['sex', 'f', 1], ['age', 'old', 3]], /margin "age" sums to 3 but margin "sex" sums to 2/],
  ] as [string, [string, string, number | string][], RegExp][])('rejects %s', (_name, spec, re) => {
    expectError(() => parseMargins(rows(spec)), 'invalid_margins', re);
  });
});

describe('defaultCollapseMap', () => {
  it('merges the 2022 regions into their former regions and small ethnic groups into other', () => {
    const m = parseMargins(rows([
      ['region', 'KZ-62', 1], ['region', 'KZ-35', 1], ['region', 'KZ-10', 1], ['region', 'KZ-63', 1], ['region', 'KZ-71', 4],
      ['ethnicity', 'kazakh', 4], ['ethnicity', 'uzbek', 2], ['ethnicity', 'other', 2],
    ]));
    expect(defaultCollapseMap(m)).toEqual([
      { margin: 'region', from: 'KZ-62', into: 'KZ-35' }, { margin: 'region', from: 'KZ-10', into: 'KZ-63' },
      { margin: 'ethnicity', from: 'kazakh', into: 'other' }, { margin: 'ethnicity', from: 'uzbek', into: 'other' },
    ]);
  });
});

describe('assignCells', () => {
  const margins = parseMargins(rows([
    ['region', 'A', 10], ['region', 'B', 10], ['region', 'C', 10],
    ['sex:age', 'm:young', 15], ['sex:age', 'f:young', 15],
  ]));
  const columns = {
    region: factorFromValues(['A', 'A', 'A', 'B', 'C', 'A']),
    sex: factorFromValues(['m', 'f', 'm', 'f', 'm', 'f']),
    age: factorFromValues(['young', 'young', 'young', 'young', 'young', 'young']),
  };
  it('assigns cells of single and crossed margins', () => {
    const r = assignCells(margins, columns, { minCellSize: 1 });
    expect(Array.from(r.margins[0]!.cell)).toEqual([0, 0, 0, 1, 2, 0]);
    expect(Array.from(r.margins[1]!.cell)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(r.margins[0]!.counts)).toEqual([4, 1, 1]);
    expect(r.merged).toEqual([]);
  });
  it('merges sparse levels by the rules, following chains, and reports each merge', () => {
    const collapse = [{ margin: 'region', from: 'C', into: 'B' }, { margin: 'region', from: 'B', into: 'A' }];
    const r = assignCells(margins, columns, { minCellSize: 2, collapse });
    expect(r.merged).toEqual([{ margin: 'region', from: 'B', into: 'A' }, { margin: 'region', from: 'C', into: 'A' }]);
    expect(r.margins[0]!.levels).toEqual([{ level: 'A', population: 30 }]);
    expect(r.margins[0]!.members).toEqual([['A', 'B', 'C']]);
    expect(Array.from(r.margins[0]!.cell)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('leaves a sparse level without a rule alone, and fails on an empty one', () => {
    const r = assignCells(margins, columns, { minCellSize: 20 });
    expect(r.margins[0]!.levels.length).toBe(3);
    const empty = { ...columns, region: factorFromValues(['A', 'A', 'A', 'B', 'B', 'A']) };
    expectError(() => assignCells(margins, empty, { minCellSize: 1 }), 'empty_category', /margin "region" level "C" has no respondents and no merge rule/);
    const merged = assignCells(margins, empty, { minCellSize: 1, collapse: [{ margin: 'region', from: 'C', into: 'B' }] });
    expect(merged.merged).toEqual([{ margin: 'region', from: 'C', into: 'B' }]);
  });
  it('rejects unknown levels, empty values, absent columns and bad rules', () => {
    expectError(() => assignCells(margins, { ...columns, region: factorFromValues(['A', 'A', 'D', 'B', 'C', 'A']) }), 'invalid_input', /row 3: region = "D" is not a level of margin "region"/);
    expectError(() => assignCells(margins, { ...columns, age: factorFromValues(['young', 'old', 'young', 'young', 'young', 'young']) }), 'invalid_input', /row 2: sex:age = "f:old" is not a level/);
    expectError(() => assignCells(margins, { ...columns, sex: factorFromValues(['m', 'f', null, 'f', 'm', 'f']) }), 'invalid_input', /row 3: "sex" is empty/);
    const { age: _age, ...noAge } = columns;
    expectError(() => assignCells(margins, noAge), 'invalid_input', /margin "sex:age" needs a column "age"/);
    expectError(() => assignCells(margins, columns, { collapse: [{ margin: 'region', from: 'Z', into: 'A' }] }), 'invalid_input', /names a level that margin "region" does not have/);
  });
});

describe('bandNumericColumn', () => {
  it('bands whole numbers into the margin bands, open-ended "60+" included', () => {
    const r = bandNumericColumn(factorFromValues(['18', '29', '30', '44', '45', '59', '60', '104', '', '17']), ['18-29', '30-44', '45-59', '60+']);
    expect(Array.from(r!.codes, (c) => r!.labels[c])).toEqual(['18-29', '18-29', '30-44', '30-44', '45-59', '45-59', '60+', '60+', '', '17']);
  });
  it('reads other band layouts (gen.R five bands)', () => {
    const r = bandNumericColumn(factorFromValues(['24', '25', '35']), ['18-24', '25-34', '35-44', '45-59', '60+']);
    expect(Array.from(r!.codes, (c) => r!.labels[c])).toEqual(['18-24', '25-34', '35-44']);
  });
  it('leaves columns alone unless every level is a band and every value a whole number', () => {
    expect(bandNumericColumn(factorFromValues(['34']), ['m', 'f'])).toBeNull();
    expect(bandNumericColumn(factorFromValues(['34.5']), ['18-29', '30+'])).toBeNull();
    expect(bandNumericColumn(factorFromValues(['young']), ['18-29', '30+'])).toBeNull();
  });
});
