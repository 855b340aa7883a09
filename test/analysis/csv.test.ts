import { describe, expect, it } from 'vitest';
import { parseCsv, type ColumnKind } from '../../analysis/csv';
import { AnalysisError } from '../../analysis/errors';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const all = (k: ColumnKind) => (h: string[]): ColumnKind[] => h.map(() => k);
const labelsOf = (t: ReturnType<typeof parseCsv>, c: string): string[] => Array.from(t.factors[c]!.codes, (k) => t.factors[c]!.labels[k]!);

describe('parseCsv', () => {
  it('reads quoted and unquoted fields alike, with "" escapes, commas and newlines inside quotes', () => {
    const t = parseCsv(enc('"id","name","x"\n"a","Smith, ""Jo""",1\nb,"two\nlines",\n"c",,"3"\n'), (h) => h.map((c) => (c === 'id' ? 'id' : 'factor')), 'f.csv');
    expect(t.n).toBe(3);
    expect(t.header).toEqual(['id', 'name', 'x']);
    expect(labelsOf(t, 'name')).toEqual(['Smith, "Jo"', 'two\nlines', '']);
    expect(labelsOf(t, 'x')).toEqual(['1', '', '3']);
    expect([0, 1, 2].map(t.id!)).toEqual(['a', 'b', 'c']);
    expect([0, 1, 2].map(t.line)).toEqual([2, 3, 5]);
  });
  it('gives the same code to "5" and 5, and distinct codes to distinct values', () => {
    const t = parseCsv(enc('x\n5\n"5"\n4\nKZ-75\n"KZ-75"\nKZ-71\n'), all('factor'));
    const c = t.factors.x!;
    expect(c.codes[0]).toBe(c.codes[1]);
    expect(c.codes[3]).toBe(c.codes[4]);
    expect(new Set(c.codes).size).toBe(4);
  });
  it('handles CRLF, a BOM, blank lines and a missing final newline', () => {
    const t = parseCsv(enc('\ufeffa,b\r\n1,2\r\n\r\n3,4'), all('factor'));
    expect(t.header).toEqual(['a', 'b']);
    expect(labelsOf(t, 'a')).toEqual(['1', '3']);
    expect(labelsOf(t, 'b')).toEqual(['2', '4']);
  });
  it('reads number columns exactly as Number() does; empty is NaN', () => {
    const values = ['1', '2.5', '-0.125', '3.9978', '0.1', '1234567.891', '1e3', '+7', '0.30000000000000004', '', '12345678901234567890'];
    const t = parseCsv(enc('w\n' + values.map((v) => (v === '' ? '' : v)).join('\n') + '\n'), all('number'));
    const got = Array.from(t.numbers.w!);
    // The blank line for '' is skipped as a blank line, so compare the non-empty ones.
    expect(got).toEqual(values.filter((v) => v !== '').map(Number));
    const u = parseCsv(enc('id,w\na,\nb,"2"\n'), (h) => h.map((c): ColumnKind => (c === 'w' ? 'number' : 'skip')));
    expect(Number.isNaN(u.numbers.w![0]!)).toBe(true);
    expect(u.numbers.w![1]).toBe(2);
  });
  it('agrees with Number() on many generated decimals', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const values: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const intDigits = 1 + Math.floor(rand() * 8);
      const fracDigits = Math.floor(rand() * 9);
      let s = rand() < 0.2 ? '-' : '';
      for (let k = 0; k < intDigits; k++) s += Math.floor(rand() * 10);
      if (fracDigits > 0) { s += '.'; for (let k = 0; k < fracDigits; k++) s += Math.floor(rand() * 10); }
      values.push(s);
    }
    const t = parseCsv(enc('w\n' + values.join('\n') + '\n'), all('number'));
    values.forEach((v, i) => { if (t.numbers.w![i] !== Number(v)) throw new Error(`${v}: got ${t.numbers.w![i]}, Number gives ${Number(v)}`); });
  });
  it('keeps only the columns asked for', () => {
    const t = parseCsv(enc('a,b,c\n1,2,3\n'), (h) => h.map((c): ColumnKind => (c === 'b' ? 'factor' : 'skip')));
    expect(Object.keys(t.factors)).toEqual(['b']);
    expect(t.id).toBeUndefined();
  });
  const bad: [string, string, RegExp][] = [
    ['empty file', '', /f\.csv line 1: the file is empty/],
    ['unclosed quote', 'a,b\n1,"2\n3,4\n', /f\.csv line 2: a quoted field is not closed/],
    ['text after a quote', 'a,b\n1,"2"x\n', /f\.csv line 2: unexpected text after a closing quote/],
    ['too few fields', 'a,b\n1,2\n3\n', /f\.csv line 3: expected 2 fields as in the header, found 1/],
    ['too many fields', 'a,b\n1,2,3\n', /f\.csv line 2: expected 2 fields as in the header, found 3/],
    ['duplicate header', 'a,a\n1,2\n', /f\.csv line 1: column "a" appears twice/],
    ['empty header name', 'a,\n1,2\n', /f\.csv line 1: column 2 of the header has no name/],
  ];
  it.each(bad)('rejects %s naming the file and line', (_name, text, re) => {
    try {
      parseCsv(enc(text), all('factor'), 'f.csv');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AnalysisError);
      expect((e as Error).message).toMatch(re);
    }
  });
  it('rejects a non-number in a number column, naming the column', () => {
    expect(() => parseCsv(enc('w\n1\nabc\n'), all('number'), 'f.csv')).toThrow(/f\.csv line 3: column "w": "abc" is not a number/);
  });
  it('agrees with a naive split on the reference file', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('test/fixtures/reference/raking-a/responses.csv', 'utf8');
    const t = parseCsv(enc(text), (h) => h.map((c) => (c === 'id' ? 'id' : 'factor')));
    const rows = text.trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
    expect(t.n).toBe(rows.length);
    t.header.forEach((h, j) => {
      if (h === 'id') rows.forEach((r, i) => expect(t.id!(i)).toBe(r[j]));
      else expect(labelsOf(t, h)).toEqual(rows.map((r) => r[j]));
    });
  });
});
