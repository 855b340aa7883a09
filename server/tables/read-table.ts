// Reading a small uploaded table (a population frame, a file of field interviews) as text cells
// with the line or row number of every record, from CSV (RFC 4180) or the first sheet of an XLSX
// workbook. Small files only: the whole file is read into memory. (The columnar reader of
// analysis/csv.ts is for million-row analysis input and does not keep cells as strings.)
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../errors';

export interface TableRecord {
  /** 1-based line (CSV) or row (XLSX) number, for messages. */
  line: number;
  /** Trimmed cell text, one per header column ('' = empty). */
  cells: string[];
}

export interface Table {
  file: string;
  header: string[];
  records: TableRecord[];
}

const bad = (file: string, line: number, message: string) => new DomainError('bad_data', 'invalid_file', `${file} line ${line}: ${message}`, { file, line });

/**
 * Parses CSV text: comma-separated, CRLF or LF, double-quoted fields with "" escapes and embedded
 * newlines, optional BOM. Blank lines are skipped; every record must have as many fields as the header.
 * @throws DomainError bad_data naming the file and line.
 */
export function parseCsvText(text: string, file: string): Table {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: TableRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let wasQuoted = false;
    for (;;) {
      if (i >= src.length) {
        if (quoted) throw bad(file, startLine, 'a quoted field is not closed (missing ")');
        cells.push(wasQuoted ? cell : cell.trim());
        break;
      }
      const c = src[i]!;
      if (quoted) {
        if (c === '"') {
          if (src[i + 1] === '"') { cell += '"'; i += 2; continue; }
          quoted = false; i++; continue;
        }
        if (c === '\n') line++;
        cell += c; i++; continue;
      }
      if (c === '"' && cell.trim() === '' && !wasQuoted) { quoted = true; wasQuoted = true; cell = ''; i++; continue; }
      if (c === ',') { cells.push(wasQuoted ? cell : cell.trim()); cell = ''; wasQuoted = false; i++; continue; }
      if (c === '\r' && src[i + 1] === '\n') { i++; continue; }
      if (c === '\n') { cells.push(wasQuoted ? cell : cell.trim()); i++; line++; break; }
      if (wasQuoted && c !== ' ') throw bad(file, line, 'unexpected text after a closing quote');
      if (!wasQuoted) cell += c;
      i++;
    }
    if (cells.length === 1 && cells[0] === '' ) continue;
    rows.push({ line: startLine, cells });
  }
  if (rows.length === 0) throw bad(file, 1, 'the file is empty; expected a header line');
  const [head, ...records] = rows;
  const header = head!.cells;
  for (const r of records) {
    if (r.cells.length !== header.length) throw bad(file, r.line, `has ${r.cells.length} fields but the header has ${header.length}`);
  }
  return { file, header, records };
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { result?: unknown; text?: unknown; richText?: { text: string }[] };
    if (v.result !== undefined) return cellText(v.result);
    if (Array.isArray(v.richText)) return v.richText.map((t) => t.text).join('');
    if (typeof v.text === 'string') return v.text;
    return '';
  }
  return String(value).trim();
}

/** Reads the first worksheet of an XLSX workbook; row numbers are the sheet's. */
async function readXlsx(file: string): Promise<Table> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (err) {
    throw new DomainError('bad_data', 'invalid_file', `${file}: not a readable XLSX workbook (${(err as Error).message})`, { file });
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new DomainError('bad_data', 'invalid_file', `${file}: the workbook has no worksheet`, { file });
  let header: string[] | null = null;
  const records: TableRecord[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: string[] = [];
    const width = header ? header.length : row.cellCount;
    for (let c = 1; c <= width; c++) values.push(cellText(row.getCell(c).value));
    if (values.every((v) => v === '')) return;
    if (!header) header = values;
    else records.push({ line: rowNumber, cells: values });
  });
  if (!header) throw new DomainError('bad_data', 'invalid_file', `${file}: the first worksheet is empty; expected a header row`, { file });
  return { file, header, records };
}

/**
 * Reads `file` as CSV or XLSX (by its extension).
 * @throws DomainError bad_usage when the file cannot be read or has another extension; bad_data for its content.
 */
export async function readTable(file: string): Promise<Table> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new DomainError('bad_usage', 'invalid_option', `--file ${file}: expected a .csv or .xlsx file`);
  if (!fs.existsSync(file)) throw new DomainError('bad_usage', 'invalid_option', `--file ${file}: no such file`);
  if (ext === '.xlsx') return readXlsx(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DomainError('bad_usage', 'invalid_option', `--file ${file}: cannot read it (${(err as Error).message})`);
  }
  return parseCsvText(text, file);
}
