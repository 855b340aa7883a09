// The open link's quality flags (analysis/quality.ts, docs/decisions/021): known values worked by
// hand, properties that must hold, and bad input refused.
import { describe, expect, it } from 'vitest';
import { AnalysisError } from '../../analysis/errors';
import { automationFlags, BURST_MIN_COMPLETIONS, BURST_WINDOW_MS, burstFlags, duplicateAnswerFlags } from '../../analysis/quality';
import { rng } from './random';

const MIN = 60_000;

describe('burstFlags', () => {
  it('flags every completion of a window holding enough completions from one address, and no other', () => {
    // Address a: 10 completions one minute apart (9 minutes first to last) → all flagged; then one
    // 30 minutes later → alone. Address b: 9 within a minute → one short. Null hash/time: ignored.
    const hashes = [...Array<string>(10).fill('a'), 'a', ...Array<string>(9).fill('b'), null, 'a'];
    const times = [...Array.from({ length: 10 }, (_, i) => i * MIN), 40 * MIN, ...Array.from({ length: 9 }, (_, i) => i * 1000), 0, null];
    const flags = burstFlags(hashes, times);
    expect(flags.slice(0, 10)).toEqual(Array(10).fill(true));
    expect(flags.slice(10)).toEqual(Array(12).fill(false));
  });

  it('the window is inclusive: ten completions exactly ten minutes first to last are a burst, ten over 10 min + 1 ms are not', () => {
    const spread = (total: number) => Array.from({ length: 10 }, (_, i) => Math.round((i * total) / 9));
    expect(burstFlags(Array(10).fill('a'), spread(BURST_WINDOW_MS)).every(Boolean)).toBe(true);
    expect(burstFlags(Array(10).fill('a'), spread(BURST_WINDOW_MS + 1)).some(Boolean)).toBe(false);
  });

  it('does not depend on row order (a permutation permutes the flags)', () => {
    const random = rng(7);
    const n = 300;
    const hashes = Array.from({ length: n }, () => `h${Math.floor(random() * 12)}`);
    const times = Array.from({ length: n }, () => Math.floor(random() * 20 * MIN));
    const flags = burstFlags(hashes, times);
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
    const permuted = burstFlags(perm.map((i) => hashes[i]!), perm.map((i) => times[i]!));
    expect(permuted).toEqual(perm.map((i) => flags[i]));
    expect(flags.some(Boolean)).toBe(true);
    // Fewer than BURST_MIN_COMPLETIONS completions per address are never a burst.
    expect(burstFlags(Array(BURST_MIN_COMPLETIONS - 1).fill('x'), Array(BURST_MIN_COMPLETIONS - 1).fill(0)).some(Boolean)).toBe(false);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => burstFlags(['a'], [])).toThrow(AnalysisError);
  });
});

describe('duplicateAnswerFlags', () => {
  it('keeps the earliest of identical answer vectors and flags the later copies', () => {
    expect(duplicateAnswerFlags(['x', 'y', 'x', 'x', null, null], [2, 1, 3, 1, 5, 6])).toEqual([true, false, true, false, false, false]);
  });
  it('ties in time go by row order; a missing time counts as latest', () => {
    expect(duplicateAnswerFlags(['x', 'x'], [5, 5])).toEqual([false, true]);
    expect(duplicateAnswerFlags(['x', 'x'], [null, 5])).toEqual([true, false]);
  });
  it('flags exactly n − (distinct vectors) rows', () => {
    const random = rng(3);
    const hashes = Array.from({ length: 500 }, () => `v${Math.floor(random() * 50)}`);
    const flags = duplicateAnswerFlags(hashes, hashes.map(() => random()));
    expect(flags.filter(Boolean).length).toBe(500 - new Set(hashes).size);
  });
  it('refuses arrays of different lengths', () => {
    expect(() => duplicateAnswerFlags(['a', 'b'], [1])).toThrow(AnalysisError);
  });
});

describe('automationFlags', () => {
  it('flags a missing proof of work and a duration under a second per answered item; not-asked and missing stay unflagged', () => {
    expect(automationFlags([1, 0, null, 1, 1, null], [600_000, 600_000, 5_000, 40_000, 39_999, null], [40, 40, 40, 40, 40, 40]))
      .toEqual([false, true, true, false, true, false]);
  });
  it('refuses arrays of different lengths', () => {
    expect(() => automationFlags([1], [1, 2], [1])).toThrow(AnalysisError);
  });
});
