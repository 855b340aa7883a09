// A columnar CSV reader for respondent files (RFC 4180: comma-separated, CRLF or LF records,
// double-quoted fields with "" escapes and embedded newlines, optional UTF-8 BOM).
//
// Why not a library: DESIGN.md prefers a library for CSV, and csv-parse 6 was measured first: it
// takes 4.7 s just to tokenise the 1,000,000-respondent benchmark file (86 MB) into row arrays,
// more than the whole analysis budget (3 s). This reader goes straight from bytes to the engine's
// dictionary-encoded columns without creating a string per cell, which takes well under a second
// (docs/decisions/002-csv-reader-and-analysis-performance.md). Pure: bytes in, columns out.

import { AnalysisError } from './errors';
import type { FactorColumn } from './columns';

/** How to keep a column: dictionary-encoded, as numbers (empty = NaN), as the id, or not at all. */
export type ColumnKind = 'factor' | 'number' | 'id' | 'skip';

/** A parsed CSV, column by column. */
export interface CsvTable {
  /** Number of data records (header excluded). */
  n: number;
  header: string[];
  factors: Record<string, FactorColumn>;
  numbers: Record<string, Float64Array>;
  /** The id column's value of record `row` (0-based), decoded on demand; undefined without an id column. */
  id?: (row: number) => string;
  /** 1-based line number of record `row` (0-based) in the file, for error messages. */
  line: (row: number) => number;
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

const decoder = new TextDecoder('utf-8', { fatal: false });

function csvError(file: string, line: number, message: string): AnalysisError {
  return new AnalysisError('invalid_input', `${file} line ${line}: ${message}`, { file, line });
}

/** Dictionary of one factor column: byte strings → codes, without decoding every cell. */
class Dictionary {
  labels: string[] = [];
  private bytes: Uint8Array[] = [];
  private short = new Map<number, number>();
  private long = new Map<number, number[]>();

  code(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (len <= 3) {
      // Up to three bytes pack into one small integer key (length in the high bits).
      let key = len;
      for (let p = start; p < end; p++) key = key * 256 + buf[p]!;
      let c = this.short.get(key);
      if (c === undefined) {
        c = this.add(buf.slice(start, end));
        this.short.set(key, c);
      }
      return c;
    }
    let h = 0x811c9dc5;
    for (let p = start; p < end; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
    // 30 bits keep the key a small integer in V8 (a heap number would make Map lookups slower).
    h &= 0x3fffffff;
    let list = this.long.get(h);
    if (list) {
      for (const c of list) {
        const b = this.bytes[c]!;
        if (b.length !== len) continue;
        let same = true;
        for (let q = 0; q < len; q++) if (b[q] !== buf[start + q]) { same = false; break; }
        if (same) return c;
      }
    } else {
      list = [];
      this.long.set(h, list);
    }
    const c = this.add(buf.slice(start, end));
    list.push(c);
    return c;
  }

  private add(b: Uint8Array): number {
    this.bytes.push(b);
    this.labels.push(decoder.decode(b).trim());
    return this.labels.length - 1;
  }
}

/**
 * Parses a plain decimal number from bytes exactly as Number() would (mantissa < 2^53 and at most
 * 22 decimals make m / 10^k a single correctly rounded division); anything else returns undefined
 * and the caller falls back to Number() on the decoded text.
 */
function fastNumber(buf: Uint8Array, start: number, end: number): number | undefined {
  let p = start;
  let neg = false;
  if (buf[p] === 45) { neg = true; p++; } else if (buf[p] === 43) p++;
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else return undefined;
  }
  if (digits === 0 || digits > 15 || frac > 22) return undefined;
  const v = frac > 0 ? m / 10 ** frac : m;
  return neg ? -v : v;
}

/** Unescapes a quoted field with "" escapes that starts after the opening quote at `from`. */
function unescapeQuoted(bytes: Uint8Array, from: number): { value: Uint8Array; end: number } | null {
  const parts: number[] = [];
  let pos = from;
  for (;;) {
    const q = bytes.indexOf(QUOTE, pos);
    if (q < 0) return null;
    for (let p = pos; p < q; p++) parts.push(bytes[p]!);
    if (bytes[q + 1] === QUOTE) {
      parts.push(QUOTE);
      pos = q + 2;
      continue;
    }
    return { value: Uint8Array.from(parts), end: q + 1 };
  }
}

const K_SKIP = 0;
const K_FACTOR = 1;
const K_NUMBER = 2;
const K_ID = 3;

/**
 * Reads a CSV file's bytes into columns. The first record is the header (names trimmed; an empty
 * or duplicate name is an error). `kinds(header)` says how to keep each column. Blank lines are
 * skipped. Factor labels are trimmed; the empty label '' is an empty cell.
 *
 * Cost: one pass over the bytes, with no allocation per cell; memory 4 bytes per factor cell,
 * 8 per number cell, 8 per id, 4 per record. Line numbers are computed only for error messages.
 * @throws AnalysisError code 'invalid_input' naming the file and line: a record with the wrong
 *   number of fields, an unterminated quoted field, text after a closing quote, a non-numeric
 *   value in a number column (naming the column), an empty file.
 * @example
 * parseCsv(new TextEncoder().encode('id,x\n"a",1\n'), (h) => h.map((c) => (c === 'id' ? 'id' : 'factor')), 'r.csv')
 * // → { n: 1, header: ['id', 'x'], factors: { x: { codes: [0], labels: ['1'] } }, numbers: {}, id: (0) → 'a', … }
 */
export function parseCsv(bytes: Uint8Array, kinds: (header: string[]) => ColumnKind[], file = 'CSV'): CsvTable {
  const len = bytes.length;
  let pos = len >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  /** 1-based line of byte offset `at` (counts line feeds before it; used for messages only). */
  const lineAt = (at: number): number => {
    let l = 1;
    for (let p = bytes.indexOf(LF); p >= 0 && p < at; p = bytes.indexOf(LF, p + 1)) l++;
    return l;
  };
  // Upper bound on records, to size the columns once.
  let maxRecords = 1;
  for (let p = bytes.indexOf(LF, pos); p >= 0; p = bytes.indexOf(LF, p + 1)) maxRecords++;

  const skipBlankLines = (): void => {
    while (pos < len && (bytes[pos] === LF || (bytes[pos] === CR && bytes[pos + 1] === LF))) pos += bytes[pos] === CR ? 2 : 1;
  };

  // Scans the field at pos: sets fs/fe (or esc for a field with "" escapes) and returns the byte
  // that ended it (COMMA or LF), or -1 at the end of the input.
  let fs = 0;
  let fe = 0;
  let esc: Uint8Array | null = null;
  const field = (): number => {
    esc = null;
    if (pos < len && bytes[pos] === QUOTE) {
      const q = bytes.indexOf(QUOTE, pos + 1);
      if (q < 0) throw csvError(file, lineAt(pos), 'a quoted field is not closed (missing ")');
      if (bytes[q + 1] === QUOTE) {
        const u = unescapeQuoted(bytes, pos + 1);
        if (!u) throw csvError(file, lineAt(pos), 'a quoted field is not closed (missing ")');
        esc = u.value;
        pos = u.end;
      } else {
        fs = pos + 1;
        fe = q;
        pos = q + 1;
      }
      while (pos < len && bytes[pos] === 32) pos++;
      const c = pos < len ? bytes[pos]! : -1;
      if (c !== COMMA && c !== LF && c !== CR && c !== -1) throw csvError(file, lineAt(pos), 'unexpected text after a closing quote');
    } else {
      fs = pos;
      while (pos < len) {
        const c = bytes[pos]!;
        if (c === COMMA || c === LF || c === CR) break;
        pos++;
      }
      fe = pos;
    }
    if (pos >= len) return -1;
    let c = bytes[pos]!;
    if (c === CR) {
      pos++;
      if (pos >= len) return -1;
      c = bytes[pos]!;
      if (c !== LF) throw csvError(file, lineAt(pos), 'a carriage return not followed by a line feed');
    }
    pos++;
    return c;
  };
  const text = (): string => decoder.decode(esc ?? bytes.subarray(fs, fe)).trim();

  skipBlankLines();
  if (pos >= len) throw csvError(file, 1, 'the file is empty; expected a header line');
  const headerLine = lineAt(pos);
  const header: string[] = [];
  for (;;) {
    const end = field();
    header.push(text());
    if (end !== COMMA) break;
  }
  header.forEach((h, j) => {
    if (h === '') throw csvError(file, headerLine, `column ${j + 1} of the header has no name`);
    if (header.indexOf(h) !== j) throw csvError(file, headerLine, `column "${h}" appears twice in the header`);
  });
  const kindNames = kinds(header);
  const width = header.length;
  const kind = Int8Array.from(kindNames, (k) => (k === 'factor' ? K_FACTOR : k === 'number' ? K_NUMBER : k === 'id' ? K_ID : K_SKIP));
  const dicts: (Dictionary | null)[] = kindNames.map((k) => (k === 'factor' ? new Dictionary() : null));
  // One-byte and empty cells (most answer codes) skip the dictionary: a direct table per column.
  const oneByte: Int32Array[] = kindNames.map((k) => (k === 'factor' ? new Int32Array(256).fill(-1) : new Int32Array(0)));
  const emptyCode = new Int32Array(width).fill(-1);
  const codes: (Int32Array | null)[] = kindNames.map((k) => (k === 'factor' ? new Int32Array(maxRecords) : null));
  const nums: (Float64Array | null)[] = kindNames.map((k) => (k === 'number' ? new Float64Array(maxRecords) : null));
  const idCol = kindNames.indexOf('id');
  const idStart = idCol >= 0 ? new Int32Array(maxRecords) : null;
  const idEnd = idCol >= 0 ? new Int32Array(maxRecords) : null;
  const idEscaped = new Map<number, string>();
  const starts = new Int32Array(maxRecords);

  let n = 0;
  skipBlankLines();
  while (pos < len) {
    const recordStart = pos;
    starts[n] = recordStart;
    let j = 0;
    for (;;) {
      const end = field();
      if (j < width) {
        const k = kind[j];
        if (k === K_FACTOR) {
          let code: number;
          const e = esc as Uint8Array | null;
          if (e) code = dicts[j]!.code(e, 0, e.length);
          else if (fe - fs === 1) {
            const t = oneByte[j]!;
            code = t[bytes[fs]!]!;
            if (code < 0) code = t[bytes[fs]!] = dicts[j]!.code(bytes, fs, fe);
          } else if (fe === fs) {
            code = emptyCode[j]!;
            if (code < 0) code = emptyCode[j] = dicts[j]!.code(bytes, fs, fe);
          } else code = dicts[j]!.code(bytes, fs, fe);
          codes[j]![n] = code;
        } else if (k === K_NUMBER) {
          let v = esc ? undefined : fastNumber(bytes, fs, fe);
          if (v === undefined) {
            const str = text();
            v = str === '' ? Number.NaN : Number(str);
            if (str !== '' && !Number.isFinite(v)) throw csvError(file, lineAt(recordStart), `column "${header[j]}": "${str}" is not a number`);
          }
          nums[j]![n] = v;
        } else if (k === K_ID) {
          idStart![n] = fs;
          idEnd![n] = fe;
          if (esc) idEscaped.set(n, text());
        }
      }
      j++;
      if (end !== COMMA) break;
    }
    if (j !== width) throw csvError(file, lineAt(recordStart), `expected ${width} fields as in the header, found ${j}`);
    n++;
    skipBlankLines();
  }

  const factors: Record<string, FactorColumn> = {};
  const numbers: Record<string, Float64Array> = {};
  for (let j = 0; j < width; j++) {
    if (codes[j]) factors[header[j]!] = { codes: codes[j]!.subarray(0, n), labels: dicts[j]!.labels };
    if (nums[j]) numbers[header[j]!] = nums[j]!.subarray(0, n);
  }
  // Line numbers on demand: one scan from the start for the first request, then cached.
  let lines: Int32Array | null = null;
  const line = (row: number): number => {
    if (!lines) {
      lines = new Int32Array(n);
      let l = 1;
      let p = bytes.indexOf(LF);
      for (let r = 0; r < n; r++) {
        while (p >= 0 && p < starts[r]!) { l++; p = bytes.indexOf(LF, p + 1); }
        lines[r] = l;
      }
    }
    return lines[row]!;
  };
  const table: CsvTable = { n, header, factors, numbers, line };
  if (idStart && idEnd) {
    table.id = (row) => idEscaped.get(row) ?? decoder.decode(bytes.subarray(idStart[row]!, idEnd[row]!)).trim();
  }
  return table;
}
