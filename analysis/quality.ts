// Data-quality flags (METHODOLOGY §6). They are computed when a wave's estimates are computed;
// flagged responses are excluded by default, a researcher can overrule a flag, and the number
// excluded is always reported (by the caller).

import { median } from 'simple-statistics';
import { AnalysisError } from './errors';
import type { ScoringSpec } from './scoring';

/** Speeders are completions faster than this share of the wave's median completion time. */
export const SPEEDER_FACTOR = 0.3;
/** Below this many timed completes the median is too unstable to flag anyone. */
export const SPEEDER_MIN_COMPLETES = 30;

/**
 * Speeder flags (METHODOLOGY §6): a completion whose duration is below 0.3 × the median duration
 * of the wave's completes. Needs ≥ 30 completes with a duration, otherwise nobody is flagged and
 * `median` is null. A missing (null/NaN) duration is never flagged and does not count.
 *
 * Cost O(n log n) (median via simple-statistics).
 * @throws AnalysisError code 'invalid_input' for a negative or infinite duration.
 * @example speederFlags([...Array(29).fill(600000), 100000]) // { median: 600000, threshold: 180000, flags: [false × 29, true] }
 */
export function speederFlags(durationsMs: readonly (number | null)[], options: { factor?: number; minCompletes?: number } = {}): {
  median: number | null; threshold: number | null; flags: boolean[];
} {
  const factor = options.factor ?? SPEEDER_FACTOR;
  const minCompletes = options.minCompletes ?? SPEEDER_MIN_COMPLETES;
  const timed: number[] = [];
  durationsMs.forEach((d, i) => {
    if (d === null || Number.isNaN(d)) return;
    if (!(d >= 0) || !Number.isFinite(d)) throw new AnalysisError('invalid_input', `duration ${d} of completion ${i + 1} must be a finite number ≥ 0`, { row: i });
    timed.push(d);
  });
  if (timed.length < minCompletes) return { median: null, threshold: null, flags: durationsMs.map(() => false) };
  const med = median(timed);
  const threshold = factor * med;
  return { median: med, threshold, flags: durationsMs.map((d) => d !== null && !Number.isNaN(d) && d < threshold) };
}

/** A block of same-scale items within one indicator, checked for straightlining. */
export interface StraightlineBlock {
  indicator: string;
  items: string[];
}

/**
 * The blocks of a scoring spec checked for straightlining (METHODOLOGY §6): within each
 * indicator, items with the same scale (min, max) form a block, kept when it has ≥ 5 items.
 * Two-point (yes/no) scales are left out by default: on the social-distance block, "yes" to every
 * question is the most tolerant answer pattern, not inattention, and excluding those respondents
 * would bias the tolerance indicator down. Pass `includeBinary: true` to check them too.
 *
 * Cost O(items).
 * @example straightlineBlocks(spec) // [{ indicator: 'consensus', items: ['a1', 'a2', 'a3', 'a4', 'a5'] }]
 */
export function straightlineBlocks(spec: ScoringSpec, options: { minItems?: number; includeBinary?: boolean } = {}): StraightlineBlock[] {
  const minItems = options.minItems ?? 5;
  const out: StraightlineBlock[] = [];
  for (const ind of spec.indicators) {
    const groups = new Map<string, string[]>();
    for (const it of ind.items) {
      if (!options.includeBinary && it.max - it.min === 1) continue;
      const key = `${it.min}..${it.max}`;
      const g = groups.get(key) ?? [];
      g.push(it.name);
      groups.set(key, g);
    }
    for (const items of groups.values()) if (items.length >= minItems) out.push({ indicator: ind.id, items });
  }
  return out;
}

/**
 * Whether a respondent straightlined: answered every item of some block, all with the identical
 * answer (raw answers compared as trimmed strings, so 3 and "3" are the same; a reversed item
 * answered the same as the others counts, which is exactly the inattentive pattern). Returns the
 * indicators of the straightlined blocks (empty when none).
 *
 * Cost O(items in blocks).
 * @example straightlinedBlocks({ a1: 5, a2: 5, a3: '5', a4: 5, a5: 5 }, blocks) // ['consensus']
 */
export function straightlinedBlocks(answers: Record<string, unknown>, blocks: readonly StraightlineBlock[]): string[] {
  const hit: string[] = [];
  for (const b of blocks) {
    let first: string | null = null;
    let same = true;
    for (const name of b.items) {
      const v = Object.prototype.hasOwnProperty.call(answers, name) ? answers[name] : undefined;
      const s = v === undefined || v === null ? '' : String(v).trim();
      if (s === '') { same = false; break; }
      if (first === null) first = s;
      else if (s !== first) { same = false; break; }
    }
    if (same && first !== null) hit.push(b.indicator);
  }
  return hit;
}

/**
 * The "incomplete" flag (METHODOLOGY §6): a respondent with no score on any indicator.
 * Cost O(indicators).
 * @example isIncomplete({ consensus: null, tolerance: null, mood: null }) // true
 */
export function isIncomplete(indicatorScores: Record<string, number | null>): boolean {
  return Object.values(indicatorScores).every((v) => v === null);
}
