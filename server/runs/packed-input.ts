// The compact stored form of what an estimate run reads from a complete response
// (`responses.run_input`, docs/decisions/028), the coding every reader of a run's input shares
// (SQLite row by row, SQLite packed, PostgreSQL), and the backfill of rows written before it.
//
// A run needs, per response, its weighting variables, item scores and indicator scores. Read as
// fourteen columns and a JSON object per row, a million rows cost ~8 µs each, almost all of it in
// making JS values one row at a time (better-sqlite3 hands over one row per call). Packed into one
// small BLOB at completion, they are read 65,536 rows at a time as one buffer that SQLite
// concatenates from a covering index in id order (input.ts `readPacked`), and decoded from bytes:
// no JSON, no per-row call, one string (the id) per row.
//
// Format 1 (little-endian), packed from the derived columns *as the database gives them back*:
//   u8 1 · u32 fingerprint of the item names (FNV-1a) · u8 item count
//   5 × (varint byte length, UTF-8 bytes): region, settlement, sex, age band, ethnicity (null → '')
//   num age · num consensus · num tolerance · num mood · item count × num (the spec's item order)
// num: one byte 0–200 = that whole number; 201 = null; 202 = a float64 follows (8 bytes).
// The id, survey version, duration and design weight are the row's own columns, not packed.
import type { ScoringSpec } from '../../analysis/scoring';
import { INDICATOR_IDS, type IndicatorId } from './result';

export const FACTORS = ['region', 'settlement', 'sex', 'age', 'ageBand', 'ethnicity'] as const;
export type Factor = (typeof FACTORS)[number];

export const RUN_INPUT_FORMAT = 1;
const NULL_NUM = 201;
const F64 = 202;
const HEADER = 6;

/** The item names of a scoring spec, in the order a run reads them and the packed form keeps their scores. */
export function specItemNames(spec: ScoringSpec): string[] {
  return spec.indicators.flatMap((ind) => ind.items.map((it) => it.name));
}

/** FNV-1a (32 bits) of the item names joined by NUL: a packed row is read only by a spec with the same items in the same order. */
export function itemNamesFingerprint(names: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(names.join('\0'), 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** The derived columns a run reads, as the database gives them back (item_scores parsed). */
export interface PackableColumns {
  region: unknown;
  settlement: unknown;
  sex: unknown;
  ageBand: unknown;
  ethnicity: unknown;
  age: number | null;
  itemScores: unknown;
  consensus: number | null;
  tolerance: number | null;
  mood: number | null;
}

/** A text factor as the row readers code it: null → '', anything else as its text. */
const factorText = (s: unknown): string => (s === null || s === undefined ? '' : String(s));

/**
 * The packed form (format 1, see the file's head) of a complete response's derived columns as the
 * database gives them back, for the item names of its scoring spec: a number in `itemScores` is
 * taken as it is, anything else (null, absent, not a number) is missing, as the row readers read
 * the JSON. Cost: a few µs.
 * @example packRunInput(['a1', 'a2'], { region: 'KZ-47', …, itemScores: { a1: 100, a2: null }, consensus: 60, … })
 * // → <Buffer 01 … 64 c9>
 */
export function packRunInput(itemNames: readonly string[], c: PackableColumns): Buffer {
  if (itemNames.length > 255) throw new Error(`a scoring spec of ${itemNames.length} items cannot be packed (at most 255)`);
  const texts = [c.region, c.settlement, c.sex, c.ageBand, c.ethnicity].map((s) => Buffer.from(factorText(s), 'utf8'));
  let size = HEADER;
  for (const t of texts) size += 5 + t.length;
  size += (4 + itemNames.length) * 9;
  const out = Buffer.allocUnsafe(size);
  let p = 0;
  out[p++] = RUN_INPUT_FORMAT;
  out.writeUInt32LE(itemNamesFingerprint(itemNames), p); p += 4;
  out[p++] = itemNames.length;
  for (const t of texts) {
    let len = t.length;
    while (len >= 0x80) { out[p++] = (len & 0x7f) | 0x80; len >>>= 7; }
    out[p++] = len;
    t.copy(out, p); p += t.length;
  }
  const num = (x: unknown): void => {
    if (typeof x !== 'number' || Number.isNaN(x)) out[p++] = NULL_NUM;
    else if (Number.isInteger(x) && x >= 0 && x <= 200 && !Object.is(x, -0)) out[p++] = x;
    else { out[p++] = F64; out.writeDoubleLE(x, p); p += 8; }
  };
  num(c.age);
  num(c.consensus);
  num(c.tolerance);
  num(c.mood);
  const scores = (c.itemScores !== null && typeof c.itemScores === 'object' && !Array.isArray(c.itemScores) ? c.itemScores : {}) as Record<string, unknown>;
  for (const name of itemNames) num(Object.prototype.hasOwnProperty.call(scores, name) ? scores[name] : undefined);
  return Buffer.from(out.subarray(0, p));
}

/** A derived number as both engines store and give it back: NaN → null and −0 → 0 (SQLite would do so itself, PostgreSQL would not). */
export const storedNumber = (x: number | null): number | null => (x === null || Number.isNaN(x) ? null : x === 0 ? 0 : x);
/** A score as it reads back from the item_scores JSON: JSON.stringify writes NaN and ±Infinity as null, −0 as 0. */
const asJson = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? (x === 0 ? 0 : x) : null);

/**
 * The packed form of the derived columns a completion or an import is about to store (server/responses
 * `deriveColumns`, whose numbers are already {@link storedNumber}): the values as the database will
 * give them back, so that the packed form and the columns say the same. docs/decisions/028.
 * @example packDerivedColumns(['a1'], { …, itemScores: { a1: 75 } }) // → <Buffer 01 …>
 */
export function packDerivedColumns(itemNames: readonly string[], c: PackableColumns): Buffer {
  const scores: Record<string, number | null> = {};
  const given = (c.itemScores ?? {}) as Record<string, unknown>;
  for (const name of itemNames) if (Object.prototype.hasOwnProperty.call(given, name)) scores[name] = asJson(given[name]);
  return packRunInput(itemNames, {
    region: c.region, settlement: c.settlement, sex: c.sex, ageBand: c.ageBand, ethnicity: c.ethnicity,
    age: storedNumber(c.age), consensus: storedNumber(c.consensus), tolerance: storedNumber(c.tolerance), mood: storedNumber(c.mood), itemScores: scores,
  });
}

/** Whether `buf` from `at` on (to `end`) is a format-1 packed row for these items (`fingerprint` of them, `count` of them). */
export function packedFor(buf: Uint8Array, at: number, end: number, fingerprint: number, count: number): boolean {
  return end - at >= HEADER && buf[at] === RUN_INPUT_FORMAT
    && (buf[at + 1]! | (buf[at + 2]! << 8) | (buf[at + 3]! << 16) | (buf[at + 4]! << 24)) >>> 0 === fingerprint && buf[at + 5] === count;
}

/** Incremental dictionary encoding of string values, in first-appearance order. */
export class Encoder {
  labels: string[] = [];
  private index = new Map<string, number>();
  code(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) { c = this.labels.length; this.labels.push(s); this.index.set(s, c); }
    return c;
  }
}

/**
 * The ids of a run's input rows in their order, as one UTF-8 buffer: each id followed by a line
 * feed, and where each one ends. A million ids as strings were ~0.4 s of a run (making them, and
 * the garbage collector moving and marking them); here a string is made only when asked for
 * ({@link IdList.at}: an error message, an overruled flag, a flagged row). The bytes of a range of
 * ids are exactly the UTF-8 of `ids.join('\n')` over that range ({@link IdList.joined}), which the
 * input hash covers. Plain data (two typed arrays), so a thread can post it; {@link IdList.of}
 * gives the class back.
 */
export class IdList implements Iterable<string> {
  readonly length: number;
  /**
   * @param bytes every id's UTF-8 followed by '\n', in order
   * @param ends where each id's '\n' is, plus one
   */
  /** The bytes as a Buffer (a view), to decode from. */
  private readonly text: Buffer;
  constructor(readonly bytes: Uint8Array, readonly ends: Uint32Array) {
    this.length = ends.length;
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The list again after crossing threads (a posted IdList arrives as a plain object). */
  static of(plain: { bytes: Uint8Array; ends: Uint32Array }): IdList {
    return new IdList(plain.bytes, plain.ends);
  }

  /** The list of these ids (tests, small waves). */
  static from(ids: readonly string[]): IdList {
    const b = new IdListBuilder(ids.length);
    for (const id of ids) b.push(id);
    return b.list();
  }

  /** Id i (0-based). @throws RangeError outside 0..length−1 */
  at(i: number): string {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`id ${i} of a list of ${this.length}`);
    const start = i === 0 ? 0 : this.ends[i - 1]!;
    return this.text.toString('utf8', start, this.ends[i]! - 1);
  }

  /** Id i's UTF-8 bytes (a view, not a copy). */
  bytesOf(i: number): Uint8Array {
    const start = i === 0 ? 0 : this.ends[i - 1]!;
    return this.bytes.subarray(start, this.ends[i]! - 1);
  }

  /** Whether id i's UTF-8 is `bytes`. */
  is(i: number, bytes: Uint8Array): boolean {
    const start = i === 0 ? 0 : this.ends[i - 1]!;
    const len = this.ends[i]! - 1 - start;
    if (len !== bytes.length) return false;
    for (let k = 0; k < len; k++) if (this.bytes[start + k] !== bytes[k]) return false;
    return true;
  }

  /** The UTF-8 bytes of ids [start, end) joined by '\n' (the same as `Buffer.from(ids.slice(start, end).join('\n'))`). */
  joined(start: number, end: number): Uint8Array {
    if (end <= start) return new Uint8Array(0);
    const from = start === 0 ? 0 : this.ends[start - 1]!;
    return this.bytes.subarray(from, this.ends[end - 1]! - 1);
  }

  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

/** Builds an {@link IdList} one id after another (in row order). */
export class IdListBuilder {
  private bytes: Buffer;
  private readonly ends: Uint32Array;
  private used = 0;
  private count = 0;
  constructor(readonly n: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(64, n * 16));
    this.ends = new Uint32Array(n);
  }

  private room(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + extra));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }

  /** Appends id (the next row's). */
  push(id: string): void {
    const max = Buffer.byteLength(id, 'utf8') + 1;
    this.room(max);
    this.used += this.bytes.write(id, this.used, 'utf8');
    this.end();
  }

  /** Appends the id whose UTF-8 is buf[start, end) (a packed read's bytes, copied). */
  pushBytes(buf: Uint8Array, start: number, end: number): void {
    this.room(end - start + 1);
    // Byte by byte: ids are short, and a subarray per id (to copy with set) cost more than the copy.
    const out = this.bytes;
    let u = this.used;
    for (let k = start; k < end; k++) out[u++] = buf[k]!;
    this.used = u;
    this.end();
  }

  private end(): void {
    if (this.count >= this.n) throw new Error(`more than the ${this.n} ids this list was made for`);
    this.bytes[this.used++] = 10;
    this.ends[this.count++] = this.used;
  }

  /** How many ids have been appended. */
  get size(): number {
    return this.count;
  }

  /** The list (its bytes copied to their exact length). @throws Error when fewer ids than `n` were appended */
  list(): IdList {
    if (this.count !== this.n) throw new Error(`${this.count} ids appended to a list of ${this.n}`);
    // A plain Uint8Array (not a Buffer), as it is after crossing threads.
    return new IdList(new Uint8Array(this.bytes.subarray(0, this.used)), this.ends);
  }
}

/**
 * The rows of one read (or one thread's id range), coded in first-appearance order: what a thread
 * reads. Plain data (typed arrays, arrays of strings and numbers), so a worker can post it.
 */
export interface InputPart {
  n: number;
  ids: IdList;
  svs: Int32Array;
  factorCodes: Record<Factor, Int32Array>;
  factorLabels: Record<Factor, string[]>;
  itemCodes: Int32Array[];
  itemValues: number[][];
  stored: Record<IndicatorId, Float64Array>;
  durations: Float64Array;
  baseWeights: Float64Array;
  powOk: (number | null)[];
  addressHash: (string | null)[];
  answersHash: (string | null)[];
  completedAtMs: Float64Array;
}

/**
 * The one coding of a run's input rows, shared by every reader (SQLite row by row and packed,
 * PostgreSQL): each reader hands it a row's values in id order and the columns, codes and label
 * tables come out the same whatever the reader. Codes are given at first appearance: text factors
 * in the order region, settlement, sex, age band, ethnicity; ages by number (the label made once,
 * null as '' — keyed −1, as it always was); item scores by value (a Map: SameValueZero, so −0 and
 * 0 share a code, NaN = missing).
 */
export class PartBuilder {
  /** The rows' ids, appended in row order ({@link setId}, {@link setIdBytes}). */
  private readonly idList: IdListBuilder;
  readonly svs: Int32Array;
  readonly factorCodes: Record<Factor, Int32Array>;
  readonly itemCodes: Int32Array[];
  readonly itemValues: number[][];
  readonly stored: Record<IndicatorId, Float64Array>;
  readonly durations: Float64Array;
  readonly baseWeights: Float64Array;
  readonly powOk: (number | null)[];
  readonly addressHash: (string | null)[];
  readonly answersHash: (string | null)[];
  readonly completedAtMs: Float64Array;
  private enc = { region: new Encoder(), settlement: new Encoder(), sex: new Encoder(), ageBand: new Encoder(), ethnicity: new Encoder() };
  private ageIndex = new Map<number, number>();
  private ageLabels: string[] = [];
  private itemIndex: Map<number, number>[];
  /**
   * The distinct packed byte strings of the five text factors seen so far (`comboBytes`) and their
   * codes (`comboCodes`), found by their FNV-1a hash (its low 30 bits: a small integer key).
   */
  private combos = new Map<number, number[]>();
  private comboBytes: Uint8Array[] = [];
  private comboCodes: Int32Array[] = [];
  /** Per item, the code of each one-byte number (0–200 the number, 201 missing) once seen; −1 before. A cache of setItem's answer, so the same codes. */
  private itemByteCodes: Int32Array[];
  /** The same for ages. */
  private ageByteCodes = new Int32Array(202).fill(-1);
  readonly fingerprint: number;
  readonly itemCount: number;

  constructor(readonly n: number, readonly itemNames: readonly string[]) {
    this.idList = new IdListBuilder(n);
    this.svs = new Int32Array(n);
    this.factorCodes = Object.fromEntries(FACTORS.map((f) => [f, new Int32Array(n)])) as Record<Factor, Int32Array>;
    this.itemCount = itemNames.length;
    this.itemCodes = itemNames.map(() => new Int32Array(n));
    this.itemValues = itemNames.map(() => []);
    this.itemIndex = itemNames.map(() => new Map());
    this.itemByteCodes = itemNames.map(() => new Int32Array(202).fill(-1));
    this.stored = Object.fromEntries(INDICATOR_IDS.map((k) => [k, new Float64Array(n)])) as Record<IndicatorId, Float64Array>;
    this.durations = new Float64Array(n);
    this.baseWeights = new Float64Array(n);
    this.powOk = new Array<number | null>(n).fill(null);
    this.addressHash = new Array<string | null>(n).fill(null);
    this.answersHash = new Array<string | null>(n).fill(null);
    this.completedAtMs = new Float64Array(n).fill(Number.NaN);
    this.fingerprint = itemNamesFingerprint(itemNames);
  }

  /** Sets row i's id; rows come in order (i is the number of ids set so far). */
  setId(i: number, id: string): void {
    this.expectRow(i);
    this.idList.push(id);
  }

  /** Sets row i's id from its UTF-8 bytes buf[start, end); rows come in order. */
  setIdBytes(i: number, buf: Uint8Array, start: number, end: number): void {
    this.expectRow(i);
    this.idList.pushBytes(buf, start, end);
  }

  private expectRow(i: number): void {
    if (i !== this.idList.size) throw new Error(`row ${i}'s id set after ${this.idList.size} ids: rows must come in order`);
  }

  /** Codes of the five text factors (null → ''), in the order every reader codes them. */
  factors(region: string, settlement: string, sex: string, ageBand: string, ethnicity: string): Int32Array {
    const e = this.enc;
    return Int32Array.of(e.region.code(region), e.settlement.code(settlement), e.sex.code(sex), e.ageBand.code(ageBand), e.ethnicity.code(ethnicity));
  }

  /** Sets row i's text factors from their codes (`factors`). */
  setFactors(i: number, fc: Int32Array): void {
    const f = this.factorCodes;
    f.region[i] = fc[0]!;
    f.settlement[i] = fc[1]!;
    f.sex[i] = fc[2]!;
    f.ageBand[i] = fc[3]!;
    f.ethnicity[i] = fc[4]!;
  }

  /** Sets row i's age (a number, or null). */
  setAge(i: number, age: number | null): void {
    const key = age ?? -1;
    let c = this.ageIndex.get(key);
    if (c === undefined) { c = this.ageLabels.length; this.ageLabels.push(age === null ? '' : String(age)); this.ageIndex.set(key, c); }
    this.factorCodes.age[i] = c;
  }

  /** Sets item k of row i to score x (NaN = missing). */
  setItem(k: number, i: number, x: number): void {
    const index = this.itemIndex[k]!;
    let c = index.get(x);
    if (c === undefined) { c = this.itemValues[k]!.length; this.itemValues[k]!.push(x); index.set(x, c); }
    this.itemCodes[k]![i] = c;
  }

  /** Sets row i's indicator scores (NaN = null). */
  setStored(i: number, consensus: number, tolerance: number, mood: number): void {
    this.stored.consensus[i] = consensus;
    this.stored.tolerance[i] = tolerance;
    this.stored.mood[i] = mood;
  }

  /**
   * Decodes row i from the packed form in `buf` at `at` (already checked with {@link packedFor}
   * against this builder's items): factors, age, indicator and item scores. Returns where it ends.
   */
  decode(buf: Buffer, at: number, i: number): number {
    let q = at + HEADER;
    const start = q;
    // The five factors' bytes, hashed as they are skipped; decoded once per distinct byte string.
    let h = 0x811c9dc5;
    for (let f = 0; f < 5; f++) {
      let len = 0;
      let mul = 1;
      for (;;) { const b = buf[q++]!; h = Math.imul(h ^ b, 0x01000193); len += (b & 0x7f) * mul; if (b < 0x80) break; mul *= 128; }
      const end = q + len;
      for (; q < end; q++) h = Math.imul(h ^ buf[q]!, 0x01000193);
    }
    this.setFactors(i, this.factorCodesOf(buf, start, q, h >>> 0));
    let t = buf[q++]!;
    let x: number;
    if (t <= NULL_NUM) {
      const c = this.ageByteCodes[t]!;
      if (c >= 0) this.factorCodes.age[i] = c;
      else { this.setAge(i, t === NULL_NUM ? null : t); this.ageByteCodes[t] = this.factorCodes.age[i]!; }
    } else {
      x = buf.readDoubleLE(q); q += 8;
      this.setAge(i, x === x ? x : null);
    }
    const { consensus, tolerance, mood } = this.stored;
    for (let s = 0; s < 3; s++) {
      t = buf[q++]!;
      if (t <= 200) x = t; else if (t === NULL_NUM) x = Number.NaN; else { x = buf.readDoubleLE(q); q += 8; }
      (s === 0 ? consensus : s === 1 ? tolerance : mood)[i] = x;
    }
    for (let k = 0; k < this.itemCount; k++) {
      t = buf[q++]!;
      if (t <= NULL_NUM) {
        const cache = this.itemByteCodes[k]!;
        const c = cache[t]!;
        if (c >= 0) this.itemCodes[k]![i] = c;
        else { this.setItem(k, i, t === NULL_NUM ? Number.NaN : t); cache[t] = this.itemCodes[k]![i]!; }
      } else {
        this.setItem(k, i, buf.readDoubleLE(q));
        q += 8;
      }
    }
    return q;
  }

  /** The codes of the five factors packed in buf[start, end) (hash h of those bytes). */
  private factorCodesOf(buf: Buffer, start: number, end: number, h: number): Int32Array {
    const n = end - start;
    const key = h & 0x3fffffff;
    let bucket = this.combos.get(key);
    if (bucket !== undefined) {
      for (let b = 0; b < bucket.length; b++) {
        const k = bucket[b]!;
        const bytes = this.comboBytes[k]!;
        if (bytes.length !== n) continue;
        let same = true;
        for (let j = 0; j < n; j++) if (bytes[j] !== buf[start + j]) { same = false; break; }
        if (same) return this.comboCodes[k]!;
      }
    } else {
      bucket = [];
      this.combos.set(key, bucket);
    }
    const texts: string[] = [];
    let p = start;
    for (let f = 0; f < 5; f++) {
      let len = 0;
      let mul = 1;
      for (;;) { const b = buf[p++]!; len += (b & 0x7f) * mul; if (b < 0x80) break; mul *= 128; }
      texts.push(buf.toString('utf8', p, p + len));
      p += len;
    }
    const fc = this.factors(texts[0]!, texts[1]!, texts[2]!, texts[3]!, texts[4]!);
    bucket.push(this.comboBytes.length);
    this.comboBytes.push(Uint8Array.prototype.slice.call(buf, start, end));
    this.comboCodes.push(fc);
    return fc;
  }

  /** The coded part. */
  part(): InputPart {
    const e = this.enc;
    const factorLabels: Record<Factor, string[]> = {
      region: e.region.labels, settlement: e.settlement.labels, sex: e.sex.labels, age: this.ageLabels, ageBand: e.ageBand.labels, ethnicity: e.ethnicity.labels,
    };
    return {
      n: this.n, ids: this.idList.list(), svs: this.svs, factorCodes: this.factorCodes, factorLabels, itemCodes: this.itemCodes, itemValues: this.itemValues,
      stored: this.stored, durations: this.durations, baseWeights: this.baseWeights,
      powOk: this.powOk, addressHash: this.addressHash, answersHash: this.answersHash, completedAtMs: this.completedAtMs,
    };
  }
}

/** ISO 8601 as toISOString writes it (`2025-11-15T10:00:00.000Z`) read without Date.parse; anything else → Date.parse. */
export function parseTime(s: string): number {
  if (s.length === 24 && s.charCodeAt(4) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90) {
    const num = (a: number, b: number): number => {
      let x = 0;
      for (let i = a; i < b; i++) { const d = s.charCodeAt(i) - 48; if (d < 0 || d > 9) return Number.NaN; x = x * 10 + d; }
      return x;
    };
    const y = num(0, 4), mo = num(5, 7), d = num(8, 10), h = num(11, 13), mi = num(14, 16), se = num(17, 19), ms = num(20, 23);
    if (s.charCodeAt(7) === 45 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 59) {
      const t = Date.UTC(y, mo - 1, d, h, mi, se, ms);
      // Date.UTC rolls 31 April over into May where Date.parse says NaN: only a date that reads back is taken.
      if (new Date(t).getUTCDate() === d) return t;
    }
  }
  return Date.parse(s);
}
