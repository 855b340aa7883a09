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
  const n = durationsMs.length;
  const timed: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = durationsMs[i];
    if (d === null || d === undefined || Number.isNaN(d)) continue;
    if (!(d >= 0) || !Number.isFinite(d)) throw new AnalysisError('invalid_input', `duration ${d} of completion ${i + 1} must be a finite number ≥ 0`, { row: i });
    timed.push(d);
  }
  const flags = new Array<boolean>(n).fill(false);
  if (timed.length < minCompletes) return { median: null, threshold: null, flags };
  const med = median(timed);
  const threshold = factor * med;
  for (let i = 0; i < n; i++) {
    const d = durationsMs[i];
    if (d !== null && d !== undefined && d < threshold) flags[i] = true;
  }
  return { median: med, threshold, flags };
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

// --- Flags against ballot stuffing through the open link (issue 14, docs/decisions/021) --------
//
// Their inputs are recorded by the server when a response is stored (server/antibot): a keyed
// hash of the completing address, whether the response was started with a valid proof of work,
// and a hash of its whole answer vector. A response without those inputs (an invitation, an
// imported field interview, a response stored before they existed) is never flagged by them: the
// one missing-data policy of this file, "no input, no flag".

/** A burst is at least this many completions from one address hash… */
export const BURST_MIN_COMPLETIONS = 10;
/** …within this many milliseconds (first to last). */
export const BURST_WINDOW_MS = 10 * 60_000;

/**
 * *Burst* flags: every completion that lies in some window of `windowMs` (first to last
 * completion, inclusive) holding at least `minCompletions` completions from the same address hash.
 * The per-address limit lets 20 new interviews per 10 minutes through (decision 021); ten from one
 * address within ten minutes is already more than a household or an office produces in a
 * quarterly survey, while a carrier's shared address spreads its respondents over the quarter.
 * A null hash or a null/NaN time is never flagged and does not count.
 *
 * Cost O(n log n) (a sort per address).
 * @throws AnalysisError 'invalid_input' when the two arrays differ in length.
 * @example burstFlags(['a', 'a', 'a', 'b'], [0, 60000, 120000, 0], { minCompletions: 3 }) // [true, true, true, false]
 */
export function burstFlags(addressHashes: readonly (string | null)[], completedAtMs: ArrayLike<number | null>, options: { minCompletions?: number; windowMs?: number } = {}): boolean[] {
  if (addressHashes.length !== completedAtMs.length) throw new AnalysisError('invalid_input', `burstFlags: ${addressHashes.length} address hashes but ${completedAtMs.length} completion times`);
  const k = options.minCompletions ?? BURST_MIN_COMPLETIONS;
  const windowMs = options.windowMs ?? BURST_WINDOW_MS;
  const flags = new Array<boolean>(addressHashes.length).fill(false);
  const byAddress = new Map<string, number[]>();
  for (let i = 0; i < addressHashes.length; i++) {
    const h = addressHashes[i];
    const t = completedAtMs[i];
    if (h === null || h === undefined || t === null || t === undefined || Number.isNaN(t)) continue;
    const list = byAddress.get(h);
    if (list) list.push(i); else byAddress.set(h, [i]);
  }
  for (const rows of byAddress.values()) {
    if (rows.length < k) continue;
    rows.sort((a, b) => completedAtMs[a]! - completedAtMs[b]! || a - b);
    // Two pointers: for each last row r, the earliest l within the window; a window of ≥ k rows flags them all.
    let l = 0;
    for (let r = 0; r < rows.length; r++) {
      while (completedAtMs[rows[r]!]! - completedAtMs[rows[l]!]! > windowMs) l++;
      if (r - l + 1 >= k) for (let j = l; j <= r; j++) flags[rows[j]!] = true;
    }
  }
  return flags;
}

/**
 * *Duplicate answers* flags: a completion whose answer vector (every question, demographics
 * included: the caller passes a hash of the whole vector) is identical to one completed earlier
 * in the wave. The earliest keeps its place (ties by row order); every later copy is flagged.
 * A null hash is never flagged.
 *
 * Cost O(n log n).
 * @throws AnalysisError 'invalid_input' when the two arrays differ in length.
 * @example duplicateAnswerFlags(['x', 'y', 'x'], [2, 1, 3]) // [false, false, true]
 */
export function duplicateAnswerFlags(answerHashes: readonly (string | null)[], completedAtMs: ArrayLike<number | null>): boolean[] {
  if (answerHashes.length !== completedAtMs.length) throw new AnalysisError('invalid_input', `duplicateAnswerFlags: ${answerHashes.length} answer hashes but ${completedAtMs.length} completion times`);
  const time = (i: number) => { const t = completedAtMs[i]; return t === null || t === undefined || Number.isNaN(t) ? Number.POSITIVE_INFINITY : t; };
  // Only rows with a hash can be flagged or flag another: they alone are ordered (a wave of web
  // completions without the open link has none, and sorting a million indexes cost 60 ms).
  const order: number[] = [];
  for (let i = 0; i < answerHashes.length; i++) if (answerHashes[i] !== null && answerHashes[i] !== undefined) order.push(i);
  order.sort((a, b) => time(a) - time(b) || a - b);
  const seen = new Set<string>();
  const flags = new Array<boolean>(answerHashes.length).fill(false);
  for (const i of order) {
    const h = answerHashes[i]!;
    if (seen.has(h)) flags[i] = true; else seen.add(h);
  }
  return flags;
}

/** Less than this many milliseconds per answered scored item is not humanly possible (reading and tapping). */
export const AUTOMATION_MIN_MS_PER_ITEM = 1000;

/**
 * *Automation* flags: a response started through the open link without a valid proof of work
 * (`powOk` 0: possible only while the protection was switched off), or with an impossible timing —
 * a reported duration below {@link AUTOMATION_MIN_MS_PER_ITEM} per answered scored item (a script
 * posting a made-up `durationMs`). Unlike the speeder flag this is absolute, not relative to the
 * wave, so a flood of scripted interviews cannot move its own threshold. `powOk` null (not asked)
 * and a null/NaN duration are not flagged on that count.
 *
 * Cost O(n).
 * @throws AnalysisError 'invalid_input' when the arrays differ in length.
 * @example automationFlags([1, 0, null], [600000, 600000, 5000], [40, 40, 40]) // [false, true, true]
 */
export function automationFlags(powOk: readonly (number | null)[], durationsMs: readonly (number | null)[], answeredItems: ArrayLike<number>, options: { minMsPerItem?: number } = {}): boolean[] {
  if (powOk.length !== durationsMs.length || powOk.length !== answeredItems.length) {
    throw new AnalysisError('invalid_input', `automationFlags: ${powOk.length} proof-of-work values, ${durationsMs.length} durations and ${answeredItems.length} item counts must be as many`);
  }
  const perItem = options.minMsPerItem ?? AUTOMATION_MIN_MS_PER_ITEM;
  const flags = new Array<boolean>(powOk.length).fill(false);
  for (let i = 0; i < powOk.length; i++) {
    const d = durationsMs[i];
    if (powOk[i] === 0 || (d !== null && d !== undefined && !Number.isNaN(d) && d < perItem * answeredItems[i]!)) flags[i] = true;
  }
  return flags;
}

