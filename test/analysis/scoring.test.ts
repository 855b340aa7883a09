import { describe, expect, it } from 'vitest';
import { rng } from './random';
import { readFileSync } from 'node:fs';
import { AnalysisError } from '../../analysis/errors';
import { factorFromValues } from '../../analysis/columns';
import { ageBand, itemScores, minAnswered, parseScoringSpec, scoreColumns, scoreItem, scoreRespondent } from '../../analysis/scoring';

const spec = parseScoringSpec({
  indicators: [
    { id: 'consensus', minAnsweredShare: 0.6, items: [
      { name: 'a1', min: 1, max: 5, missingCodes: ['dk'] },
      { name: 'a2', min: 1, max: 5, missingCodes: ['dk'] },
      { name: 'a3', min: 1, max: 5, reverse: true, missingCodes: ['dk'] },
      { name: 'a4', min: 1, max: 5, missingCodes: ['dk'] },
      { name: 'a5', min: 1, max: 5, missingCodes: ['dk'] }] },
    { id: 'tolerance', minAnsweredShare: 0.6, items: [
      { name: 'b1', min: 0, max: 1, missingCodes: ['dk'] }, { name: 'b2', min: 0, max: 1, missingCodes: ['dk'] },
      { name: 'b3', min: 0, max: 1, missingCodes: ['dk'] }] },
    { id: 'mood', minAnsweredShare: 0.6, items: [
      { name: 'c4', min: 1, max: 5, reverse: true, missingCodes: ['dk', 9] },
      { name: 'c5', min: 0, max: 10 }] },
  ],
});

function expectAnalysisError(f: () => unknown, code: string, text: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AnalysisError);
    expect((e as AnalysisError).code).toBe(code);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected an AnalysisError');
}

describe('scoreItem: known values (METHODOLOGY §2)', () => {
  it('maps a 1–5 scale to 0, 25, 50, 75, 100 and reverses negatively worded items', () => {
    const item = { name: 'x', min: 1, max: 5 };
    expect([1, 2, 3, 4, 5].map((x) => scoreItem(item, x))).toEqual([0, 25, 50, 75, 100]);
    expect([1, 2, 3, 4, 5].map((x) => scoreItem({ ...item, reverse: true }, x))).toEqual([100, 75, 50, 25, 0]);
  });
  it('maps yes/no 1/0 to 100/0 and 0–10 to 10·x', () => {
    expect(scoreItem({ name: 'b', min: 0, max: 1 }, 1)).toBe(100);
    expect(scoreItem({ name: 'b', min: 0, max: 1 }, 0)).toBe(0);
    for (let x = 0; x <= 10; x++) expect(scoreItem({ name: 'c5', min: 0, max: 10 }, x)).toBeCloseTo(10 * x, 12);
  });
  it('accepts numeric strings as CSV and SurveyJS give them', () => {
    expect(scoreItem({ name: 'x', min: 1, max: 5 }, '4')).toBe(75);
    expect(scoreItem({ name: 'x', min: 1, max: 5 }, ' 2 ')).toBe(25);
    expect(scoreItem({ name: 'x', min: 0, max: 10 }, '7.5')).toBe(75);
  });
  it('treats absent, null, empty and missing codes as missing, never zero', () => {
    const item = { name: 'x', min: 1, max: 5, missingCodes: ['dk', 9] };
    for (const v of [undefined, null, '', '  ', 'dk', 9, '9']) expect(scoreItem(item, v)).toBeNull();
  });
});

describe('scoreItem: bad input', () => {
  const item = { name: 'a1', min: 1, max: 5, missingCodes: ['dk'] };
  it.each([[0], [6], ['6'], [2.5e10], ['abc'], ['3x'], [true], [{}], [[3]], [Number.NaN], [Infinity], ['DK']])(
    'rejects %j naming the item and the value',
    (v) => expectAnalysisError(() => scoreItem(item, v), 'invalid_item_value', /item "a1": value .* is not a number from 1 to 5/),
  );
  it('carries the item and value in details', () => {
    try { scoreItem(item, 7); } catch (e) {
      expect((e as AnalysisError).details).toEqual({ item: 'a1', value: 7 });
    }
    expect.assertions(1);
  });
});

describe('scoreRespondent', () => {
  it('scores the example of the doc comment', () => {
    const s = parseScoringSpec({ indicators: [{ id: 'consensus', minAnsweredShare: 0.6, items: [
      { name: 'a1', min: 1, max: 5 }, { name: 'a2', min: 1, max: 5 },
      { name: 'a3', min: 1, max: 5, reverse: true, missingCodes: ['dk'] }] }] });
    expect(scoreRespondent(s, { a1: 5, a2: '4', a3: 'dk' })).toEqual({
      items: { a1: 100, a2: 75, a3: null }, indicators: { consensus: 87.5 } });
  });
  it('applies the 60% rule per indicator: 3 of 5, 2 of 3, 2 of 2', () => {
    const r = scoreRespondent(spec, { a1: 5, a2: 'dk', a3: 1, a4: null, a5: '', b1: 1, b2: 0, c4: 'dk', c5: 10 });
    expect(r.indicators.consensus).toBeNull(); // 2 of 5 answered < 3
    expect(r.indicators.tolerance).toBe(50); // 2 of 3 answered
    expect(r.indicators.mood).toBeNull(); // 1 of 2 answered < ⌈1.2⌉ = 2
    const r2 = scoreRespondent(spec, { a1: 5, a2: 4, a3: 1, b1: 1, c4: 1, c5: 5 });
    expect(r2.indicators.consensus).toBeCloseTo((100 + 75 + 100) / 3, 12);
    expect(r2.indicators.tolerance).toBeNull();
    expect(r2.indicators.mood).toBe(75);
  });
  it('gives every item and indicator a key, null when missing', () => {
    const r = scoreRespondent(spec, {});
    expect(Object.keys(r.items).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3', 'c4', 'c5']);
    expect(Object.values(r.items).every((v) => v === null)).toBe(true);
    expect(r.indicators).toEqual({ consensus: null, tolerance: null, mood: null });
  });
  it('ignores answers to questions that are not scored', () => {
    const base = { a1: 1, a2: 2, a3: 3, a4: 4, a5: 5 };
    expect(scoreRespondent(spec, { ...base, region: 'KZ-75', extra: 'anything' })).toEqual(scoreRespondent(spec, base));
  });
  it('throws for an out-of-range answer instead of scoring the respondent', () => {
    expectAnalysisError(() => scoreRespondent(spec, { a1: 5, b2: 2 }), 'invalid_item_value', /item "b2": value 2 is not a number from 0 to 1/);
  });
  it('does not read inherited properties as answers', () => {
    const answers = Object.create({ a1: 5 }) as Record<string, unknown>;
    expect(scoreRespondent(spec, answers).items.a1).toBeNull();
  });
});

describe('scoreRespondent: properties', () => {
  const rand = rng(42);
  const answerFor = (min: number, max: number): unknown => {
    const u = rand();
    if (u < 0.15) return 'dk';
    if (u < 0.2) return undefined;
    const x = min + Math.floor(rand() * (max - min + 1));
    return rand() < 0.5 ? x : String(x);
  };
  const cases = Array.from({ length: 500 }, () => {
    const a: Record<string, unknown> = {};
    for (const ind of spec.indicators) for (const it of ind.items) {
      const v = answerFor(it.min, it.max);
      if (v !== undefined && !(v === 'dk' && !it.missingCodes)) a[it.name] = v;
    }
    return a;
  });
  it('item and indicator scores stay within [0, 100]; indicators are the mean of their items', () => {
    for (const a of cases) {
      const r = scoreRespondent(spec, a);
      for (const ind of spec.indicators) {
        const s = ind.items.map((i) => r.items[i.name]).filter((v): v is number => v !== null);
        for (const v of s) expect(v >= 0 && v <= 100).toBe(true);
        const need = minAnswered(ind.minAnsweredShare, ind.items.length);
        if (s.length >= need) expect(r.indicators[ind.id]).toBeCloseTo(s.reduce((x, y) => x + y, 0) / s.length, 10);
        else expect(r.indicators[ind.id]).toBeNull();
      }
    }
  });
  it('reversing an item maps x to min + max − x', () => {
    for (let x = 1; x <= 5; x++) {
      expect(scoreItem({ name: 'r', min: 1, max: 5, reverse: true }, x)).toBe(scoreItem({ name: 'r', min: 1, max: 5 }, 6 - x));
    }
  });
  it('a number and its string form score the same', () => {
    for (const a of cases.slice(0, 50)) {
      const asNumbers = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'string' && v !== 'dk' ? Number(v) : v]));
      expect(scoreRespondent(spec, a)).toEqual(scoreRespondent(spec, asNumbers));
    }
  });
});

describe('minAnswered', () => {
  it('is ⌈share·m⌉ without floating-point surprises', () => {
    expect(minAnswered(0.6, 5)).toBe(3);
    expect(minAnswered(0.6, 6)).toBe(4);
    expect(minAnswered(0.6, 3)).toBe(2);
    expect(minAnswered(0.7, 10)).toBe(7);
    expect(minAnswered(1, 4)).toBe(4);
    expect(minAnswered(0.01, 4)).toBe(1);
  });
});

describe('parseScoringSpec', () => {
  const good = { indicators: [{ id: 'x', minAnsweredShare: 0.6, items: [{ name: 'q', min: 1, max: 5 }] }] };
  it('accepts the reference spec and returns a copy', () => {
    const raw = JSON.parse(readFileSync('test/fixtures/reference/raking-a/scoring.json', 'utf8')) as unknown;
    const s = parseScoringSpec(raw);
    expect(s.indicators.map((i) => i.id)).toEqual(['consensus', 'tolerance', 'mood']);
    expect(s.indicators[0]!.items[2]).toEqual({ name: 'c3', min: 1, max: 5, reverse: true });
    const copy = parseScoringSpec(good);
    expect(copy).toEqual(good);
    expect(copy).not.toBe(good);
  });
  const bad: [string, unknown, RegExp][] = [
    ['not an object', 3, /\(root\) must be an object/],
    ['no indicators', {}, /indicators must be a non-empty array/],
    ['empty indicators', { indicators: [] }, /indicators must be a non-empty array/],
    ['indicator not object', { indicators: [1] }, /indicators\[0\] must be an object/],
    ['missing id', { indicators: [{ minAnsweredShare: 0.6, items: [] }] }, /indicators\[0\]\.id must be a non-empty string/],
    ['duplicate id', { indicators: [good.indicators[0], good.indicators[0]] }, /indicators\[1\]\.id "x" is used by more than one/],
    ['share 0', { indicators: [{ ...good.indicators[0], minAnsweredShare: 0 }] }, /minAnsweredShare must be a number greater than 0/],
    ['share 1.5', { indicators: [{ ...good.indicators[0], minAnsweredShare: 1.5 }] }, /minAnsweredShare/],
    ['share string', { indicators: [{ ...good.indicators[0], minAnsweredShare: '0.6' }] }, /minAnsweredShare/],
    ['no items', { indicators: [{ ...good.indicators[0], items: [] }] }, /indicators\[0\]\.items must be a non-empty array/],
    ['unknown indicator key', { indicators: [{ ...good.indicators[0], weight: 2 }] }, /indicators\[0\]\.weight is not a known key/],
    ['item name', { indicators: [{ ...good.indicators[0], items: [{ min: 1, max: 5 }] }] }, /items\[0\]\.name must be a non-empty string/],
    ['duplicate item', { indicators: [{ ...good.indicators[0], items: [{ name: 'q', min: 1, max: 5 }, { name: 'q', min: 1, max: 5 }] }] }, /items\[1\]\.name "q" appears twice/],
    ['min', { indicators: [{ ...good.indicators[0], items: [{ name: 'q', min: '1', max: 5 }] }] }, /items\[0\]\.min must be a finite number/],
    ['max <= min', { indicators: [{ ...good.indicators[0], items: [{ name: 'q', min: 5, max: 5 }] }] }, /items\[0\]\.max must be a finite number greater than min \(5\)/],
    ['reverse', { indicators: [{ ...good.indicators[0], items: [{ name: 'q', min: 1, max: 5, reverse: 'yes' }] }] }, /reverse must be true or false/],
    ['typo key', { indicators: [{ ...good.indicators[0], items: [{ name: 'q', min: 1, max: 5, reversed: true }] }] }, /items\[0\]\.reversed is not a known key/],
    ['missingCodes', { indicators: [{ ...good.indicators[0], items: [{ name: 'q', min: 1, max: 5, missingCodes: 'dk' }] }] }, /missingCodes must be an array/],
    ['missingCodes items', { indicators: [{ ...good.indicators[0], items: [{ name: 'q', min: 1, max: 5, missingCodes: [null] }] }] }, /missingCodes must be an array/],
  ];
  it.each(bad)('rejects %s with a message naming the field', (_label, json, text) => {
    expectAnalysisError(() => parseScoringSpec(json), 'invalid_scoring_spec', text);
  });
});

describe('ageBand', () => {
  it('bands ages at 30, 45 and 60', () => {
    expect([18, 29, 29.9, 30, 44, 45, 59, 60, 110].map(ageBand)).toEqual(
      ['18-29', '18-29', '18-29', '30-44', '30-44', '45-59', '45-59', '60+', '60+']);
  });
  it.each([[17], [17.99], [-1], [Number.NaN], [Infinity], ['30' as unknown as number]])('rejects %j', (v) => {
    expectAnalysisError(() => ageBand(v), 'invalid_age', /is not a number of years of 18 or more/);
  });
});

describe('scoreColumns', () => {
  it('scores every respondent of the reference file exactly as scoreRespondent does', async () => {
    const { loadReference } = await import('./reference-data');
    const ref = loadReference();
    const cols = scoreColumns(ref.spec, ref.input.columns, ref.input.n);
    for (let i = 0; i < ref.input.n; i++) {
      const answers: Record<string, unknown> = {};
      for (const ind of ref.spec.indicators) for (const it of ind.items) {
        const c = ref.input.columns[it.name]!;
        answers[it.name] = c.labels[c.codes[i]!];
      }
      const r = scoreRespondent(ref.spec, answers);
      for (const ind of ref.spec.indicators) {
        const v = cols.indicators[ind.id]![i]!;
        expect(Number.isNaN(v) ? null : v).toBe(r.indicators[ind.id]);
        for (const it of ind.items) {
          const s = itemScores(cols.items[it.name]!)[i]!;
          expect(Number.isNaN(s) ? null : s).toBe(r.items[it.name]);
        }
      }
      if (i > 300) break; // itemScores materialises a column per call; 300 respondents cover every pattern here
    }
  });
  it('names the first row with a bad value and ignores unused labels', () => {
    const s = parseScoringSpec({ indicators: [{ id: 'x', minAnsweredShare: 1, items: [{ name: 'q', min: 1, max: 5 }] }] });
    expect(() => scoreColumns(s, { q: factorFromValues(['1', '2', '9', '9']) }, 4)).toThrow(/row 3: item "q": value "9" is not a number from 1 to 5/);
    const r = scoreColumns(s, { q: { codes: Int32Array.of(0, 0), labels: ['5', 'junk'] } }, 2);
    expect(Array.from(r.indicators.x!)).toEqual([100, 100]);
    expect(() => scoreColumns(s, {}, 2)).toThrow(/names item "q" \(indicator "x"\) but the responses have no such column/);
  });
});
