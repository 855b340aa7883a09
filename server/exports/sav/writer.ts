// An SPSS system file (.sav) writer, from the published format (GNU PSPP developers' guide,
// "System File Format"): file header, variable records (with continuation records for strings
// wider than 8 bytes and one 255-byte segment per 252 bytes of a very long string), value labels
// (records 3 and 4; 7.21 for strings wider than 8 bytes), document lines (6), machine integer
// and floating-point info (7.3, 7.4), measurement levels (7.11), long variable names (7.13), very
// long strings (7.14), the character encoding (7.20, always UTF-8), the dictionary terminator
// (999), then the cases, uncompressed or bytecode-compressed. Little-endian throughout.
//
// Text is UTF-8 and is only ever cut at a character boundary (a label longer than its field keeps
// its whole characters). No maintained JavaScript writer handles missing values and Cyrillic
// correctly (issue 9), hence this one; test/server/exports/sav.test.ts reads its files back with PSPP.
import type { FileSink } from '../file-sink';

export interface SavVariable {
  /** Long name (1–64 bytes, a valid SPSS name: see {@link spssName}). */
  name: string;
  label: string;
  /** 0 for numeric, else the string width in bytes (1–32767). */
  width: number;
  decimals: number;
  measure: 'nominal' | 'ordinal' | 'scale';
  valueLabels: { value: number | string; label: string }[];
  /** Discrete user-missing values (at most 3). Strings: only for widths up to 8 bytes. */
  missing: (number | string)[];
}

export interface SavOptions {
  fileLabel?: string;
  /** Document lines (record 6), each cut to 80 bytes. */
  documents?: string[];
  compressed?: boolean;
  now?: Date;
}

const SYSMIS = -Number.MAX_VALUE;
const MAX_SHORT_STRING = 255;
const SEGMENT_STEP = 252;

/** The first `maxBytes` bytes of `text` in UTF-8, never cutting a character. */
export function cutUtf8(text: string, maxBytes: number): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= maxBytes) return b;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

const RESERVED = new Set(['ALL', 'AND', 'BY', 'EQ', 'GE', 'GT', 'LE', 'LT', 'NE', 'NOT', 'OR', 'TO', 'WITH']);

/**
 * A valid SPSS variable name made from `name`: letters (any script), digits and _ . $ # @, starting
 * with a letter, not ending with '.', not a reserved word, at most 64 bytes (cut at a character).
 */
export function spssName(name: string): string {
  let s = [...name].map((ch) => (/[\p{L}\p{N}_.$#@]/u.test(ch) ? ch : '_')).join('');
  if (!/^[\p{L}@#$]/u.test(s)) s = `v${s}`;
  s = cutUtf8(s, 64).toString('utf8');
  while (s.endsWith('.')) s = `${s.slice(0, -1)}_`;
  if (RESERVED.has(s.toUpperCase())) s = `${s}_`;
  return s;
}

/** The number of 255-byte segments of a string of `width` bytes (1 unless it is a very long string). */
function segmentWidths(width: number): number[] {
  if (width <= MAX_SHORT_STRING) return [width];
  const n = Math.ceil(width / SEGMENT_STEP);
  return Array.from({ length: n }, (_, i) => (i < n - 1 ? 255 : width - (n - 1) * SEGMENT_STEP));
}

const units = (segWidth: number) => (segWidth === 0 ? 1 : Math.ceil(segWidth / 8));

class Bytes {
  private parts: Buffer[] = [];
  int(v: number): this { const b = Buffer.alloc(4); b.writeInt32LE(v); this.parts.push(b); return this; }
  dbl(v: number): this { const b = Buffer.alloc(8); b.writeDoubleLE(v); this.parts.push(b); return this; }
  raw(b: Buffer): this { this.parts.push(b); return this; }
  /** `text` in exactly `n` bytes: cut at a character boundary, padded with spaces. */
  fixed(text: string | Buffer, n: number): this {
    const src = typeof text === 'string' ? cutUtf8(text, n) : text.subarray(0, n);
    const b = Buffer.alloc(n, 0x20);
    src.copy(b);
    this.parts.push(b);
    return this;
  }
  buffer(): Buffer { return Buffer.concat(this.parts); }
}

interface Layout {
  v: SavVariable;
  shortNames: string[];
  segments: number[];
  /** 1-based dictionary index (8-byte unit) of the first segment. */
  index: number;
}

/** Unique short names (≤ 8 ASCII bytes, upper case) for every segment of every variable. */
function shortNames(vars: readonly SavVariable[]): string[][] {
  const used = new Set<string>();
  let counter = 0;
  const fresh = (): string => {
    let s: string;
    do s = `V${(++counter).toString(36).toUpperCase()}`; while (used.has(s));
    used.add(s);
    return s;
  };
  return vars.map((v) => {
    let first = v.name.toUpperCase().replace(/[^A-Z0-9_@#$.]/g, '').slice(0, 8);
    if (!/^[A-Z@#$]/.test(first) || first.endsWith('.') || RESERVED.has(first) || used.has(first) || first.length < v.name.length && !/^[\x20-\x7e]*$/.test(v.name)) first = '';
    if (first) used.add(first); else first = fresh();
    const names = [first];
    for (let i = 1; i < segmentWidths(v.width).length; i++) names.push(fresh());
    return names;
  });
}

function format(width: number, decimals: number): number {
  if (width > 0) return (1 << 16) | (Math.min(width, 255) << 8);
  const w = Math.min(40, Math.max(8, decimals > 0 ? decimals + 8 : 8));
  return (5 << 16) | (w << 8) | decimals;
}

/**
 * Streams one system file: the dictionary at construction, then {@link writeCase} per case, then
 * {@link finish} (which writes the case count into the header).
 */
export class SavWriter {
  private layout: Layout[] = [];
  private caseUnits = 0;
  private ncasesAt = 0;
  private cases = 0;
  private compressed: boolean;
  // Bytecode compression state: a block of 8 command bytes followed by its raw 8-byte units.
  private cmd = Buffer.alloc(8);
  private cmdN = 0;
  private raw = Buffer.alloc(64);
  private rawN = 0;
  // Output buffer, handed to the sink when nearly full (no allocation per value).
  private out = Buffer.allocUnsafe(1 << 20);
  private outPos = 0;

  constructor(private readonly sink: FileSink, vars: readonly SavVariable[], opts: SavOptions = {}) {
    this.compressed = opts.compressed ?? true;
    const names = shortNames(vars);
    let index = 1;
    vars.forEach((v, i) => {
      const segments = v.width === 0 ? [0] : segmentWidths(v.width);
      this.layout.push({ v, shortNames: names[i]!, segments, index });
      for (const s of segments) index += units(s);
    });
    this.caseUnits = index - 1;
    this.writeDictionary(opts);
  }

  private writeDictionary(opts: SavOptions): void {
    const now = opts.now ?? new Date();
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const p2 = (n: number) => String(n).padStart(2, '0');
    const h = new Bytes()
      .fixed('$FL2', 4)
      .fixed('@(#) SPSS DATA FILE Kelisim export (UTF-8)', 60)
      .int(2).int(this.caseUnits).int(this.compressed ? 1 : 0).int(0);
    const head = h.buffer();
    this.ncasesAt = this.sink.position + head.length;
    this.sink.write(head);
    this.sink.write(new Bytes().int(-1).dbl(100)
      .fixed(`${p2(now.getUTCDate())} ${months[now.getUTCMonth()]} ${p2(now.getUTCFullYear() % 100)}`, 9)
      .fixed(`${p2(now.getUTCHours())}:${p2(now.getUTCMinutes())}:${p2(now.getUTCSeconds())}`, 8)
      .fixed(opts.fileLabel ?? '', 64).fixed('', 3).buffer());

    // Variable records.
    for (const l of this.layout) {
      l.segments.forEach((seg, s) => {
        const b = new Bytes();
        const first = s === 0;
        const label = first && l.v.label !== '' ? cutUtf8(l.v.label, 255) : null;
        const shortMissing = first && (l.v.width === 0 || l.v.width <= 8) ? l.v.missing.slice(0, 3) : [];
        b.int(2).int(seg).int(label ? 1 : 0).int(shortMissing.length)
          .int(format(seg, l.v.decimals)).int(format(seg, l.v.decimals)).fixed(l.shortNames[s]!, 8);
        if (label) {
          b.int(label.length).raw(label);
          const pad = (4 - (label.length % 4)) % 4;
          if (pad) b.raw(Buffer.alloc(pad, 0x20));
        }
        for (const m of shortMissing) {
          if (typeof m === 'number') b.dbl(m); else b.fixed(m, 8);
        }
        this.sink.write(b.buffer());
        // Continuation records for the rest of the segment's 8-byte units.
        for (let u = 1; u < units(seg); u++) this.sink.write(new Bytes().int(2).int(-1).int(0).int(0).int(0).int(0).fixed('', 8).buffer());
      });
    }

    // Value labels: records 3 + 4 for numeric and short strings.
    for (const l of this.layout) {
      if (l.v.valueLabels.length === 0 || l.v.width > 8) continue;
      const b = new Bytes().int(3).int(l.v.valueLabels.length);
      for (const { value, label } of l.v.valueLabels) {
        if (typeof value === 'number') b.dbl(value); else b.fixed(value, 8);
        const text = cutUtf8(label, 255);
        b.raw(Buffer.from([text.length])).raw(text);
        const pad = (8 - ((text.length + 1) % 8)) % 8;
        if (pad) b.raw(Buffer.alloc(pad, 0x20));
      }
      b.int(4).int(1).int(l.index);
      this.sink.write(b.buffer());
    }

    // Documents (record 6): 80-byte lines.
    const docs = (opts.documents ?? []).flatMap((d) => wrapBytes(d, 80));
    if (docs.length > 0) {
      const b = new Bytes().int(6).int(docs.length);
      for (const d of docs) b.fixed(d, 80);
      this.sink.write(b.buffer());
    }

    // 7.3 machine integer info: version 1.0.0, machine -1, IEEE 754, compression 1, little-endian, UTF-8 (65001).
    this.sink.write(new Bytes().int(7).int(3).int(4).int(8).int(1).int(0).int(0).int(-1).int(1).int(1).int(2).int(65001).buffer());
    // 7.4 machine floating-point info: SYSMIS, HIGHEST, LOWEST.
    const lowest = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff]);
    this.sink.write(new Bytes().int(7).int(4).int(8).int(3).dbl(SYSMIS).dbl(Number.MAX_VALUE).raw(lowest).buffer());
    // 7.11 measurement level, display width, alignment: one triple per segment.
    const triples: number[] = [];
    for (const l of this.layout) {
      const measure = l.v.measure === 'nominal' ? 1 : l.v.measure === 'ordinal' ? 2 : 3;
      for (const seg of l.segments) triples.push(measure, seg === 0 ? 8 : Math.min(seg, 40), seg === 0 ? 1 : 0);
    }
    const m = new Bytes().int(7).int(11).int(4).int(triples.length);
    for (const x of triples) m.int(x);
    this.sink.write(m.buffer());
    // 7.13 long variable names.
    const longNames = Buffer.from(this.layout.map((l) => `${l.shortNames[0]}=${l.v.name}`).join('\t'), 'utf8');
    this.sink.write(new Bytes().int(7).int(13).int(1).int(longNames.length).raw(longNames).buffer());
    // 7.14 very long strings.
    const vls = this.layout.filter((l) => l.v.width > MAX_SHORT_STRING);
    if (vls.length > 0) {
      const text = Buffer.from(vls.map((l) => `${l.shortNames[0]}=${String(l.v.width).padStart(5, '0')}\0\t`).join(''), 'utf8');
      this.sink.write(new Bytes().int(7).int(14).int(1).int(text.length).raw(text).buffer());
    }
    // 7.20 character encoding.
    const enc = Buffer.from('UTF-8', 'ascii');
    this.sink.write(new Bytes().int(7).int(20).int(1).int(enc.length).raw(enc).buffer());
    // 7.21 value labels of strings wider than 8 bytes (values padded to the width).
    const longLabelled = this.layout.filter((l) => l.v.width > 8 && l.v.valueLabels.length > 0);
    if (longLabelled.length > 0) {
      const b = new Bytes();
      for (const l of longLabelled) {
        const name = Buffer.from(l.v.name, 'utf8');
        b.int(name.length).raw(name).int(l.v.width).int(l.v.valueLabels.length);
        for (const { value, label } of l.v.valueLabels) {
          const text = cutUtf8(label, 255);
          b.int(l.v.width).fixed(String(value), l.v.width).int(text.length).raw(text);
        }
      }
      const body = b.buffer();
      this.sink.write(new Bytes().int(7).int(21).int(1).int(body.length).raw(body).buffer());
    }
    // 999 dictionary termination.
    this.sink.write(new Bytes().int(999).int(0).buffer());
  }

  /** Writes one case: a number (or null = system-missing) per numeric variable, a string (or null = blank) per string variable. */
  writeCase(values: readonly (number | string | null)[]): void {
    for (let i = 0; i < this.layout.length; i++) {
      const l = this.layout[i]!;
      const x = values[i] ?? null;
      if (l.v.width === 0) {
        this.numeric(typeof x === 'number' ? x : SYSMIS);
        continue;
      }
      const bytes = x === null || x === '' ? EMPTY : cutUtf8(String(x), l.v.width);
      // Segment s holds bytes [255·s, 255·s + width_s) of the value, padded with spaces to its units.
      l.segments.forEach((seg, s) => {
        const from = s * 255;
        const len = Math.max(0, Math.min(bytes.length - from, seg));
        for (let u = 0, n = units(seg); u < n; u++) this.stringUnit(bytes, from + u * 8, Math.min(8, Math.max(0, len - u * 8)));
      });
    }
    this.cases++;
  }

  private numeric(x: number): void {
    if (!this.compressed) { this.reserve(8); this.out.writeDoubleLE(x, this.outPos); this.outPos += 8; return; }
    if (x === SYSMIS) this.command(255);
    else if (Number.isInteger(x) && x >= -99 && x <= 151 && !Object.is(x, -0)) this.command(x + 100);
    else { this.raw.writeDoubleLE(x, this.rawN * 8); this.rawN++; this.command(253); }
  }

  /** One 8-byte unit of a string: `n` bytes of `src` from `at`, then spaces. */
  private stringUnit(src: Buffer, at: number, n: number): void {
    if (!this.compressed) {
      this.reserve(8);
      if (n > 0) src.copy(this.out, this.outPos, at, at + n);
      this.out.fill(0x20, this.outPos + n, this.outPos + 8);
      this.outPos += 8;
      return;
    }
    let blank = true;
    for (let k = 0; k < n; k++) if (src[at + k] !== 0x20) { blank = false; break; }
    if (blank) { this.command(254); return; }
    const o = this.rawN * 8;
    src.copy(this.raw, o, at, at + n);
    this.raw.fill(0x20, o + n, o + 8);
    this.rawN++;
    this.command(253);
  }

  private command(code: number): void {
    this.cmd[this.cmdN++] = code;
    if (this.cmdN === 8) this.flushBlock();
  }

  private flushBlock(): void {
    if (this.cmdN === 0) return;
    this.cmd.fill(0, this.cmdN);
    this.reserve(8 + this.rawN * 8);
    this.cmd.copy(this.out, this.outPos);
    this.raw.copy(this.out, this.outPos + 8, 0, this.rawN * 8);
    this.outPos += 8 + this.rawN * 8;
    this.cmdN = 0;
    this.rawN = 0;
  }

  private reserve(n: number): void {
    if (this.outPos + n > this.out.length) this.drain();
  }

  private drain(): void {
    if (this.outPos === 0) return;
    this.sink.write(Buffer.from(this.out.subarray(0, this.outPos)));
    this.outPos = 0;
  }

  /** Ends the data (a partial compression block is padded with 0) and writes the case count into the header. */
  finish(): number {
    if (this.compressed) this.flushBlock();
    this.drain();
    const b = Buffer.alloc(4);
    b.writeInt32LE(this.cases);
    this.sink.patch(this.ncasesAt, b);
    return this.cases;
  }
}

const EMPTY = Buffer.alloc(0);

/** Splits `text` into pieces of at most `n` bytes at character boundaries. */
function wrapBytes(text: string, n: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest, 'utf8') > n) {
    const head = cutUtf8(rest, n).toString('utf8');
    out.push(head);
    rest = rest.slice(head.length);
  }
  out.push(rest);
  return out;
}
