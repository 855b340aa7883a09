// Reading an estimate run's input (server/runs/compute.ts): the complete responses of a wave, in
// id order, from their stored derived columns into compact coded columns, with the hash of exactly
// what was read. The largest cost of a run is here: better-sqlite3 hands over one JS row per
// response (~4 µs each), so rows are read packed (packed-input.ts, decision 028). With two threads
// (`readThreads`: the command line's choice, or KELISIM_RUN_READ_THREADS=2) a large wave's read uses
// a second thread on its own connection (input-worker.ts), in the same snapshot (checked, see
// readRunInput): for the packed read it runs the block queries while this thread decodes the
// blocks it has posted, in the same order (decision 028, "Reading on two threads"); row by row, it
// reads the upper rowid range while this thread reads the lower, and the two parts are merged by
// id. Either way codes, label tables and the hash are exactly those of one sequential read. The
// server's estimate worker reads on one thread: there the second core serves respondents.
import { createHash } from 'node:crypto';
import os from 'node:os';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Db } from '../db/open';
import type { ScoringSpec } from '../../analysis/scoring';
import { INDICATOR_IDS, type IndicatorId } from './result';
import { FACTORS, IdList, IdListBuilder, PartBuilder, packedFor, parseTime, specItemNames, type Factor, type InputPart } from './packed-input';
import { threadPriorityLowered } from './thread-priority';
import { startPortWorker, type PortWorker } from './worker-start';

export { FACTORS, type Factor, type InputPart } from './packed-input';

/** The open link's signals of each input row (docs/decisions/021), for the quality flags. */
export interface RunSignals {
  addressHash: (string | null)[];
  powOk: (number | null)[];
  answersHash: (string | null)[];
  /** Completion time, ms since the epoch; NaN when missing or when the row has no signals (not needed then). */
  completedAtMs: Float64Array;
}

export interface InputRows {
  n: number;
  /** The rows' ids (a string made only when asked for: {@link IdList}). */
  ids: IdList;
  factors: Record<Factor, Int32Array>;
  factorLabels: Record<Factor, string[]>;
  /** Per item: code per row into `values` (NaN = missing). */
  items: Record<string, { codes: Int32Array; values: number[] }>;
  stored: Record<IndicatorId, Float64Array>;
  durations: (number | null)[];
  /** Design weights (null base_weight → 1), or null when no row has one. */
  weights: Float64Array | null;
  surveyVersionIds: number[];
  signals: RunSignals;
  blocks: { size: number; hashes: string[] };
  inputHash: string;
  /** Threads that read the rows: 2 when the read was split (readRunInput), else 1. */
  threads: number;
}

/**
 * Reads the item_scores JSON of many rows into coded columns. The column is written by
 * JSON.stringify (`{"a1":75,"a2":null,…}`: no spaces, number or null values), so a scan that
 * slices out each value is several times faster than JSON.parse building an object per row (the
 * largest cost of reading a million rows); whole numbers are read from their digits.
 * `read` returns false for any other form, and the caller falls back to JSON.parse.
 */
class ItemScoresReader {
  private keyIndex: Map<string, number>;
  private stamp: Int32Array;
  /** The keys of the last row read, in their order, and their item indexes (undefined: not an item). */
  private seqKeys: string[] = [];
  private seqIdx: (number | undefined)[] = [];
  constructor(private names: readonly string[], private rows: PartBuilder) {
    this.keyIndex = new Map(names.map((name, k) => [name, k]));
    this.stamp = new Int32Array(names.length);
  }

  /** Sets item k of row `row` to score x (NaN = missing). */
  set(k: number, row: number, x: number): void {
    this.rows.setItem(k, row, x);
  }

  read(s: string, row: number): boolean {
    if (s.charCodeAt(0) !== 123) return false;
    const mark = row + 1;
    let p = 1;
    let slot = 0;
    if (s.charCodeAt(1) !== 125) {
      for (;;) {
        if (s.charCodeAt(p) !== 34) return false;
        // Rows are written with their keys in one order: the key at this place in the previous row
        // is tried first (compared in place, no string made), else the key is sliced out and looked up.
        let q: number;
        let k: number | undefined;
        const guess = this.seqKeys[slot];
        if (guess !== undefined && s.charCodeAt(p + 1 + guess.length) === 34 && s.startsWith(guess, p + 1)) {
          q = p + 1 + guess.length;
          k = this.seqIdx[slot];
        } else {
          q = s.indexOf('"', p + 1);
          if (q < 0) return false;
          const key = s.slice(p + 1, q);
          if (key.includes('\\')) return false;
          k = this.keyIndex.get(key);
          this.seqKeys[slot] = key;
          this.seqIdx[slot] = k;
        }
        slot++;
        if (s.charCodeAt(q + 1) !== 58) return false;
        let e = q + 2;
        const first = s.charCodeAt(e);
        if (first === 34 || first === 123 || first === 91) return false;
        while (e < s.length) { const ch = s.charCodeAt(e); if (ch === 44 || ch === 125) break; e++; }
        if (e >= s.length) return false;
        if (k !== undefined) {
          // Whole numbers (most scores: 0, 25, 50, …) are read from the digits without a string;
          // 'null' is missing; anything else goes through Number once per distinct text.
          let x = 0;
          let simple = e > q + 2;
          for (let c = q + 2; c < e; c++) {
            const d = s.charCodeAt(c) - 48;
            if (d < 0 || d > 9) { simple = false; break; }
            x = x * 10 + d;
          }
          if (!simple) {
            const text = s.slice(q + 2, e);
            x = text === 'null' ? Number.NaN : Number(text);
            if (text !== 'null' && !Number.isFinite(x)) return false;
          }
          this.set(k, row, x);
          this.stamp[k] = mark;
        }
        if (s.charCodeAt(e) === 125) break;
        p = e + 1;
      }
    }
    // Items absent from the object are missing.
    for (let k = 0; k < this.names.length; k++) if (this.stamp[k] !== mark) this.set(k, row, Number.NaN);
    return true;
  }
}

/**
 * The five text factors come out of SQLite as one string (null as '', which is how they are
 * coded anyway) joined by this separator: making one JS string per row instead of five is most of
 * the cost of reading a million rows. A value containing the separator is read on its own.
 */
const SEP = '\x1f';

/**
 * Which rows of the wave's complete responses: rowids below `below` and/or from `from` on. A
 * rowid range is a range of the wave's index (wave_id, status, rowid), so each thread visits only
 * its own rows; each part comes in id order and the parts are merged by id.
 */
export interface RowidRange { below?: number; from?: number }

const WHERE = "r.wave_id = ? AND r.status = 'complete'";

function rangeSql(range: RowidRange): { sql: string; args: number[] } {
  const parts: string[] = [];
  const args: number[] = [];
  if (range.from !== undefined) { parts.push('r.rowid >= ?'); args.push(range.from); }
  if (range.below !== undefined) { parts.push('r.rowid < ?'); args.push(range.below); }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), args };
}

type RawRow = [string, number, string, number | null, string | null, number | null, number | null, number | null, number | null, number | null,
  number | null, string | null, string | null, string | null];

/**
 * The derived columns of a row as the row readers select them: the five text factors come as one
 * string joined by {@link SEP} (null as ''), the rest as stored.
 */
const ROW_COLUMNS = `r.id, r.survey_version_id,
      coalesce(r.region, '') || char(31) || coalesce(r.settlement, '') || char(31) || coalesce(r.sex, '') || char(31) || coalesce(r.age_band, '') || char(31) || coalesce(r.ethnicity, ''),
      r.age, r.item_scores, r.consensus, r.tolerance, r.mood, r.duration_ms, r.base_weight`;
type ColumnRow = [string, number, string, number | null, string | null, number | null, number | null, number | null, number | null, number | null];

/**
 * Codes a row read with {@link ROW_COLUMNS} into row i of `rows`: the row-by-row reader's coding,
 * and the packed reader's for a row it has no packed form for, so both give the same.
 */
class ColumnRowCoder {
  private items: ItemScoresReader;
  private oneRow: Database.Statement;
  // Codes of each distinct joined string. A string is new at the first row of each of its values,
  // so the encoders see every value first in the same row as before: the codes are unchanged.
  private combos = new Map<string, Int32Array>();
  constructor(sqlite: Database.Database, private itemNames: readonly string[], private rows: PartBuilder) {
    this.items = new ItemScoresReader(itemNames, rows);
    this.oneRow = sqlite.prepare('SELECT region, settlement, sex, age_band, ethnicity FROM responses WHERE id = ?').raw(true);
  }

  code(i: number, raw: ColumnRow): void {
    const [id, sv, joined, age, itemJson, cons, tol, mood, dur, bw] = raw;
    const rows = this.rows;
    rows.setId(i, id);
    rows.svs[i] = sv;
    let fc = this.combos.get(joined);
    if (fc === undefined) {
      const parts = joined.split(SEP);
      if (parts.length === 5) { fc = rows.factors(parts[0]!, parts[1]!, parts[2]!, parts[3]!, parts[4]!); this.combos.set(joined, fc); } else {
        const v = (this.oneRow.get(id) as (unknown)[]).map((x) => (x === null ? '' : String(x)));
        fc = rows.factors(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!);
      }
    }
    rows.setFactors(i, fc);
    rows.setAge(i, age);
    if (itemJson === null || !this.items.read(itemJson, i)) {
      // Not the compact form JSON.stringify writes (e.g. edited by hand): the general parser.
      const scores = itemJson === null ? {} : (JSON.parse(itemJson) as Record<string, unknown>);
      for (let k = 0; k < this.itemNames.length; k++) {
        const v = scores[this.itemNames[k]!];
        rows.setItem(k, i, typeof v === 'number' ? v : Number.NaN);
      }
    }
    rows.setStored(i, cons ?? Number.NaN, tol ?? Number.NaN, mood ?? Number.NaN);
    rows.durations[i] = dur ?? Number.NaN;
    rows.baseWeights[i] = bw ?? Number.NaN;
  }
}

type SignalRow = [number | null, string | null, string | null, string | null];

/**
 * Reads the complete responses of `waveId` in `range` (id order) row by row, inside whatever
 * transaction the caller holds. `expected`: the number of rows, counted in the same snapshot (checked).
 */
export function readPart(sqlite: Database.Database, waveId: number, itemNames: readonly string[], range: RowidRange, expected: number, onRows?: (done: number, total: number) => void): InputPart {
  const n = expected;
  const rows = new PartBuilder(n, itemNames);
  const coder = new ColumnRowCoder(sqlite, itemNames, rows);
  const { sql, args } = rangeSql(range);
  // The open link's signals come in the same pass (a left join on their primary key): a second
  // pass over a million ids cost as much as a third of the whole read. completed_at is needed only
  // beside an address or answers hash (burst and duplicate-answer flags), so it is read only there.
  const stmt = sqlite.prepare(`SELECT ${ROW_COLUMNS},
      s.pow_ok, s.address_hash, s.answers_hash, CASE WHEN s.response_id IS NULL THEN NULL ELSE r.completed_at END
    FROM responses r LEFT JOIN response_signals s ON s.response_id = r.id
    WHERE ${WHERE}${sql} ORDER BY r.id`).raw(true);
  let i = 0;
  // Progress: about every 1 % of the rows, one comparison per row.
  const step = Math.max(256, Math.ceil(n / 100));
  let nextReport = onRows ? 0 : Number.POSITIVE_INFINITY;
  for (const raw of stmt.iterate(waveId, ...args) as IterableIterator<RawRow>) {
    if (i === nextReport) { onRows!(i, n); nextReport += step; }
    if (i >= n) throw new Error(`wave ${waveId}: more complete responses than counted in the same read (${n}); the read was not one snapshot`);
    coder.code(i, raw as unknown as ColumnRow);
    const [pow, address, answers, completedAt] = raw.slice(10) as SignalRow;
    if (pow !== null) rows.powOk[i] = pow;
    if (address !== null) rows.addressHash[i] = address;
    if (answers !== null) rows.answersHash[i] = answers;
    if (completedAt !== null) rows.completedAtMs[i] = parseTime(completedAt);
    i++;
  }
  if (i !== n) throw new Error(`wave ${waveId}: ${i} complete responses read where the same read counted ${n}; the read was not one snapshot`);
  return rows.part();
}

/** Rows per block of the packed read: SQLite concatenates this many records into one buffer (~5 MB). */
export const BLOCK_ROWS = 65_536;

/**
 * One record per row, made by SQLite: `<id byte length>:<id><survey version>,<duration>,<design
 * weight>,<packed length>;<packed bytes>` — numbers as text, an empty field for null, and no
 * packed length when run_input is null. A REAL's text must read back to the same double: SQLite
 * from 3.43 writes the shortest such text (checked on 200,000 random doubles), older ones need
 * `printf('%!.17g')` (a third of the query's CPU). The covering index responses_run_input_idx
 * holds every column named here, in id order.
 */
function record(sqlite: Database.Database): string {
  const [major, minor] = (sqlite.prepare('SELECT sqlite_version()').pluck().get() as string).split('.').map(Number) as [number, number];
  const shortest = major > 3 || (major === 3 && minor >= 43);
  const num = (c: string) => (shortest ? `coalesce(${c}, '')`
    : `CASE WHEN ${c} IS NULL THEN '' WHEN typeof(${c}) = 'integer' THEN ${c} ELSE printf('%!.17g', ${c}) END`);
  return `length(CAST(r.id AS BLOB)) || ':' || r.id || r.survey_version_id || ',' || ${num('r.duration_ms')} || ',' || ${num('r.base_weight')} || ','
    || coalesce(length(r.run_input), '') || ';' || coalesce(r.run_input, x'')`;
}

/** One block of the packed read: its row count, its last id and its records (null when empty). */
export type Block = [count: number, max: string | null, data: Buffer | null];

/**
 * The blocks of the packed read, in id order: `next(last)` is the block after id `last` (null: the
 * first); a block of fewer than `rows` rows is the last.
 */
export interface BlockSource { rows: number; next: (last: string | null) => Block }

/**
 * The packed read's block query on `sqlite` (inside the caller's transaction): {@link BLOCK_ROWS}
 * records concatenated by SQLite from the covering index, after id `last`. A read ends at the first
 * block of fewer rows. Cost: ~1.2 µs of CPU per row, about 40 % of the read.
 */
export function blockQuery(sqlite: Database.Database, waveId: number, rows = BLOCK_ROWS): BlockSource {
  const rec = record(sqlite);
  const block = (after: boolean) => sqlite.prepare(`SELECT count(*), max(id), CAST(group_concat(rec, '') AS BLOB) FROM (
    SELECT r.id, ${rec} AS rec FROM responses r INDEXED BY responses_run_input_idx
    WHERE ${WHERE}${after ? ' AND r.id > ?' : ''} ORDER BY r.id LIMIT ?)`).raw(true);
  const first = block(false);
  const next = block(true);
  return { rows, next: (last) => (last === null ? first.get(waveId, rows) : next.get(waveId, last, rows)) as Block };
}

/**
 * Reads the complete responses of `waveId` in id order from their packed form (`run_input`,
 * docs/decisions/028), inside whatever transaction the caller holds, into exactly the part the
 * row-by-row reader ({@link readPart}) makes of the same rows: the same codes in the same
 * first-appearance order, the same values (test/server/runs/packed-input.test.ts). A row without a
 * packed form, or packed for other items, is read from its columns and coded as readPart codes it
 * (one query by id, in the same snapshot). `expected`: the rows counted in the same snapshot.
 * Returns null when more than 1/16 of the rows (and over 1,000) have no packed form: the caller
 * then reads them row by row. Cost: about 3 µs of CPU per row (block query ~1.2 µs).
 */
export function readPacked(sqlite: Database.Database, waveId: number, itemNames: readonly string[], expected: number, onRows?: (done: number, total: number) => void,
  blocks: BlockSource = blockQuery(sqlite, waveId)): InputPart | null {
  const n = expected;
  const rows = new PartBuilder(n, itemNames);
  let coder: ColumnRowCoder | null = null;
  let unpacked = 0;
  const columnsOf = sqlite.prepare(`SELECT ${ROW_COLUMNS} FROM responses r WHERE r.id = ?`).raw(true);
  const fingerprint = rows.fingerprint;
  const K = itemNames.length;
  let i = 0;
  let buf: Buffer = Buffer.alloc(0);
  let p = 0;
  /** A decimal whole number at p (ASCII digits) up to the byte `end`; moves p past `end`. NaN for an empty field; null when not plain digits. */
  const field = (end: number): number | null => {
    const start = p;
    let x = 0;
    let plain = true;
    for (;;) {
      const b = buf[p];
      if (b === end) break;
      if (b === undefined) throw new Error(`wave ${waveId}: a record of packed run input ended early`);
      const d = b - 48;
      if (d < 0 || d > 9) plain = false;
      else x = x * 10 + d;
      p++;
    }
    p++;
    if (p - 1 === start) return Number.NaN;
    return plain && p - 1 - start < 16 ? x : null;
  };
  /** A number field: digits, or SQLite's text of a REAL (`%!.17g`; infinities as Inf/-Inf). */
  const numberField = (end: number): number => {
    const start = p;
    const x = field(end);
    if (x !== null) return x;
    const text = buf.toString('latin1', start, p - 1);
    return text === 'Inf' ? Number.POSITIVE_INFINITY : text === '-Inf' ? Number.NEGATIVE_INFINITY : Number(text);
  };
  const step = Math.max(256, Math.ceil(n / 100));
  let nextReport = onRows ? 0 : Number.POSITIVE_INFINITY;
  let last: string | null = null;
  for (;;) {
    const [count, max, data] = blocks.next(last);
    if (count === 0) break;
    buf = data!;
    p = 0;
    for (let r = 0; r < count; r++, i++) {
      if (i === nextReport) { onRows!(i, n); nextReport += step; }
      if (i >= n) throw new Error(`wave ${waveId}: more complete responses than counted in the same read (${n}); the read was not one snapshot`);
      const idLength = field(58)!;
      const idStart = p;
      p += idLength;
      rows.svs[i] = field(44)!;
      rows.durations[i] = numberField(44);
      rows.baseWeights[i] = numberField(44);
      const packedLength = field(59)!;
      const end = p + (Number.isNaN(packedLength) ? 0 : packedLength);
      if (!Number.isNaN(packedLength) && packedFor(buf, p, end, fingerprint, K)) {
        rows.setIdBytes(i, buf, idStart, idStart + idLength);
        if (rows.decode(buf, p, i) !== end) throw new Error(`wave ${waveId}: the packed run input of response "${buf.toString('utf8', idStart, idStart + idLength)}" is not the length it says`);
      } else {
        // Not packed (or packed for other items): read from its columns in this snapshot, as readPart reads it.
        // One query per row: when many rows are not packed (a database not backfilled yet), the
        // row-by-row read of everything is cheaper, and gives the same part.
        if (++unpacked > Math.max(1000, n >> 4)) return null;
        coder ??= new ColumnRowCoder(sqlite, itemNames, rows);
        coder.code(i, columnsOf.get(buf.toString('utf8', idStart, idStart + idLength)) as ColumnRow);
      }
      p = end;
    }
    if (p !== buf.length) throw new Error(`wave ${waveId}: a block of packed run input did not end where its records did`);
    last = max;
    if (count < blocks.rows) break;
  }
  if (i !== n) throw new Error(`wave ${waveId}: ${i} complete responses read where the same read counted ${n}; the read was not one snapshot`);
  // The open link's signals (decision 021), few or none: one query in id order, matched to the
  // rows by walking both (equal ids only, so no collation is compared in JS).
  const part = rows.part();
  const signals = sqlite.prepare(`SELECT s.response_id, s.pow_ok, s.address_hash, s.answers_hash, r.completed_at
    FROM response_signals s JOIN responses r ON r.id = s.response_id
    WHERE ${WHERE} ORDER BY r.id`).raw(true);
  let j = 0;
  for (const [id, pow, address, answers, completedAt] of signals.iterate(waveId) as IterableIterator<[string, ...SignalRow]>) {
    const bytes = Buffer.from(id, 'utf8');
    while (j < n && !part.ids.is(j, bytes)) j++;
    if (j >= n) throw new Error(`wave ${waveId}: the signals of response "${id}" match no row of the same read`);
    if (pow !== null) part.powOk[j] = pow;
    if (address !== null) part.addressHash[j] = address;
    if (answers !== null) part.answersHash[j] = answers;
    if (completedAt !== null) part.completedAtMs[j] = parseTime(completedAt);
    j++;
  }
  return part;
}

/** Typed arrays of one part, to transfer rather than copy when a worker posts it. */
export function partBuffers(p: InputPart): ArrayBuffer[] {
  const arrays = [p.ids.bytes, p.ids.ends, p.svs, ...Object.values(p.factorCodes), ...p.itemCodes, ...Object.values(p.stored), p.durations, p.baseWeights, p.completedAtMs];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/**
 * Merges two parts, each in id order, into one in id order, coded exactly as one sequential read
 * codes it: walking the merged order, a label gets the next code at its first appearance.
 * Cost O(n · columns).
 */
export function mergeParts(a: InputPart, b: InputPart, itemCount: number): InputPart {
  const n = a.n + b.n;
  // The merged order: which part (0/1) and which row of it.
  const from = new Uint8Array(n);
  const at = new Int32Array(n);
  let i = 0;
  let j = 0;
  // The two current ids as strings (compared as JS compares strings, as the arrays of ids were).
  let ai = a.n > 0 ? a.ids.at(0) : '';
  let bj = b.n > 0 ? b.ids.at(0) : '';
  for (let k = 0; k < n; k++) {
    if (j >= b.n || (i < a.n && ai < bj)) {
      at[k] = i++;
      if (i < a.n) ai = a.ids.at(i);
    } else {
      from[k] = 1;
      at[k] = j++;
      if (j < b.n) bj = b.ids.at(j);
    }
  }
  const ids = new IdListBuilder(n);
  for (let k = 0; k < n; k++) {
    const id = (from[k] ? b : a).ids.bytesOf(at[k]!);
    ids.pushBytes(id, 0, id.length);
  }
  const gather = <T>(pick: (p: InputPart) => ArrayLike<T>, out: { [k: number]: T }): void => {
    const src = [pick(a), pick(b)];
    for (let k = 0; k < n; k++) out[k] = src[from[k]!]![at[k]!]!;
  };
  const f64 = (pick: (p: InputPart) => Float64Array): Float64Array => { const out = new Float64Array(n); gather(pick, out); return out; };
  const list = <T>(pick: (p: InputPart) => T[]): T[] => { const out = new Array<T>(n); gather(pick, out); return out; };
  /** One coded column over the merged order; values keyed as the readers key them (Map: SameValueZero). */
  const recode = <V>(tables: [V[], V[]], codes: [Int32Array, Int32Array]): { values: V[]; codes: Int32Array } => {
    const values: V[] = [];
    const index = new Map<V, number>();
    const maps = tables.map((t) => new Int32Array(t.length).fill(-1));
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const p = from[k]!;
      const c = codes[p]![at[k]!]!;
      let g = maps[p]![c]!;
      if (g < 0) {
        const v = tables[p]![c]!;
        const known = index.get(v);
        if (known === undefined) { g = values.length; values.push(v); index.set(v, g); } else g = known;
        maps[p]![c] = g;
      }
      out[k] = g;
    }
    return { values, codes: out };
  };
  const factorCodes = {} as Record<Factor, Int32Array>;
  const factorLabels = {} as Record<Factor, string[]>;
  for (const f of FACTORS) {
    const r = recode([a.factorLabels[f], b.factorLabels[f]], [a.factorCodes[f], b.factorCodes[f]]);
    factorCodes[f] = r.codes;
    factorLabels[f] = r.values;
  }
  const itemCodes: Int32Array[] = [];
  const itemValues: number[][] = [];
  for (let k = 0; k < itemCount; k++) {
    const r = recode([a.itemValues[k]!, b.itemValues[k]!], [a.itemCodes[k]!, b.itemCodes[k]!]);
    itemCodes.push(r.codes);
    itemValues.push(r.values);
  }
  const svs = new Int32Array(n);
  gather((p) => p.svs, svs);
  return {
    n, ids: ids.list(), svs, factorCodes, factorLabels, itemCodes, itemValues,
    stored: Object.fromEntries(INDICATOR_IDS.map((k) => [k, f64((p) => p.stored[k])])) as Record<IndicatorId, Float64Array>,
    durations: f64((p) => p.durations), baseWeights: f64((p) => p.baseWeights),
    powOk: list((p) => p.powOk), addressHash: list((p) => p.addressHash), answersHash: list((p) => p.answersHash),
    completedAtMs: f64((p) => p.completedAtMs),
  };
}

/**
 * The columns and the input hash of the whole (merged) input; also what server/runs/input-pg.ts
 * ends with, so both engines' reads hash and shape their rows by one definition.
 */
export function finish(part: InputPart, itemNames: readonly string[], threads: number): InputRows {
  const { n, ids, svs, factorCodes: factors, factorLabels, stored, durations, baseWeights } = part;
  const size = Math.max(64, Math.ceil(n / 1024));
  const itemColumns = Object.fromEntries(itemNames.map((name, k) => [name, { codes: part.itemCodes[k]!, values: part.itemValues[k]! }]));
  // The input hash covers exactly what the run uses, in its decoded form: ids, and every column
  // as codes into its label table or as raw doubles (NaN = null). Block hashes cover the rows'
  // ids and codes, so a changed row changes its own block; the label tables (and so any new
  // value) are in the overall hash. Hashing column bytes in bulk is ~10× cheaper than a text line per row.
  const numeric: ArrayBufferView[] = [svs, ...FACTORS.map((f) => factors[f]), ...itemNames.map((name) => itemColumns[name]!.codes),
    stored.consensus, stored.tolerance, stored.mood, durations, baseWeights];
  const hashes: string[] = [];
  for (let start = 0; start < n || (n === 0 && start === 0); start += size) {
    const end = Math.min(n, start + size);
    const h = createHash('sha256').update(ids.joined(start, end));
    for (const col of numeric) {
      const bytes = (col as Int32Array | Float64Array).BYTES_PER_ELEMENT;
      h.update(new Uint8Array(col.buffer, col.byteOffset + start * bytes, (end - start) * bytes));
    }
    hashes.push(h.digest('hex').slice(0, 16));
    if (n === 0) break;
  }
  const tables = JSON.stringify({ factors: factorLabels, items: itemNames.map((name) => itemColumns[name]!.values.map((v) => (Number.isNaN(v) ? null : v))) });
  let anyWeight = false;
  const weights = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const w = baseWeights[r]!;
    if (w === w) { anyWeight = true; weights[r] = w; } else weights[r] = 1;
  }
  return {
    n, ids, factors, factorLabels, items: itemColumns, stored,
    durations: Array.from(durations, (d) => (Number.isNaN(d) ? null : d)),
    weights: anyWeight ? weights : null,
    surveyVersionIds: [...new Set(svs)].sort((a, b) => a - b),
    signals: { addressHash: part.addressHash, powOk: part.powOk, answersHash: part.answersHash, completedAtMs: part.completedAtMs },
    blocks: { size, hashes },
    inputHash: createHash('sha256').update(`${n}\n${hashes.join('\n')}\n`).update(tables).digest('hex'),
    threads,
  };
}

function countRows(sqlite: Database.Database, waveId: number, range: RowidRange = {}): number {
  const { sql, args } = rangeSql(range);
  return sqlite.prepare(`SELECT count(*) FROM responses r WHERE ${WHERE}${sql}`).pluck().get(waveId, ...args) as number;
}

/** Whether the wave has at least `count` complete responses (the index's first `count` entries, not a count of all). */
function hasRows(sqlite: Database.Database, waveId: number, count: number): boolean {
  return sqlite.prepare(`SELECT 1 FROM responses r WHERE ${WHERE} LIMIT 1 OFFSET ?`).pluck().get(waveId, count - 1) !== undefined;
}

/** The rowid of the wave's middle complete response (its index holds rowids in order: no table read). */
function splitRowid(sqlite: Database.Database, waveId: number, n: number): number | null {
  const r = sqlite.prepare(`SELECT r.rowid FROM responses r WHERE ${WHERE} ORDER BY r.rowid LIMIT 1 OFFSET ?`).pluck().get(waveId, n >> 1) as number | undefined;
  return r ?? null;
}

/**
 * Rows from which the read is split over two threads (a thread costs ~0.1 s to start), when two
 * are asked for ({@link readThreads}).
 */
export const PARALLEL_MIN_ROWS = 100_000;

/**
 * The threads that read a large wave: KELISIM_RUN_READ_THREADS (`1` or `2`) when set, else the
 * caller's choice — 2 for the command line, where a researcher's run has the machine to itself and
 * the second thread takes ~0.4 s off a million rows on a quiet 2-core machine; 1 (the default) for
 * the server's estimate worker, where the second core serves respondents (two threads raised
 * their p99 during a run from 1.7× to 2.5× of the p99 without one; decision 028).
 * @throws Error for any other value of KELISIM_RUN_READ_THREADS
 */
export function readThreads(preferred: 1 | 2 = 1): 1 | 2 {
  const v = process.env.KELISIM_RUN_READ_THREADS;
  if (v === undefined || v === '') return preferred;
  if (v === '1' || v === '2') return Number(v) as 1 | 2;
  throw new Error(`KELISIM_RUN_READ_THREADS must be 1 or 2, got "${v}"`);
}

/** Shared flags between this thread and the helper thread (Int32 slots): `posted` and `taken` count the blocks of a packed read. */
export const SLOT = { snapshot: 0, go: 1, done: 2, posted: 3, taken: 4 } as const;
/** Values of the `go` slot: read a rowid range row by row, stop, or run the packed read's block queries. */
export const GO = { read: 1, cancel: 2, blocks: 3 } as const;
/** Blocks the helper may run ahead of this thread's decoding (~5 MB each). */
export const BLOCKS_AHEAD = 2;

/** Messages of the helper thread (input-worker.ts): its part, a block of the packed read, or its failure. */
export type HelperReply = { ok: true; part: InputPart } | { ok: true; block: Block } | { ok: false; message: string };

/** What the helper thread gets as its workerData. */
export interface HelperJob { dbFile: string; waveId: number; itemNames: string[]; flags: Int32Array; port: MessagePort; lowPriority: boolean; blockRows: number }

type Helper = PortWorker;

/** How long to wait for the helper thread to start and open its snapshot before reading alone. */
const START_TIMEOUT_MS = 20_000;
/** How long its half of a read may take (a million rows take seconds). */
const READ_TIMEOUT_MS = 10 * 60_000;

/**
 * Starts the helper thread, which opens its own connection, begins a read transaction and takes
 * its snapshot (a read of the schema table), then waits to be told its rowid range. Returns null (and the read goes on
 * in one thread) if it does not report its snapshot in time. Blocks this thread meanwhile: a
 * command, or the server's estimate worker — never the server's request thread.
 */
function startHelper(dbFile: string, waveId: number, itemNames: readonly string[], blockRows: number): Helper | null {
  const job: Omit<HelperJob, 'flags' | 'port'> = { dbFile, waveId, itemNames: [...itemNames], lowPriority: threadPriorityLowered(), blockRows };
  const helper = startPortWorker('input-worker', 5, job);
  if (!helper) return null;
  const { flags } = helper;
  Atomics.wait(flags, SLOT.snapshot, 0, START_TIMEOUT_MS);
  // 1: its snapshot is taken; 0: not started in time; 2: it failed (e.g. could not open the file).
  if (Atomics.load(flags, SLOT.snapshot) !== 1) {
    dismissHelper(helper);
    return null;
  }
  return helper;
}

/** Tells a helper that has not been given a range to stop (it ends its transaction and exits). */
function dismissHelper(h: Helper): void {
  Atomics.store(h.flags, SLOT.go, GO.cancel);
  Atomics.notify(h.flags, SLOT.go);
  h.port.close();
  void h.worker.terminate();
}

/**
 * The packed read's blocks as the helper posts them (it runs {@link blockQuery} in its snapshot,
 * the same as this thread's): this thread decodes one block while the helper's SQLite makes the
 * next, and reads them in the same order with the same bytes, so the part is the one-thread part.
 */
function helperBlocks(h: Helper, rows: number): BlockSource {
  let got = 0;
  const next = (): Block => {
    const deadline = Date.now() + READ_TIMEOUT_MS;
    while (Atomics.load(h.flags, SLOT.posted) <= got && Atomics.load(h.flags, SLOT.done) === 0) {
      if (Date.now() > deadline) throw new Error(`the input helper thread made no block of the read within ${READ_TIMEOUT_MS / 60_000} minutes`);
      Atomics.wait(h.flags, SLOT.posted, got, 1000);
    }
    const reply = receiveMessageOnPort(h.port)?.message as HelperReply | undefined;
    if (!reply) throw new Error('the input helper thread finished before the last block of the read');
    if (!reply.ok) throw new Error(`the input helper thread failed: ${reply.message}`);
    if (!('block' in reply)) throw new Error('the input helper thread sent a part where a block of the read was expected');
    Atomics.store(h.flags, SLOT.taken, ++got);
    Atomics.notify(h.flags, SLOT.taken);
    const [count, max, data] = reply.block;
    // A Buffer crosses threads as a plain Uint8Array.
    return [count, max, data === null ? null : Buffer.from(data.buffer, data.byteOffset, data.byteLength)];
  };
  return { rows, next };
}

/** Waits for the helper's part (it has been given its range). */
function helperPart(h: Helper): InputPart {
  const deadline = Date.now() + READ_TIMEOUT_MS;
  while (Atomics.load(h.flags, SLOT.done) === 0) {
    if (Date.now() > deadline) { void h.worker.terminate(); throw new Error(`the input helper thread did not finish its part within ${READ_TIMEOUT_MS / 60_000} minutes`); }
    Atomics.wait(h.flags, SLOT.done, 0, 1000);
  }
  const reply = receiveMessageOnPort(h.port)?.message as HelperReply | undefined;
  h.port.close();
  if (!reply) throw new Error('the input helper thread finished without a result');
  if (!reply.ok) throw new Error(`the input helper thread failed: ${reply.message}`);
  if (!('part' in reply)) throw new Error('the input helper thread sent a block where its part was expected');
  // The ids cross threads as plain data (a class arrives as a plain object).
  return { ...reply.part, ids: IdList.of(reply.part.ids) };
}

export interface ReadOptions {
  /** The caller's choice of threads for a large wave ({@link readThreads}; default 1). */
  threads?: 1 | 2;
  /** Split the read over two threads from this many rows on (default: {@link PARALLEL_MIN_ROWS} when
   * {@link readThreads} says 2, else never). */
  parallelMinRows?: number;
  /** Called once the helper thread holds its snapshot, before this thread takes its own (tests commit a write here). */
  afterHelperStarted?: () => void;
  /** Progress of the read (the console's job bar): about every 1 % of the rows, rows read so far of the total. */
  onRows?: (done: number, total: number) => void;
  /** Read the packed form (`run_input`, {@link readPacked}; the default) or, false, every row's columns ({@link readPart}). */
  packed?: boolean;
  /** Rows per block of the packed read (default {@link BLOCK_ROWS}; tests make small waves read in several blocks). */
  blockRows?: number;
}

/**
 * Reads the complete responses of `waveId` (id order) in one snapshot: their derived columns into
 * compact columns, the open link's signals, and the hash of exactly what was read.
 *
 * With two threads ({@link readThreads}), from {@link PARALLEL_MIN_ROWS} rows on (and with more
 * than one CPU and a database file), a helper thread on its own connection runs the packed read's
 * block queries while this thread decodes them ({@link helperBlocks}); read row by row, it reads the
 * upper half of the wave's rowids while this thread reads the lower half, merged by id.
 * Both must see the same snapshot: SQLite's `PRAGMA data_version` changes on a connection whenever
 * another connection has committed since its last look, so it is read here before the helper starts and again inside this thread's read transaction, begun after the helper
 * took its snapshot; unchanged means nothing was committed between, so both snapshots are one.
 * Changed, the helper is dismissed and this thread reads everything. The merge gives exactly the
 * codes, label tables and hash of one sequential read (test/server/runs/read-input.test.ts).
 * Cost: about 2 µs of CPU per packed row (1.7–2 s for a million rows on a quiet 2-core machine,
 * ~1.3 s of it on this thread with two threads).
 */
export function readRunInput(db: Db, waveId: number, spec: ScoringSpec, options: ReadOptions = {}): InputRows {
  const sqlite = db.$client;
  const itemNames = specItemNames(spec);
  let helper: Helper | null = null;
  let before: unknown;
  const minRows = options.parallelMinRows ?? (readThreads(options.threads) === 2 ? PARALLEL_MIN_ROWS : Number.POSITIVE_INFINITY);
  const blockRows = options.blockRows ?? BLOCK_ROWS;
  if (Number.isFinite(minRows) && !sqlite.memory && !sqlite.inTransaction && os.availableParallelism() > 1 && hasRows(sqlite, waveId, Math.max(2, minRows))) {
    before = sqlite.pragma('data_version', { simple: true });
    helper = startHelper(sqlite.name, waveId, itemNames, blockRows);
    if (helper) options.afterHelperStarted?.();
  }
  let given = false;
  const packed = options.packed !== false;
  const read = sqlite.transaction((): InputRows => {
    const n = countRows(sqlite, waveId);
    const same = helper !== null && sqlite.pragma('data_version', { simple: true }) === before;
    if (helper && same && packed) {
      // Packed: the helper runs the block queries, this thread decodes (see helperBlocks).
      const h = helper;
      given = true;
      Atomics.store(h.flags, SLOT.go, GO.blocks);
      Atomics.notify(h.flags, SLOT.go);
      let part: InputPart | null;
      try {
        part = readPacked(sqlite, waveId, itemNames, n, options.onRows, helperBlocks(h, blockRows));
      } finally {
        // Done, failed, or stopped early (rows not packed): the helper has nothing more to do.
        dismissHelper(h);
      }
      return part ? finish(part, itemNames, 2) : finish(readPart(sqlite, waveId, itemNames, {}, n, options.onRows), itemNames, 1);
    }
    const split = helper && same ? splitRowid(sqlite, waveId, n) : null;
    if (!helper || split === null) {
      const part = (packed ? readPacked(sqlite, waveId, itemNames, n, options.onRows, blockQuery(sqlite, waveId, blockRows)) : null) ?? readPart(sqlite, waveId, itemNames, {}, n, options.onRows);
      return finish(part, itemNames, 1);
    }
    const h = helper;
    h.port.postMessage({ from: split, expected: n - (n >> 1) });
    given = true;
    Atomics.store(h.flags, SLOT.go, GO.read);
    Atomics.notify(h.flags, SLOT.go);
    let lower: InputPart;
    try {
      // The helper reads the other half meanwhile, as fast: this half's share stands for both.
      lower = readPart(sqlite, waveId, itemNames, { below: split }, n >> 1, options.onRows && ((done, total) => options.onRows!(2 * done, 2 * total)));
    } catch (err) {
      // The helper's part is waited for even so, so that no thread is left reading.
      try { helperPart(h); } catch { /* the first error is the one to report */ }
      throw err;
    }
    const upper = helperPart(h);
    if (lower.n + upper.n !== n) throw new Error(`wave ${waveId}: the two parts of the read hold ${lower.n} + ${upper.n} rows, not ${n}`);
    return finish(mergeParts(lower, upper, itemNames.length), itemNames, 2);
  });
  try {
    return read.deferred();
  } finally {
    if (helper && !given) dismissHelper(helper);
  }
}
