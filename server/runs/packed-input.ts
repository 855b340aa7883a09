// The compact stored form of what an estimate run reads from a complete response
// (`responses.run_input`, docs/decisions/028), and the reader that reads a whole wave of them.
//
// A run needs, per response, its weighting variables, item scores and indicator scores. Read as
// fourteen columns and a JSON object per row, a million rows cost ~8 µs each, almost all of it in
// making JS values one row at a time (better-sqlite3 hands over one row per call). Packed into one
// small BLOB at completion, they are read 65,536 rows at a time as one buffer that SQLite
// concatenates from a covering index in id order, and decoded from bytes: no JSON, no per-row
// call, one string (the id) per row.
//
// Format 1 (little-endian), packed from the derived columns *as the database stores them*:
//   u8 1 · u32 fingerprint of the item names (FNV-1a) · u8 item count
//   5 × (varint byte length, UTF-8 bytes): region, settlement, sex, age band, ethnicity (null → '')
//   num age · num consensus · num tolerance · num mood · item count × num (the spec's item order)
// num: one byte 0–200 = that whole number; 201 = null; 202 = a float64 follows (8 bytes).
// The id, survey version, duration and design weight are the row's own columns, not packed.
import type Database from 'better-sqlite3';
import type { ScoringSpec } from '../../analysis/scoring';
import type { Factor, InputPart } from './input';
import { INDICATOR_IDS, type IndicatorId } from './result';

export const RUN_INPUT_FORMAT = 1;
const NULL_NUM = 201;
const F64 = 202;

/** The item names of a scoring spec in the order the packed form keeps their scores. */
export function packedItemNames(spec: ScoringSpec): string[] {
  return spec.indicators.flatMap((ind) => ind.items.map((it) => it.name));
}

/** FNV-1a (32 bits) of the item names joined by NUL: a packed row is read only by a spec with the same items in the same order. */
export function itemNamesFingerprint(names: readonly string[]): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(names.join('\0'), 'utf8');
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** The derived columns a run reads, as stored (server/responses: `deriveColumns`). */
export interface PackableColumns {
  region: string | null;
  settlement: string | null;
  sex: string | null;
  ageBand: string | null;
  ethnicity: string | null;
  age: number | null;
  itemScores: Record<string, unknown> | null;
  consensus: number | null;
  tolerance: number | null;
  mood: number | null;
}

/**
 * The packed form of a complete response's derived columns as the database gives them back
 * (format 1, see the file's head), for the item names of its scoring spec: a number in
 * `itemScores` is taken as it is, anything else (null, absent, not a number) is missing, as the
 * row-by-row reader reads the JSON. Cost: a few µs.
 * @example packRunInput(['a1', 'a2'], { region: 'KZ-47', …, itemScores: { a1: 100, a2: null }, consensus: 60, … })
 * // → <Buffer 01 … 64 c9>
 */
export function packRunInput(itemNames: readonly string[], c: PackableColumns): Buffer {
  const texts = [c.region, c.settlement, c.sex, c.ageBand, c.ethnicity].map((s) => Buffer.from(s ?? '', 'utf8'));
  if (itemNames.length > 255) throw new Error(`a scoring spec of ${itemNames.length} items cannot be packed (at most 255)`);
  let size = 6;
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
  const scores = c.itemScores ?? {};
  for (const name of itemNames) num(scores[name]);
  return Buffer.from(out.subarray(0, p));
}

/** A REAL or INTEGER column's value as SQLite gives it back: NaN is stored as NULL, −0 as 0. */
const asStored = (x: number | null): number | null => (x === null || Number.isNaN(x) ? null : x === 0 ? 0 : x);
/** A score as it reads back from the item_scores JSON: JSON.stringify writes NaN and ±Infinity as null, −0 as 0. */
const asJson = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? (x === 0 ? 0 : x) : null);

/**
 * The packed form of the derived columns a completion or an import is about to store
 * (server/responses `deriveColumns`): the values as the database will give them back, so that the
 * packed form and the columns say the same. What the write path calls; docs/decisions/028.
 * @example packDerivedColumns(['a1'], deriveColumns(spec, answers)) // → <Buffer 01 …>
 */
export function packDerivedColumns(itemNames: readonly string[], c: PackableColumns): Buffer {
  const scores: Record<string, number | null> = {};
  for (const name of itemNames) scores[name] = asJson(c.itemScores?.[name]);
  return packRunInput(itemNames, {
    region: c.region, settlement: c.settlement, sex: c.sex, ageBand: c.ageBand, ethnicity: c.ethnicity,
    age: asStored(c.age), consensus: asStored(c.consensus), tolerance: asStored(c.tolerance), mood: asStored(c.mood), itemScores: scores,
  });
}

/** The columns of `responses` that {@link packRunInput} reads, as a SELECT list (with `r.` for the table). */
const PACKED_COLUMNS = 'r.region, r.settlement, r.sex, r.age_band, r.ethnicity, r.age, r.item_scores, r.consensus, r.tolerance, r.mood';
type ColumnRow = [string | null, string | null, string | null, string | null, string | null, number | null, string | null, number | null, number | null, number | null];

/** The packed form of a row read with PACKED_COLUMNS. */
function packColumns(itemNames: readonly string[], row: ColumnRow): Buffer {
  const [region, settlement, sex, ageBand, ethnicity, age, itemJson, consensus, tolerance, mood] = row;
  const itemScores = itemJson === null ? null : (JSON.parse(itemJson) as unknown);
  return packRunInput(itemNames, {
    region, settlement, sex, ageBand, ethnicity, age, consensus, tolerance, mood,
    itemScores: itemScores !== null && typeof itemScores === 'object' && !Array.isArray(itemScores) ? itemScores as Record<string, unknown> : null,
  });
}

/**
 * Packs every complete response whose `run_input` is missing (written before migration 0007, by
 * a direct SQL insert, or nulled by the trigger that keeps it in step with the columns), with the
 * scoring spec of its survey version; `batch` rows per write transaction. Returns how many rows
 * it packed. Cost: ~10 µs a row.
 */
export function backfillRunInputs(sqlite: Database.Database, batch = 10_000): number {
  const specs = new Map<number, string[]>();
  const specOf = (versionId: number): string[] => {
    let names = specs.get(versionId);
    if (!names) {
      const scoring = sqlite.prepare('SELECT scoring FROM survey_versions WHERE id = ?').pluck().get(versionId) as string;
      names = packedItemNames(JSON.parse(scoring) as ScoringSpec);
      specs.set(versionId, names);
    }
    return names;
  };
  const select = sqlite.prepare(`SELECT r.rowid, r.survey_version_id, ${PACKED_COLUMNS} FROM responses r
    WHERE r.status = 'complete' AND r.run_input IS NULL AND r.rowid > ? ORDER BY r.rowid LIMIT ?`).raw(true);
  const update = sqlite.prepare("UPDATE responses SET run_input = ? WHERE rowid = ? AND status = 'complete'");
  let done = 0;
  let after = -Infinity;
  for (;;) {
    const rows = select.all(after, batch) as [number, number, ...ColumnRow][];
    if (rows.length === 0) return done;
    sqlite.transaction(() => {
      for (const [rowid, versionId, ...columns] of rows) update.run(packColumns(specOf(versionId), columns), rowid);
    })();
    done += rows.length;
    after = rows[rows.length - 1]![0];
  }
}

/** Rows per block: SQLite concatenates this many records into one buffer (~6 MB). */
const BLOCK_ROWS = 65_536;

/**
 * One record per row, made by SQLite: `<id byte length>:<id><survey version>,<duration>,<design
 * weight>,<packed length>;<packed bytes>` — numbers as text (a REAL as `%!.17g`, which reads back
 * to the same double), an empty field for null, and no packed length when run_input is null. The
 * covering index responses_run_input_idx holds every column named here, in id order.
 */
const RECORD = `printf('%d:', length(CAST(r.id AS BLOB))) || r.id || r.survey_version_id || ','
  || CASE WHEN r.duration_ms IS NULL THEN '' WHEN typeof(r.duration_ms) = 'integer' THEN r.duration_ms ELSE printf('%!.17g', r.duration_ms) END || ','
  || CASE WHEN r.base_weight IS NULL THEN '' WHEN typeof(r.base_weight) = 'integer' THEN r.base_weight ELSE printf('%!.17g', r.base_weight) END || ','
  || coalesce(length(r.run_input), '') || ';' || coalesce(r.run_input, x'')`;

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
 * Reads the complete responses of `waveId` in id order from their packed form, inside whatever
 * transaction the caller holds, into exactly the part the row-by-row reader (input.ts `readPart`)
 * makes of the same rows: the same codes in the same first-appearance order, the same values.
 * A row without a packed form, or packed for other items, is read from its columns (one query by
 * id, in the same snapshot). `expected`: the number of rows, counted in the same snapshot.
 * Cost: about 1 µs of CPU per row.
 */
export function readPacked(sqlite: Database.Database, waveId: number, itemNames: readonly string[], expected: number, onRows?: (done: number, total: number) => void): InputPart {
  const n = expected;
  const ids = new Array<string>(n);
  const factorNames = ['region', 'settlement', 'sex', 'ageBand', 'ethnicity'] as const;
  const enc = Object.fromEntries(factorNames.map((f) => [f, new Encoder()])) as Record<(typeof factorNames)[number], Encoder>;
  const factorCodes = Object.fromEntries((['region', 'settlement', 'sex', 'age', 'ageBand', 'ethnicity'] as const).map((f) => [f, new Int32Array(n)])) as Record<Factor, Int32Array>;
  const K = itemNames.length;
  const itemCodes = itemNames.map(() => new Int32Array(n));
  const itemValues: number[][] = itemNames.map(() => []);
  const itemIndex = itemNames.map(() => new Map<number, number>());
  const stored = Object.fromEntries(INDICATOR_IDS.map((k) => [k, new Float64Array(n)])) as Record<IndicatorId, Float64Array>;
  const durations = new Float64Array(n);
  const baseWeights = new Float64Array(n);
  const svs = new Int32Array(n);
  const ageIndex = new Map<number, number>();
  const ageLabels: string[] = [];
  const combos = new Map<string, Int32Array>();
  const fingerprint = itemNamesFingerprint(itemNames);
  const first = sqlite.prepare(`SELECT count(*), max(id), CAST(group_concat(rec, '') AS BLOB) FROM (
    SELECT r.id, ${RECORD} AS rec FROM responses r WHERE r.wave_id = ? AND r.status = 'complete' ORDER BY r.id LIMIT ?)`).raw(true);
  const next = sqlite.prepare(`SELECT count(*), max(id), CAST(group_concat(rec, '') AS BLOB) FROM (
    SELECT r.id, ${RECORD} AS rec FROM responses r WHERE r.wave_id = ? AND r.status = 'complete' AND r.id > ? ORDER BY r.id LIMIT ?)`).raw(true);
  const columnsOf = sqlite.prepare(`SELECT ${PACKED_COLUMNS} FROM responses r WHERE r.id = ?`).raw(true);

  let i = 0;
  let buf: Buffer = Buffer.alloc(0);
  let p = 0;
  /** A decimal whole number at p (ASCII digits), up to the byte `end`; moves p past `end`. NaN for an empty field; null when not plain digits. */
  const field = (end: number): number | null => {
    const start = p;
    let x = 0;
    let plain = true;
    while (buf[p] !== end) {
      if (p >= buf.length) throw new Error('a record of packed run input ended early');
      const d = buf[p]! - 48;
      if (d < 0 || d > 9) plain = false;
      else x = x * 10 + d;
      p++;
    }
    p++;
    if (p - 1 === start) return Number.NaN;
    return plain && p - 1 - start < 16 ? x : null;
  };
  const numberField = (end: number): number => {
    const start = p;
    const x = field(end);
    return x !== null ? x : Number(buf.toString('latin1', start, p - 1));
  };
  const setItem = (k: number, x: number): void => {
    const index = itemIndex[k]!;
    let c = index.get(x);
    if (c === undefined) { c = itemValues[k]!.length; itemValues[k]!.push(x); index.set(x, c); }
    itemCodes[k]![i] = c;
  };
  const step = Math.max(256, Math.ceil(n / 100));
  let nextReport = onRows ? 0 : Number.POSITIVE_INFINITY;
  let last: string | null = null;
  for (;;) {
    const [count, max, block] = (last === null ? first.get(waveId, BLOCK_ROWS) : next.get(waveId, last, BLOCK_ROWS)) as [number, string | null, Buffer | null];
    if (count === 0) break;
    buf = block!;
    p = 0;
    for (let r = 0; r < count; r++, i++) {
      if (i === nextReport) { onRows!(i, n); nextReport += step; }
      if (i >= n) throw new Error(`wave ${waveId}: more complete responses than counted in the same read (${n}); the read was not one snapshot`);
      const idLength = field(58)!;
      const id = buf.toString('utf8', p, p + idLength);
      p += idLength;
      ids[i] = id;
      svs[i] = field(44)!;
      durations[i] = numberField(44);
      baseWeights[i] = numberField(44);
      const packedLength = field(59)!;
      let packed: Buffer = buf;
      let q = p;
      const end = p + (Number.isNaN(packedLength) ? 0 : packedLength);
      if (Number.isNaN(packedLength) || buf[q] !== RUN_INPUT_FORMAT || buf.readUInt32LE(q + 1) !== fingerprint || buf[q + 5] !== K) {
        // Not packed (or packed for other items): read from the columns, in this snapshot.
        packed = packColumns(itemNames, columnsOf.get(id) as ColumnRow);
        q = 0;
      }
      p = end;
      q += 6;
      // The five factors: one key string per row (their bytes as latin1), decoded once per combination.
      const factorsStart = q;
      const texts: [number, number][] = [];
      for (let f = 0; f < 5; f++) {
        let len = 0;
        let shift = 0;
        for (;;) { const b = packed[q++]!; len += (b & 0x7f) * 2 ** shift; if (b < 0x80) break; shift += 7; }
        texts.push([q, q + len]);
        q += len;
      }
      const key = packed.toString('latin1', factorsStart, q);
      let fc = combos.get(key);
      if (fc === undefined) {
        const s = texts.map(([a, b]) => packed.toString('utf8', a, b));
        fc = Int32Array.of(enc.region.code(s[0]!), enc.settlement.code(s[1]!), enc.sex.code(s[2]!), enc.ageBand.code(s[3]!), enc.ethnicity.code(s[4]!));
        combos.set(key, fc);
      }
      const num = (): number => {
        const t = packed[q++]!;
        if (t <= 200) return t;
        if (t === NULL_NUM) return Number.NaN;
        const x = packed.readDoubleLE(q);
        q += 8;
        return x;
      };
      factorCodes.region[i] = fc[0]!;
      factorCodes.settlement[i] = fc[1]!;
      factorCodes.sex[i] = fc[2]!;
      // Ages as the row reader codes them: a numeric map, the label made once per distinct age.
      const ageValue = num();
      const age = Number.isNaN(ageValue) ? null : ageValue;
      const ageKey = age ?? -1;
      let ac = ageIndex.get(ageKey);
      if (ac === undefined) { ac = ageLabels.length; ageLabels.push(age === null ? '' : String(age)); ageIndex.set(ageKey, ac); }
      factorCodes.age[i] = ac;
      factorCodes.ageBand[i] = fc[3]!;
      factorCodes.ethnicity[i] = fc[4]!;
      stored.consensus[i] = num();
      stored.tolerance[i] = num();
      stored.mood[i] = num();
      for (let k = 0; k < K; k++) setItem(k, num());
    }
    if (p !== buf.length) throw new Error(`wave ${waveId}: a block of packed run input did not end where its records did`);
    last = max;
    if (count < BLOCK_ROWS) break;
  }
  if (i !== n) throw new Error(`wave ${waveId}: ${i} complete responses read where the same read counted ${n}; the read was not one snapshot`);

  // The open link's signals (decision 021), few or none: one query in id order, matched to the
  // rows by walking both (equal ids only, so no collation is compared in JS).
  const powOk = new Array<number | null>(n).fill(null);
  const addressHash = new Array<string | null>(n).fill(null);
  const answersHash = new Array<string | null>(n).fill(null);
  const completedAtMs = new Float64Array(n).fill(Number.NaN);
  const signals = sqlite.prepare(`SELECT s.response_id, s.pow_ok, s.address_hash, s.answers_hash, r.completed_at
    FROM response_signals s JOIN responses r ON r.id = s.response_id
    WHERE r.wave_id = ? AND r.status = 'complete' ORDER BY r.id`).raw(true);
  let j = 0;
  for (const [id, pow, address, answers, completedAt] of signals.iterate(waveId) as IterableIterator<[string, number | null, string | null, string | null, string | null]>) {
    while (j < n && ids[j] !== id) j++;
    if (j >= n) throw new Error(`wave ${waveId}: the signals of response "${id}" match no row of the same read`);
    if (pow !== null) powOk[j] = pow;
    if (address !== null) addressHash[j] = address;
    if (answers !== null) answersHash[j] = answers;
    if (completedAt !== null) completedAtMs[j] = parseTime(completedAt);
    j++;
  }
  const factorLabels = {
    region: enc.region.labels, settlement: enc.settlement.labels, sex: enc.sex.labels, age: ageLabels, ageBand: enc.ageBand.labels, ethnicity: enc.ethnicity.labels,
  } as Record<Factor, string[]>;
  return { n, ids, svs, factorCodes, factorLabels, itemCodes, itemValues, stored, durations, baseWeights, powOk, addressHash, answersHash, completedAtMs };
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
