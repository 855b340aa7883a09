// Scoring per METHODOLOGY.md §2: item scores on 0–100, respondent indicator scores with the
// minimum-answered-share rule, and the age bands used for weighting.
//
// Missing-data policy (the one policy of analysis/, stated here and used everywhere): an item is
// *missing* when its answer is absent, null, undefined, the empty string (after trimming), or one
// of the item's `missingCodes` (e.g. "dk" = "hard to say"). Missing is never zero. Any other answer
// must be a number (or a numeric string, as CSV files and SurveyJS may give either) within the
// item's [min, max]; anything else is a data error that is thrown, never scored.

import { AnalysisError } from './errors';
import { firstRowWithCode, type FactorColumn } from './columns';

/** One scored item: a question name, its scale and direction. */
export interface ScoringItem {
  /** Question name in the survey (and column name in a responses CSV). */
  name: string;
  /** Lowest and highest valid answer codes; min < max. */
  min: number;
  max: number;
  /** True for a negatively worded item: scored (max − x)/(max − min)·100. */
  reverse?: boolean;
  /** Answer codes that mean "missing" (e.g. "dk"); compared as strings, so 9 matches "9". */
  missingCodes?: (string | number)[];
}

/** One indicator: its items and the share of them that must be answered for a score. */
export interface ScoringIndicator {
  id: string;
  /** In (0, 1]; a respondent needs ⌈minAnsweredShare·m⌉ of the m items answered. */
  minAnsweredShare: number;
  items: ScoringItem[];
}

/** The declarative scoring spec (METHODOLOGY §2, "Format"). */
export interface ScoringSpec {
  indicators: ScoringIndicator[];
}

/** Item and indicator scores of one respondent, 0–100, or null when missing. */
export interface RespondentScores {
  items: Record<string, number | null>;
  indicators: Record<string, number | null>;
}

const ITEM_KEYS = new Set(['name', 'min', 'max', 'reverse', 'missingCodes']);
const INDICATOR_KEYS = new Set(['id', 'minAnsweredShare', 'items']);

function specError(path: string, problem: string): AnalysisError {
  return new AnalysisError('invalid_scoring_spec', `scoring spec: ${path} ${problem}`, { path });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates an untrusted JSON value (e.g. the parsed content of scoring.json) and returns it as a
 * typed ScoringSpec (a fresh copy; the input is not modified).
 *
 * Checks: at least one indicator; unique non-empty indicator ids; minAnsweredShare a number in
 * (0, 1]; at least one item per indicator; unique non-empty item names within an indicator; finite
 * min < max; reverse boolean if present; missingCodes an array of strings/numbers if present; no
 * unknown keys on indicators or items (so a typo such as "reversed" cannot silently mis-score).
 * Extra keys at the top level (e.g. "$schema", "description") are allowed.
 *
 * Cost: O(total items).
 * @throws AnalysisError code 'invalid_scoring_spec', message naming the JSON path at fault,
 *   e.g. `scoring spec: indicators[0].items[2].max must be a finite number greater than min (1)`.
 * @example
 * parseScoringSpec({ indicators: [{ id: 'mood', minAnsweredShare: 0.6,
 *   items: [{ name: 'c1', min: 1, max: 5, missingCodes: ['dk'] }] }] })
 * // → the same structure, typed
 */
export function parseScoringSpec(json: unknown): ScoringSpec {
  if (!isRecord(json)) throw specError('(root)', 'must be an object with an "indicators" array');
  const inds = json.indicators;
  if (!Array.isArray(inds) || inds.length === 0) throw specError('indicators', 'must be a non-empty array');
  const ids = new Set<string>();
  const indicators: ScoringIndicator[] = inds.map((ind: unknown, i) => {
    const p = `indicators[${i}]`;
    if (!isRecord(ind)) throw specError(p, 'must be an object');
    for (const k of Object.keys(ind)) {
      if (!INDICATOR_KEYS.has(k)) throw specError(`${p}.${k}`, `is not a known key (allowed: ${[...INDICATOR_KEYS].join(', ')})`);
    }
    if (typeof ind.id !== 'string' || ind.id.trim() === '') throw specError(`${p}.id`, 'must be a non-empty string');
    if (ids.has(ind.id)) throw specError(`${p}.id`, `"${ind.id}" is used by more than one indicator`);
    ids.add(ind.id);
    const share = ind.minAnsweredShare;
    if (typeof share !== 'number' || !Number.isFinite(share) || share <= 0 || share > 1) {
      throw specError(`${p}.minAnsweredShare`, 'must be a number greater than 0 and at most 1');
    }
    if (!Array.isArray(ind.items) || ind.items.length === 0) throw specError(`${p}.items`, 'must be a non-empty array');
    const names = new Set<string>();
    const items: ScoringItem[] = ind.items.map((it: unknown, j) => {
      const q = `${p}.items[${j}]`;
      if (!isRecord(it)) throw specError(q, 'must be an object');
      for (const k of Object.keys(it)) {
        if (!ITEM_KEYS.has(k)) throw specError(`${q}.${k}`, `is not a known key (allowed: ${[...ITEM_KEYS].join(', ')})`);
      }
      if (typeof it.name !== 'string' || it.name.trim() === '') throw specError(`${q}.name`, 'must be a non-empty string');
      if (names.has(it.name)) throw specError(`${q}.name`, `"${it.name}" appears twice in indicator "${ind.id as string}"`);
      names.add(it.name);
      if (typeof it.min !== 'number' || !Number.isFinite(it.min)) throw specError(`${q}.min`, 'must be a finite number');
      if (typeof it.max !== 'number' || !Number.isFinite(it.max) || it.max <= it.min) {
        throw specError(`${q}.max`, `must be a finite number greater than min (${it.min})`);
      }
      if (it.reverse !== undefined && typeof it.reverse !== 'boolean') throw specError(`${q}.reverse`, 'must be true or false');
      let missingCodes: (string | number)[] | undefined;
      if (it.missingCodes !== undefined) {
        if (!Array.isArray(it.missingCodes) || !it.missingCodes.every((c) => typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c)))) {
          throw specError(`${q}.missingCodes`, 'must be an array of strings or numbers');
        }
        missingCodes = [...(it.missingCodes as (string | number)[])];
      }
      const item: ScoringItem = { name: it.name, min: it.min, max: it.max };
      if (it.reverse !== undefined) item.reverse = it.reverse;
      if (missingCodes !== undefined) item.missingCodes = missingCodes;
      return item;
    });
    return { id: ind.id, minAnsweredShare: share, items };
  });
  return { indicators };
}

/**
 * Minimum number of answered items for an indicator with m items: ⌈share·m⌉.
 * A tiny tolerance keeps floating-point products such as 0.7·10 = 7.000000000000001 from
 * rounding up to 8.
 * @example minAnswered(0.6, 5) // 3
 */
export function minAnswered(share: number, m: number): number {
  return Math.max(1, Math.ceil(share * m - 1e-9));
}

// A plain decimal number, as written by CSV exporters and SurveyJS text inputs.
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Converts one raw answer to a 0–100 item score, or null when missing (policy above).
 * Cost: O(number of missing codes).
 * @throws AnalysisError code 'invalid_item_value' (details: item, value) for a non-numeric answer
 *   or a number outside [min, max].
 * @example scoreItem({ name: 'c3', min: 1, max: 5, reverse: true }, '2') // 75
 */
export function scoreItem(item: ScoringItem, raw: unknown): number | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' && raw.trim() === '') return null;
  if (item.missingCodes !== undefined && (typeof raw === 'string' || typeof raw === 'number')) {
    const s = typeof raw === 'string' ? raw.trim() : String(raw);
    for (const code of item.missingCodes) if (String(code) === s) return null;
  }
  let x: number;
  if (typeof raw === 'number') x = raw;
  else if (typeof raw === 'string' && NUMERIC.test(raw.trim())) x = Number(raw.trim());
  else x = Number.NaN;
  if (!Number.isFinite(x) || x < item.min || x > item.max) {
    const shown = typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw) ?? String(raw);
    const codes = item.missingCodes && item.missingCodes.length > 0 ? ` or a missing code (${item.missingCodes.join(', ')})` : '';
    throw new AnalysisError(
      'invalid_item_value',
      `item "${item.name}": value ${shown} is not a number from ${item.min} to ${item.max}${codes}`,
      { item: item.name, value: raw },
    );
  }
  const range = item.max - item.min;
  return item.reverse ? ((item.max - x) / range) * 100 : ((x - item.min) / range) * 100;
}

/**
 * Scores one respondent (METHODOLOGY §2): every item of every indicator on 0–100 (null when
 * missing), and each indicator as the arithmetic mean of the respondent's non-missing item scores
 * when at least ⌈minAnsweredShare·m⌉ of its m items are answered, else null.
 *
 * Cost: O(total items).
 * @throws AnalysisError code 'invalid_item_value' naming the item and the value, for any answer
 *   that is neither missing nor a number in the item's [min, max] (the whole respondent is then
 *   not scored: a data error is reported, never half-scored).
 * @example
 * const spec = parseScoringSpec({ indicators: [{ id: 'consensus', minAnsweredShare: 0.6, items: [
 *   { name: 'a1', min: 1, max: 5 }, { name: 'a2', min: 1, max: 5 },
 *   { name: 'a3', min: 1, max: 5, reverse: true, missingCodes: ['dk'] }] }] });
 * scoreRespondent(spec, { a1: 5, a2: '4', a3: 'dk' })
 * // → { items: { a1: 100, a2: 75, a3: null }, indicators: { consensus: 87.5 } }
 */
export function scoreRespondent(spec: ScoringSpec, answers: Record<string, unknown>): RespondentScores {
  const items: Record<string, number | null> = {};
  const indicators: Record<string, number | null> = {};
  for (const ind of spec.indicators) {
    let sum = 0;
    let k = 0;
    for (const item of ind.items) {
      const raw = Object.prototype.hasOwnProperty.call(answers, item.name) ? answers[item.name] : undefined;
      const s = scoreItem(item, raw);
      items[item.name] = s;
      if (s !== null) { sum += s; k++; }
    }
    indicators[ind.id] = k >= minAnswered(ind.minAnsweredShare, ind.items.length) ? sum / k : null;
  }
  return { items, indicators };
}

/** Age bands used for weighting (METHODOLOGY §3). */
export type AgeBand = '18-29' | '30-44' | '45-59' | '60+';

/**
 * Maps age in completed years to its weighting band: 18–29, 30–44, 45–59, 60+.
 * Fractional ages are banded by value (29.9 → '18-29').
 * Cost: O(1).
 * @throws AnalysisError code 'invalid_age' for a non-finite value or an age below 18 (respondents
 *   are adults; the screener should have ended the survey).
 * @example ageBand(30) // '30-44'
 */
export function ageBand(years: number): AgeBand {
  if (typeof years !== 'number' || !Number.isFinite(years) || years < 18) {
    throw new AnalysisError('invalid_age', `age ${String(years)} is not a number of years of 18 or more`, { value: years });
  }
  if (years < 30) return '18-29';
  if (years < 45) return '30-44';
  if (years < 60) return '45-59';
  return '60+';
}

/** One item's scores for many respondents without a copy per respondent: score of i = table[codes[i]] (NaN = missing). */
export interface CodedScores {
  codes: Int32Array;
  table: Float64Array;
}

/** Item and indicator scores of many respondents, column by column (NaN = missing). */
export interface ScoreColumns {
  items: Record<string, CodedScores>;
  indicators: Record<string, Float64Array>;
}

/**
 * Materialises one item's scores (NaN = missing). Cost O(n).
 * @example itemScores({ codes: Int32Array.of(0, 1, 0), table: Float64Array.of(100, NaN) }) // Float64Array [100, NaN, 100]
 */
export function itemScores(c: CodedScores): Float64Array {
  const out = new Float64Array(c.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = c.table[c.codes[i]!]!;
  return out;
}

/**
 * Scores dictionary-encoded answer columns (one per item, as read from a responses CSV) with the
 * same rules as {@link scoreRespondent}: each distinct raw value is scored once with
 * {@link scoreItem}; item scores stay coded (a lookup table per item), and indicator scores are
 * computed per respondent. Missing scores are NaN.
 *
 * Cost: O(n · items) with no allocation per respondent.
 * @throws AnalysisError code 'invalid_input' when the spec names an item with no column;
 *   'invalid_item_value' naming the first row with a bad value (via `rowName`), the item and value.
 * @example
 * scoreColumns(spec, { c1: factorFromValues(['5', '', 'dk']), c2: factorFromValues(['4', '3', '1']) }, 3)
 * // → { items: { c1: { codes, table }, … }, indicators: { consensus: Float64Array […] } }
 */
export function scoreColumns(
  spec: ScoringSpec,
  columns: Readonly<Record<string, FactorColumn>>,
  n: number,
  rowName: (row: number) => string = (r) => `row ${r + 1}`,
): ScoreColumns {
  const items: Record<string, CodedScores> = {};
  const indicators: Record<string, Float64Array> = {};
  for (const ind of spec.indicators) {
    const sum = new Float64Array(n);
    const k = new Uint16Array(n);
    for (const item of ind.items) {
      const col = columns[item.name];
      if (!col) {
        throw new AnalysisError('invalid_input', `the scoring spec names item "${item.name}" (indicator "${ind.id}") but the responses have no such column`, { item: item.name });
      }
      const table = Float64Array.from(col.labels, (label, code) => {
        try {
          return scoreItem(item, label) ?? Number.NaN;
        } catch (e) {
          if (!(e instanceof AnalysisError)) throw e;
          const row = firstRowWithCode(col, code);
          if (row < 0) return Number.NaN; // a label no respondent has
          throw new AnalysisError('invalid_item_value', `${rowName(row)}: ${e.message}`, { ...e.details, row });
        }
      });
      const codes = col.codes;
      if (codes.length !== n) throw new AnalysisError('invalid_input', `column "${item.name}" has ${codes.length} values for ${n} respondents`);
      for (let i = 0; i < n; i++) {
        const v = table[codes[i]!]!;
        if (v === v) { sum[i]! += v; k[i]!++; }
      }
      items[item.name] = { codes, table };
    }
    const need = minAnswered(ind.minAnsweredShare, ind.items.length);
    for (let i = 0; i < n; i++) sum[i] = k[i]! >= need ? sum[i]! / k[i]! : Number.NaN;
    indicators[ind.id] = sum;
  }
  return { items, indicators };
}
