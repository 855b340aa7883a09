// CSV cells: RFC 4180 quoting and formula neutralisation, which applies to text only — a number,
// negative ones included, is written as the number.
import { describe, expect, it } from 'vitest';
import { cellText, csvField, neutralise } from '../../../server/exports/csv';
import type { ExportVariable } from '../../../server/exports/variables';

const numeric: ExportVariable = { name: 'x', label: 'x', type: 'numeric', measure: 'scale', decimals: 0, values: [{ code: -1, label: '=minus one' }], missing: [], numericCodes: new Map(), source: { kind: 'answer', question: 'x' } };

describe('CSV cells', () => {
  it('quotes fields with commas, quotes, CR or LF and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('a\nb')).toBe('"a\nb"');
  });

  it('neutralises text starting with =, +, -, @, tab or CR, and nothing else', () => {
    for (const t of ['=1+1', '+7 701', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutralise(t)).toBe(`'${t}`);
    for (const t of ['1+1', 'a=b', ' =x', 'Қазақ', '🎉']) expect(neutralise(t)).toBe(t);
  });

  it('never alters numbers, but neutralises a label that is text', () => {
    expect(cellText(numeric, -3, false)).toBe('-3');
    expect(cellText(numeric, -1, false)).toBe('-1');
    expect(cellText(numeric, -1, true)).toBe("'=minus one");
    expect(cellText(numeric, '-5', false)).toBe("'-5");
    expect(cellText(numeric, null, false)).toBe('');
    expect(cellText(numeric, 0.1 + 0.2, false)).toBe('0.30000000000000004');
  });
});
