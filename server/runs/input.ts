// Reading the input of an estimate run: the derived columns of a wave's complete responses, in id
// order, into compact columns, and the hash of exactly what was read (decision 010).
//
// Speed (decision 010, amended): better-sqlite3 hands over one row per call, and making a JS row
// (an array, its strings and numbers) costs ~3 µs, most of a run's time for a million rows. So the
// rows are read in blocks, each block one string built by SQLite (group_concat): fields separated
// by char(31), rows by char(30). The order comes from a first, narrow query (rowid and id of every
// row, sorted by id inside SQLite); the blocks are read by rowid range through the
// (wave_id, status) index, in the table's order, and every row is put at its place in id order.
// Everything is first coded in the order met and re-coded in id order at the end, so codes, label
// tables and the input hash are exactly those of reading row by row (`readRunInputRowByRow`, kept
// as the reference and the fallback; test/server/runs/read-input.test.ts compares them).
// A block whose text does not split into exactly its rows and fields (a value containing a
// separator) is read row by row; so is a row with a value the text cannot carry exactly (an empty
// item_scores, which may be null or '', or a non-numeric age or survey version). Real numbers come
// as SQLite's text of them, which round-trips exactly (SQLite ≥ 3.43 prints the shortest exact
// form; better-sqlite3 bundles 3.53; the test checks random doubles).
import { createHash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { ScoringSpec } from '../../analysis/scoring';
import type { Db } from '../db/open';
import { INDICATOR_IDS, type IndicatorId } from './result';

export const FACTORS = ['region', 'settlement', 'sex', 'age', 'ageBand', 'ethnicity'] as const;
type Factor = (typeof FACTORS)[number];

export interface InputRows {
  n: number;
  ids: string[];
  factors: Record<Factor, Int32Array>;
  factorLabels: Record<Factor, string[]>;
  /** Per item: code per row into `values` (NaN = missing). */
  items: Record<string, { codes: Int32Array; values: number[] }>;
  stored: Record<IndicatorId, Float64Array>;
  durations: (number | null)[];
  /** Design weights (null base_weight → 1), or null when no row has one. */
  weights: Float64Array | null;
  surveyVersionIds: number[];
  blocks: { size: number; hashes: string[] };
  inputHash: string;
}

/** Incremental dictionary encoding of string values, in first-appearance order. */
class Encoder {
  labels: string[] = [];
  private index = new Map<string, number>();
  code(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) { c = this.labels.length; this.labels.push(s); this.index.set(s, c); }
    return c;
  }
}

/**
 * Reads the item_scores JSON of many rows into coded columns (codes in the order values are met).
 * The column is written by JSON.stringify (`{"a1":75,"a2":null,…}`: no spaces, number or null
 * values), so a scan in place is several times faster than JSON.parse building an object per row.
 * `readAt` refuses any other form, and the caller falls back to JSON.parse.
 */
class ItemScoresReader {
  private keyIndex: Map<string, number>;
  private byValue: Map<number, number>[];
  private small: Int32Array[];
  values: number[][];
  codes: Int32Array[];
  private stamp: Int32Array;
  /** The keys of the last row read, in their order (as character codes), and their item indexes (undefined: not an item). */
  private seqCodes: (Int32Array | undefined)[] = [];
  private seqIdx: (number | undefined)[] = [];
  constructor(private names: readonly string[], n: number) {
    this.keyIndex = new Map(names.map((name, k) => [name, k]));
    this.byValue = names.map(() => new Map());
    this.small = names.map(() => new Int32Array(101).fill(-1));
    this.values = names.map(() => []);
    this.codes = names.map(() => new Int32Array(n));
    this.stamp = new Int32Array(names.length);
  }

  /** Sets item k of row `row` to score x (NaN = missing). */
  set(k: number, row: number, x: number): void {
    // Whole scores 0–100 (nearly all) through a table (-0 as 0, as a Map keys them), the rest through a map.
    const small = x >= 0 && x <= 100 && (x | 0) === x;
    let c = small ? this.small[k]![x]! : -1;
    if (c >= 0) { this.codes[k]![row] = c; return; }
    c = this.byValue[k]!.get(x) ?? -1;
    if (c < 0) {
      c = this.values[k]!.length;
      this.values[k]!.push(x);
      if (small) this.small[k]![x] = c; else this.byValue[k]!.set(x, c);
    }
    this.codes[k]![row] = c;
  }

  /** Sets row `row` from a parsed item_scores object (the general path). */
  setParsed(scores: Record<string, unknown>, row: number): void {
    for (let k = 0; k < this.names.length; k++) {
      const v = scores[this.names[k]!];
      this.set(k, row, typeof v === 'number' ? v : Number.NaN);
    }
  }

  /**
   * Reads the compact JSON object starting at s[p] into row `row` and returns the position after
   * it, or -1 if it is not the compact form (keys without escapes or separators, values whole
   * numbers, decimals or null, no spaces).
   */
  readAt(s: string, p: number, row: number): number {
    if (s.charCodeAt(p) !== 123) return -1;
    const mark = row + 1;
    p++;
    if (s.charCodeAt(p) === 125) p++;
    else {
      for (let slot = 0; ; slot++) {
        if (s.charCodeAt(p) !== 34) return -1;
        let q = p + 1;
        // Rows are written with their keys in one order: the key at this place in the previous row
        // is compared first, character by character in place; else the key is sliced out.
        let k: number | undefined;
        const kc = this.seqCodes[slot];
        let hit = false;
        if (kc !== undefined) {
          const n = kc.length;
          let m = 0;
          while (m < n && s.charCodeAt(q + m) === kc[m]) m++;
          if (m === n && s.charCodeAt(q + n) === 34) { hit = true; k = this.seqIdx[slot]; q += n; }
        }
        if (!hit) {
          const e = s.indexOf('"', q);
          if (e < 0) return -1;
          const key = s.slice(q, e);
          if (key.includes('\\') || key.includes(SEP) || key.includes(RS)) return -1;
          k = this.keyIndex.get(key);
          this.seqCodes[slot] = Int32Array.from(key, (ch) => ch.charCodeAt(0));
          this.seqIdx[slot] = k;
          q = e;
        }
        if (s.charCodeAt(q + 1) !== 58) return -1;
        q += 2;
        let x: number;
        const c0 = s.charCodeAt(q) - 48;
        const c1 = s.charCodeAt(q + 1);
        if (c0 >= 0 && c0 <= 9 && (c1 === 44 || c1 === 125)) {
          // One digit (0, …), the commonest after 'null' and three digits.
          x = c0;
          q++;
        } else if (c0 === 62) {
          // 'null' ('n' is 110 = 48 + 62)
          if (c1 !== 117 || s.charCodeAt(q + 2) !== 108 || s.charCodeAt(q + 3) !== 108) return -1;
          x = Number.NaN;
          q += 4;
        } else {
          const v = q;
          for (;;) {
            const ch = s.charCodeAt(q);
            if (ch === 44 || ch === 125 || q >= s.length) break;
            if (ch === US_CODE || ch === RS_CODE) return -1;
            q++;
          }
          x = numberAt(s, v, q);
          if (!Number.isFinite(x)) return -1;
        }
        if (k !== undefined) {
          // Whole scores 0–100 (nearly all) through a table, the rest through set().
          const t = x >= 0 && x <= 100 && (x | 0) === x ? this.small[k]![x]! : -1;
          if (t >= 0) this.codes[k]![row] = t; else this.set(k, row, x);
          this.stamp[k] = mark;
        }
        const ch = s.charCodeAt(q);
        p = q + 1;
        if (ch === 125) break;
        if (ch !== 44) return -1;
      }
    }
    // Items absent from the object are missing.
    for (let k = 0; k < this.names.length; k++) if (this.stamp[k] !== mark) this.set(k, row, Number.NaN);
    return p;
  }

}

/**
 * The columns being read, each row at its place in id order, with values coded in the order they
 * are met; `finish` re-codes them in id order (first appearance), as reading row by row would.
 */
class InputBuilder {
  readonly svs: Int32Array;
  /** Code of the row's five text factors (region, settlement, sex, age band, ethnicity) into `combos`. */
  readonly combo: Int32Array;
  readonly combos: (readonly string[])[] = [];
  private comboIndex = new Map<string, number>();
  /** Age in years (NaN = null); a row whose age is not a number has it in `oddAges`. */
  readonly ages: Float64Array;
  readonly oddAges = new Map<number, unknown>();
  readonly items: ItemScoresReader;
  readonly stored: Record<IndicatorId, Float64Array>;
  readonly durations: Float64Array;
  readonly baseWeights: Float64Array;

  constructor(readonly n: number, readonly itemNames: readonly string[]) {
    this.svs = new Int32Array(n);
    this.combo = new Int32Array(n);
    this.ages = new Float64Array(n);
    this.items = new ItemScoresReader(itemNames, n);
    this.stored = Object.fromEntries(INDICATOR_IDS.map((k) => [k, new Float64Array(n)])) as Record<IndicatorId, Float64Array>;
    this.durations = new Float64Array(n);
    this.baseWeights = new Float64Array(n);
  }

  /** Code of the five factors joined by SEP (split once per distinct string). */
  comboOfJoined(joined: string): number {
    let c = this.comboIndex.get(joined);
    if (c === undefined) {
      const parts = joined.split(SEP);
      if (parts.length !== 5) return -1;
      c = this.combos.length;
      this.combos.push(parts);
      this.comboIndex.set(joined, c);
    }
    return c;
  }

  /** Sets row i from the values of one row as better-sqlite3 returns them (the exact path). */
  setRow(i: number, row: RowValues): void {
    const [sv, region, settlement, sex, ageBand, ethnicity, age, itemJson, cons, tol, mood, dur, bw] = row;
    this.svs[i] = sv;
    const parts = [region ?? '', settlement ?? '', sex ?? '', ageBand ?? '', ethnicity ?? ''];
    const joined = parts.join(SEP);
    let c = joined.split(SEP).length === 5 ? this.comboOfJoined(joined) : -1;
    if (c < 0) { c = this.combos.length; this.combos.push(parts); }
    this.combo[i] = c;
    if (age === null) this.ages[i] = Number.NaN;
    else if (typeof age === 'number') this.ages[i] = age;
    else { this.ages[i] = Number.NaN; this.oddAges.set(i, age); }
    if (itemJson === null || this.items.readAt(itemJson, 0, i) !== itemJson.length) {
      // Not the compact form JSON.stringify writes (e.g. edited by hand): the general parser.
      this.items.setParsed(itemJson === null ? {} : (JSON.parse(itemJson) as Record<string, unknown>), i);
    }
    this.stored.consensus[i] = cons ?? Number.NaN;
    this.stored.tolerance[i] = tol ?? Number.NaN;
    this.stored.mood[i] = mood ?? Number.NaN;
    this.durations[i] = dur ?? Number.NaN;
    this.baseWeights[i] = bw ?? Number.NaN;
  }

  /** Re-codes everything in id order and hashes it. */
  finish(ids: string[]): InputRows {
    const { n, itemNames } = this;
    const size = Math.max(64, Math.ceil(n / 1024));
    const enc = Object.fromEntries(FACTORS.map((f) => [f, new Encoder()])) as Record<Factor, Encoder>;
    const factors = Object.fromEntries(FACTORS.map((f) => [f, new Int32Array(n)])) as InputRows['factors'];
    // Factors: a combination's values are encoded at its first row in id order, which is where each
    // of its values is first seen, as when every row was encoded on its own.
    const comboCodes: (Int32Array | undefined)[] = new Array(this.combos.length);
    const ageIndex = new Map<unknown, number>();
    const ageLabels: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = this.combo[i]!;
      let fc = comboCodes[c];
      if (fc === undefined) {
        const p = this.combos[c]!;
        fc = Int32Array.of(enc.region.code(p[0]!), enc.settlement.code(p[1]!), enc.sex.code(p[2]!), enc.ageBand.code(p[3]!), enc.ethnicity.code(p[4]!));
        comboCodes[c] = fc;
      }
      factors.region[i] = fc[0]!;
      factors.settlement[i] = fc[1]!;
      factors.sex[i] = fc[2]!;
      factors.ageBand[i] = fc[3]!;
      factors.ethnicity[i] = fc[4]!;
      // Ages: a map by value (null as -1), the label made once per distinct age.
      const a = this.ages[i]!;
      const odd = a === a ? undefined : this.oddAges.get(i);
      const key = a === a ? a : odd ?? -1;
      let ac = ageIndex.get(key);
      if (ac === undefined) { ac = ageLabels.length; ageLabels.push(a === a ? String(a) : odd === undefined ? '' : String(odd)); ageIndex.set(key, ac); }
      factors.age[i] = ac;
    }
    const items: InputRows['items'] = {};
    itemNames.forEach((name, k) => {
      const temp = this.items.codes[k]!;
      const met = this.items.values[k]!;
      const remap = new Int32Array(met.length).fill(-1);
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = temp[i]!;
        let m = remap[t]!;
        if (m < 0) { m = values.length; values.push(met[t]!); remap[t] = m; }
        temp[i] = m;
      }
      items[name] = { codes: temp, values };
    });
    const factorLabels = Object.fromEntries(FACTORS.map((f) => [f, f === 'age' ? ageLabels : enc[f].labels])) as InputRows['factorLabels'];
    const { stored, durations, baseWeights, svs } = this;
    // The input hash covers exactly what the run uses, in its decoded form: ids, and every column
    // as codes into its label table or as raw doubles (NaN = null). Block hashes cover the rows'
    // ids and codes, so a changed row changes its own block; the label tables (and so any new
    // value) are in the overall hash. Hashing column bytes in bulk is ~10× cheaper than a text line per row.
    const numeric: ArrayBufferView[] = [svs, ...FACTORS.map((f) => factors[f]), ...itemNames.map((name) => items[name]!.codes),
      stored.consensus, stored.tolerance, stored.mood, durations, baseWeights];
    const hashes: string[] = [];
    for (let start = 0; start < n || (n === 0 && start === 0); start += size) {
      const end = Math.min(n, start + size);
      const h = createHash('sha256').update(ids.slice(start, end).join('\n'));
      for (const col of numeric) {
        const bytes = (col as Int32Array | Float64Array).BYTES_PER_ELEMENT;
        h.update(new Uint8Array(col.buffer, col.byteOffset + start * bytes, (end - start) * bytes));
      }
      hashes.push(h.digest('hex').slice(0, 16));
      if (n === 0) break;
    }
    const tables = JSON.stringify({ factors: factorLabels, items: itemNames.map((name) => items[name]!.values.map((v) => (Number.isNaN(v) ? null : v))) });
    let anyWeight = false;
    const weights = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const w = baseWeights[r]!;
      if (w === w) { anyWeight = true; weights[r] = w; } else weights[r] = 1;
    }
    const durationList: (number | null)[] = new Array<number | null>(n);
    for (let r = 0; r < n; r++) { const d = durations[r]!; durationList[r] = d === d ? d : null; }
    return {
      n, ids, factors, factorLabels, items, stored,
      durations: durationList,
      weights: anyWeight ? weights : null,
      surveyVersionIds: [...new Set(svs)].sort((a, b) => a - b),
      blocks: { size, hashes },
      inputHash: createHash('sha256').update(`${n}\n${hashes.join('\n')}\n`).update(tables).digest('hex'),
    };
  }
}

/**
 * One row's values as better-sqlite3 returns them: survey version, the five text factors, age,
 * item_scores, the three indicator scores, duration, base weight.
 */
type RowValues = [number, string | null, string | null, string | null, string | null, string | null, unknown, string | null, number | null, number | null, number | null, number | null, number | null];

const ROW_COLUMNS = 'survey_version_id, region, settlement, sex, age_band, ethnicity, age, item_scores, consensus, tolerance, mood, duration_ms, base_weight';
const WAVE_ROWS = "FROM responses WHERE wave_id = ? AND status = 'complete'";

/** Separators of the text blocks: fields (unit separator), rows (record separator). */
const SEP = '\x1f';
const RS = '\x1e';
const US_CODE = 0x1f;
const RS_CODE = 0x1e;

/** Rows per text block read at once (about 1.5 MB of text). */
const BLOCK_ROWS = 8192;

/** The same fields as ROW_COLUMNS, as one text line per row (concat_ws builds it in one piece); rowid first. */
const LINE = `concat_ws(char(31), ${['rowid', 'survey_version_id', "coalesce(region, '')", "coalesce(settlement, '')", "coalesce(sex, '')", "coalesce(age_band, '')",
  "coalesce(ethnicity, '')", "coalesce(age, '')", "coalesce(item_scores, '')", "coalesce(consensus, '')", "coalesce(tolerance, '')",
  "coalesce(mood, '')", "coalesce(duration_ms, '')", "coalesce(base_weight, '')"].join(', ')})`;

function itemNamesOf(spec: ScoringSpec): string[] {
  return spec.indicators.flatMap((ind) => ind.items.map((it) => it.name));
}

/**
 * A whole number written in s[from, to) (optional '-', at most 15 digits), or NaN.
 */
function intAt(s: string, from: number, to: number): number {
  let p = from;
  const neg = s.charCodeAt(p) === 45;
  if (neg) p++;
  if (p >= to || to - p > 15) return Number.NaN;
  let x = 0;
  for (; p < to; p++) {
    const d = s.charCodeAt(p) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    x = x * 10 + d;
  }
  return neg ? -x : x;
}


/**
 * The order of the wave's complete rows: their ids in id order and the rowid of each; null when
 * an id contains the row separator (then the rows are read one by one).
 */
function readOrder(sqlite: Database, waveId: number): { n: number; ids: string[]; rowids: Float64Array } | null {
  const [n, text] = sqlite.prepare(`SELECT count(*), group_concat(rowid || char(31) || id, char(30) ORDER BY id) ${WAVE_ROWS}`).raw(true).get(waveId) as [number, string | null];
  const ids = new Array<string>(n);
  const rowids = new Float64Array(n);
  if (n === 0) return { n, ids, rowids };
  let p = 0;
  for (let i = 0; i < n; i++) {
    const u = text!.indexOf(SEP, p);
    let e = text!.indexOf(RS, p);
    if (e < 0) e = text!.length;
    if (u < 0 || u > e) return null;
    const r = intAt(text!, p, u);
    if (r !== r) return null;
    rowids[i] = r;
    ids[i] = text!.slice(u + 1, e);
    p = e + 1;
    if ((i === n - 1) !== (e === text!.length)) return null;
  }
  return { n, ids, rowids };
}

/**
 * Reads the complete responses of `waveId` (id order) in one read transaction: their derived
 * columns into compact columns, and the hash of exactly what was read.
 * @param blockRows rows per text block (the tests use small blocks to cross many boundaries)
 */
export function readRunInput(db: Db, waveId: number, spec: ScoringSpec, blockRows = BLOCK_ROWS): InputRows {
  const sqlite = db.$client;
  const read = sqlite.transaction(() => {
    const order = readOrder(sqlite, waveId);
    if (!order) return readRowByRow(sqlite, waveId, spec);
    const { n, ids, rowids } = order;
    const b = new InputBuilder(n, itemNamesOf(spec));
    // The rows sorted by rowid, with their places in id order.
    const byRowid = new Int32Array(n);
    for (let i = 0; i < n; i++) byRowid[i] = i;
    let sorted = true;
    for (let i = 1; i < n; i++) if (!(rowids[i - 1]! < rowids[i]!)) { sorted = false; break; }
    if (!sorted) byRowid.sort((x, y) => rowids[x]! - rowids[y]!);
    const sortedRowids = Float64Array.from(byRowid, (i) => rowids[i]!);
    const block = sqlite.prepare(`SELECT count(*), group_concat(${LINE}, char(30)) ${WAVE_ROWS} AND rowid BETWEEN ? AND ?`).raw(true);
    const one = sqlite.prepare(`SELECT ${ROW_COLUMNS} FROM responses WHERE rowid = ?`).raw(true);
    const redo: number[] = [];
    for (let start = 0; start < n; start += blockRows) {
      const end = Math.min(n, start + blockRows);
      const [count, text] = block.get(waveId, sortedRowids[start], sortedRowids[end - 1]) as [number, string];
      if (count !== end - start || !readBlock(b, text, start, end, sortedRowids, byRowid, redo)) {
        for (let j = start; j < end; j++) redo.push(j);
      }
    }
    // Rows the text could not carry exactly: read on their own.
    for (const j of redo) b.setRow(byRowid[j]!, one.get(sortedRowids[j]) as RowValues);
    return b.finish(ids);
  });
  return read.deferred();
}

/** End of the field starting at p: the next separator (either kind) or the end of s. */
function fieldEnd(s: string, p: number): number {
  const len = s.length;
  while (p < len) {
    const c = s.charCodeAt(p);
    if (c === US_CODE || c === RS_CODE) return p;
    p++;
  }
  return p;
}

/** Powers of ten that are exact doubles. */
const TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A number as SQLite writes it in s[from, to): '' is null (NaN). Decimals of at most 15 digits are
 * m / 10^k, exactly rounded (m and 10^k are exact doubles); anything else goes through Number,
 * which is what a value coerced by a typed array gets.
 */
function numberAt(s: string, from: number, to: number): number {
  if (from === to) return Number.NaN;
  let p = from;
  const neg = s.charCodeAt(p) === 45;
  if (neg) p++;
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; p < to; p++) {
    const c = s.charCodeAt(p);
    if (c === 46 && frac < 0) { frac = 0; continue; }
    const d = c - 48;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
    digits++;
    if (frac >= 0) frac++;
  }
  if (p === to && digits > 0 && digits <= 15 && frac !== 0) {
    const x = frac > 0 ? m / TEN[frac]! : m;
    return neg ? -x : x;
  }
  return Number(s.slice(from, to));
}

/**
 * Reads one text block holding the rows sortedRowids[start, end) (in any order) into their places,
 * in one pass over the text. Every field must end at its separator (the last at the row's end) and
 * no value may hold a separator, so the text splits into exactly those rows with 14 fields
 * each, or false is returned (the block is then read row by row). Rows that need the exact path
 * go to `redo` (as indexes into sortedRowids).
 */
function readBlock(b: InputBuilder, s: string, start: number, end: number, sortedRowids: Float64Array, byRowid: Int32Array, redo: number[]): boolean {
  const seen = new Uint8Array(end - start);
  const { stored, items } = b;
  const len = s.length;
  let p = 0;
  let expected = start;
  for (let r = start; r < end; r++) {
    // rowid
    let q = fieldEnd(s, p);
    if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    const rowid = numberAt(s, p, q);
    // The row's index among the sorted rowids: usually the next one (the index returns rowid order).
    let j = expected;
    if (!(j < end && sortedRowids[j] === rowid)) {
      let lo = start;
      let hi = end - 1;
      j = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = sortedRowids[mid]!;
        if (v === rowid) { j = mid; break; }
        if (v < rowid) lo = mid + 1; else hi = mid - 1;
      }
      if (j < 0) return false;
    }
    if (seen[j - start]) return false;
    seen[j - start] = 1;
    expected = j + 1;
    const i = byRowid[j]!;
    // survey version
    p = q + 1;
    q = fieldEnd(s, p);
    if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    const sv = numberAt(s, p, q);
    let exact = sv === sv && p < q && sv === Math.trunc(sv) && Math.abs(sv) <= 0x7fffffff;
    // the five text factors, as one string
    const f0 = q + 1;
    q = f0 - 1;
    for (let k = 0; k < 5; k++) {
      q = fieldEnd(s, q + 1);
      if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    }
    const c = b.comboOfJoined(s.slice(f0, q));
    if (c < 0) return false;
    // age: empty is null; anything but a whole number is read as SQLite has it
    p = q + 1;
    q = fieldEnd(s, p);
    if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    const age = numberAt(s, p, q);
    if (p < q && !(age === Math.trunc(age) && q - p <= 15)) exact = false;
    // item_scores: empty is null or '' (only the exact path tells them apart)
    p = q + 1;
    if (s.charCodeAt(p) === US_CODE) { exact = false; q = p; } else {
      q = items.readAt(s, p, i);
      if (q < 0 || s.charCodeAt(q) !== US_CODE) return false;
    }
    // consensus, tolerance, mood, duration
    p = q + 1; q = fieldEnd(s, p);
    if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    const cons = numberAt(s, p, q);
    p = q + 1; q = fieldEnd(s, p);
    if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    const tol = numberAt(s, p, q);
    p = q + 1; q = fieldEnd(s, p);
    if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    const mood = numberAt(s, p, q);
    p = q + 1; q = fieldEnd(s, p);
    if (q >= len || s.charCodeAt(q) !== US_CODE) return false;
    const dur = numberAt(s, p, q);
    // base weight, the last field: the row ends at a row separator or the end of the block
    p = q + 1; q = fieldEnd(s, p);
    if (r === end - 1 ? q !== len : q >= len || s.charCodeAt(q) !== RS_CODE) return false;
    const bw = numberAt(s, p, q);
    p = q + 1;
    if (!exact) { redo.push(j); continue; }
    b.svs[i] = sv;
    b.combo[i] = c;
    b.ages[i] = age;
    stored.consensus[i] = cons;
    stored.tolerance[i] = tol;
    stored.mood[i] = mood;
    b.durations[i] = dur;
    b.baseWeights[i] = bw;
  }
  return true;
}

function readRowByRow(sqlite: Database, waveId: number, spec: ScoringSpec): InputRows {
  const n = sqlite.prepare(`SELECT count(*) ${WAVE_ROWS}`).pluck().get(waveId) as number;
  const ids = new Array<string>(n);
  const b = new InputBuilder(n, itemNamesOf(spec));
  const stmt: Statement = sqlite.prepare(`SELECT id, ${ROW_COLUMNS} ${WAVE_ROWS} ORDER BY id`).raw(true);
  let i = 0;
  for (const raw of stmt.iterate(waveId) as IterableIterator<[string, ...RowValues]>) {
    if (i >= n) break;
    ids[i] = raw[0];
    b.setRow(i, raw.slice(1) as RowValues);
    i++;
  }
  return b.finish(ids);
}

/**
 * The reference reader: every row on its own, in id order (what the block reader must equal
 * exactly; used for a wave whose ids contain the row separator). Exported for the tests.
 */
export function readRunInputRowByRow(db: Db, waveId: number, spec: ScoringSpec): InputRows {
  const sqlite = db.$client;
  return sqlite.transaction(() => readRowByRow(sqlite, waveId, spec)).deferred();
}
