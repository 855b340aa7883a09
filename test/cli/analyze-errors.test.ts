// Bad input to `kelisim analyze`: a non-zero exit and exactly one line on stderr naming the file,
// line, column or level at fault; nothing on stdout.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kelisim } from './run-cli';

const REF = 'test/fixtures/reference/raking-a';
const responses = readFileSync(`${REF}/responses.csv`, 'utf8');
const margins = readFileSync(`${REF}/margins.csv`, 'utf8');
const scoring = readFileSync(`${REF}/scoring.json`, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'kelisim-analyze-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(name: string, content: string): string {
  const p = join(dir, `${counter++}-${name}`);
  writeFileSync(p, content);
  return p;
}

/** Replaces the `col` cell of data line `line` (1-based file line) of a CSV. */
function setCell(csv: string, line: number, col: string, value: string): string {
  const lines = csv.split('\n');
  const header = lines[0]!.split(',').map((h) => h.replace(/"/g, ''));
  const cells = lines[line - 1]!.split(',');
  cells[header.indexOf(col)] = value;
  lines[line - 1] = cells.join(',');
  return lines.join('\n');
}

function run(opts: { responses?: string; margins?: string; scoring?: string; extra?: string[] }) {
  return kelisim(['analyze',
    '--responses', opts.responses ?? `${REF}/responses.csv`,
    '--margins', opts.margins ?? `${REF}/margins.csv`,
    '--scoring', opts.scoring ?? `${REF}/scoring.json`,
    '--min-cell-size', '1', ...(opts.extra ?? [])]);
}

function expectOneLineError(r: ReturnType<typeof run>, ...parts: (string | RegExp)[]): void {
  expect(r.status).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^kelisim analyze: [^ :]/);
  for (const p of parts) expect(lines[0]).toMatch(p);
  expect(lines[0]).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
}

describe('kelisim analyze rejects bad input with one line naming the fault', () => {
  it('a missing margin column in the responses', () => {
    const p = file('responses.csv', responses.replace('"settlement"', '"settlement_type"'));
    expectOneLineError(run({ responses: p }), p, /no column "settlement"/, /margin "settlement"/);
  });

  it('an unknown level', () => {
    const p = file('responses.csv', setCell(responses, 18, 'region', '"KZ-99"'));
    expectOneLineError(run({ responses: p }), `${p} line 18 (id "r00017"): region = "KZ-99" is not a level of margin "region"`);
  });

  it('an unknown level of a crossed margin', () => {
    const p = file('responses.csv', setCell(responses, 5, 'age', '"17-"'));
    expectOneLineError(run({ responses: p }), p, /line 5/, /sex:age = "[mf]:17-" is not a level of margin "sex:age"/);
  });

  it('an empty weighting variable', () => {
    const p = file('responses.csv', setCell(responses, 7, 'sex', ''));
    expectOneLineError(run({ responses: p }), p, /line 7/, /"sex" is empty/);
  });

  it('inconsistent margin totals', () => {
    const p = file('margins.csv', margins.replace('"settlement","urban",8723400', '"settlement","urban",8723401'));
    expectOneLineError(run({ margins: p }), p, /margin "settlement" sums to 14070001/, /same population total/);
  });

  it('a margin level nobody is in and no merge rule', () => {
    const p = file('margins.csv', margins.replace('"settlement","rural",5346600', '"settlement","rural",5346000\n"settlement","nomadic",600'));
    expectOneLineError(run({ margins: p }), p, /margin "settlement" level "nomadic" has no respondents and no merge rule/);
  });

  it('a bad population', () => {
    const p = file('margins.csv', margins.replace('"region","KZ-11",560000', '"region","KZ-11",lots'));
    expectOneLineError(run({ margins: p }), p, /line 3/, /population "lots" of region=KZ-11/);
  });

  it('a non-numeric item', () => {
    const p = file('responses.csv', setCell(responses, 42, 'c2', '"abc"'));
    expectOneLineError(run({ responses: p }), p, /line 42/, /item "c2": value "abc" is not a number from 1 to 5/);
  });

  it('an out-of-range item', () => {
    const p = file('responses.csv', setCell(responses, 3, 'm5', '11'));
    expectOneLineError(run({ responses: p }), p, /line 3/, /item "m5": value "11" is not a number from 0 to 10/);
  });

  it('a scoring spec naming an absent item', () => {
    const p = file('scoring.json', scoring.replace('"name": "t6"', '"name": "t7"'));
    expectOneLineError(run({ scoring: p }), p, /item "t7" of indicator "tolerance" is not a column/);
  });

  it('an invalid scoring spec', () => {
    const p = file('scoring.json', scoring.replace('"reverse": true', '"reversed": true'));
    expectOneLineError(run({ scoring: p }), p, /indicators\[0\]\.items\[2\]\.reversed is not a known key/);
    const q = file('scoring.json', '{ "indicators": [');
    expectOneLineError(run({ scoring: q }), q, /not valid JSON/);
  });

  it('a bad design weight', () => {
    const p = file('responses.csv', setCell(responses, 9, 'base_weight', '0'));
    expectOneLineError(run({ responses: p }), p, /line 9/, /design weight "base_weight" is 0/);
    const q = file('responses.csv', setCell(responses, 10, 'base_weight', 'heavy'));
    expectOneLineError(run({ responses: q }), q, /line 10/, /column "base_weight": "heavy" is not a number/);
    expectOneLineError(run({ extra: ['--design-weight', 'w'] }), /no design-weight column "w"/);
  });

  it('a malformed CSV', () => {
    const p = file('responses.csv', responses.replace('"r00100","', '"r00100,"'));
    expectOneLineError(run({ responses: p }), p, /line 101/);
    const q = file('responses.csv', responses.split('\n').map((l, i) => (i === 20 ? l + ',1' : l)).join('\n'));
    expectOneLineError(run({ responses: q }), q, /line 21/, /expected 23 fields as in the header, found 24/);
  });

  it('missing files and options, unknown options, bad option values', () => {
    expectOneLineError(run({ responses: join(dir, 'nope.csv') }), /cannot read responses file .*nope\.csv: no such file/);
    const r = kelisim(['analyze', '--responses', `${REF}/responses.csv`]);
    expectOneLineError(r, /--margins is required/);
    expect(r.status).toBe(2);
    expectOneLineError(run({ extra: ['--frobnicate'] }), /Unknown option '--frobnicate'/);
    expectOneLineError(run({ extra: ['--bounds', '5,0.3'] }), /--bounds must be LO,HI/);
    expectOneLineError(run({ extra: ['--bounds', '0.3,5', '--no-bounds'] }), /either --bounds or --no-bounds/);
    expectOneLineError(kelisim(['analyze', '--responses', `${REF}/responses.csv`, '--margins', `${REF}/margins.csv`, '--scoring', `${REF}/scoring.json`, '--min-cell-size', '0']), /--min-cell-size must be a whole number of 1 or more/);
    expectOneLineError(run({ extra: ['--by', 'district'] }), /no column "district" for --by/);
  });
});
