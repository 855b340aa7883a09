import { describe, expect, it } from 'vitest';
import { isIncomplete, speederFlags, straightlineBlocks, straightlinedBlocks } from '../../analysis/quality';
import { parseScoringSpec } from '../../analysis/scoring';

describe('speederFlags (METHODOLOGY §6)', () => {
  it('flags completions under 0.3 × the median', () => {
    const durations = [...Array.from({ length: 29 }, (_, i) => 500_000 + i * 10_000), 100_000, 200_000];
    const r = speederFlags(durations);
    expect(r.median).toBe(630_000);
    expect(r.threshold).toBeCloseTo(189_000, 6);
    expect(r.flags.filter(Boolean).length).toBe(1);
    expect(r.flags[29]).toBe(true);
    expect(r.flags[30]).toBe(false);
  });
  it('flags nobody with fewer than 30 timed completes, and ignores missing durations', () => {
    const durations: (number | null)[] = [...Array.from({ length: 28 }, () => 600_000), 1_000, null];
    expect(speederFlags(durations)).toEqual({ median: null, threshold: null, flags: durations.map(() => false) });
    const more = [...durations, 600_000];
    const r = speederFlags(more);
    expect(r.median).toBe(600_000);
    expect(r.flags[28]).toBe(true);
    expect(r.flags[29]).toBe(false);
    expect(r.flags[30]).toBe(false);
  });
  it('never flags more than half of the completes', () => {
    const ds = Array.from({ length: 101 }, (_, i) => (i * 7919) % 1000);
    const r = speederFlags(ds);
    expect(r.flags.filter(Boolean).length).toBeLessThanOrEqual(50);
  });
  it('rejects negative durations', () => {
    expect(() => speederFlags([-1])).toThrow(/duration -1 of completion 1/);
  });
});

const spec = parseScoringSpec({ indicators: [
  { id: 'consensus', minAnsweredShare: 0.6, items: ['a1', 'a2', 'a3', 'a4', 'a5'].map((name) => ({ name, min: 1, max: 5, missingCodes: ['dk'] })) },
  { id: 'tolerance', minAnsweredShare: 0.6, items: ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((name) => ({ name, min: 0, max: 1 })) },
  { id: 'mood', minAnsweredShare: 0.6, items: [...['c1', 'c2', 'c3', 'c4'].map((name) => ({ name, min: 1, max: 5 })), { name: 'c5', min: 0, max: 10 }] },
] });

describe('straightliner', () => {
  it('finds blocks of ≥ 5 same-scale items, leaving yes/no blocks out unless asked', () => {
    expect(straightlineBlocks(spec)).toEqual([{ indicator: 'consensus', items: ['a1', 'a2', 'a3', 'a4', 'a5'] }]);
    expect(straightlineBlocks(spec, { includeBinary: true }).map((b) => b.indicator)).toEqual(['consensus', 'tolerance']);
    expect(straightlineBlocks(spec, { minItems: 4 }).map((b) => b.indicator)).toEqual(['consensus', 'mood']);
  });
  const blocks = straightlineBlocks(spec);
  it('flags identical answers to every item of a block', () => {
    expect(straightlinedBlocks({ a1: 5, a2: 5, a3: '5', a4: 5, a5: 5 }, blocks)).toEqual(['consensus']);
    expect(straightlinedBlocks({ a1: 3, a2: 3, a3: 3, a4: 3, a5: 3 }, blocks)).toEqual(['consensus']);
  });
  it('does not flag varied, partly missing or "hard to say" blocks', () => {
    expect(straightlinedBlocks({ a1: 5, a2: 5, a3: 4, a4: 5, a5: 5 }, blocks)).toEqual([]);
    expect(straightlinedBlocks({ a1: 5, a2: 5, a4: 5, a5: 5 }, blocks)).toEqual([]);
    expect(straightlinedBlocks({ a1: 5, a2: 5, a3: null, a4: 5, a5: 5 }, blocks)).toEqual([]);
    expect(straightlinedBlocks({}, blocks)).toEqual([]);
  });
});

describe('isIncomplete', () => {
  it('is true only when no indicator has a score', () => {
    expect(isIncomplete({ consensus: null, tolerance: null, mood: null })).toBe(true);
    expect(isIncomplete({ consensus: null, tolerance: 0, mood: null })).toBe(false);
  });
});
