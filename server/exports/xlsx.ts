// XLSX export with exceljs's streaming WorkbookWriter (shared strings off, so memory does not grow
// with the number of distinct texts): sheet "data" (codes, or labels with `labels`), continued on
// "data 2", "data 3", … when a sheet is full (Excel's limit is 1,048,576 rows, header included),
// then "codebook" (provenance, which data sheets exist, every variable) and "value labels".
// Cells are typed: numbers are numbers and text is an inline string, never a formula, so text
// starting with '=' is shown as typed without the apostrophe the CSV needs.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { CODEBOOK_VARIABLE_COLUMNS, codebookValues, codebookVariableRow, provenance } from './codebook';
import type { ExportSource } from './source';
import { labelOf, type Code, type ExportVariable } from './variables';

/** Rows of an Excel sheet, header included. */
export const XLSX_MAX_ROWS = 1_048_576;

export interface XlsxOptions {
  labels: boolean;
  /** Data rows per sheet, header excluded (XLSX_MAX_ROWS − 1 unless a test lowers it). */
  rowsPerSheet: number;
}

function cell(v: ExportVariable, x: Code | null, labels: boolean): string | number | null {
  if (x === null) return null;
  if (labels) {
    const l = labelOf(v, x);
    if (l !== undefined) return l;
  }
  if (typeof x === 'boolean') return x ? 'true' : 'false';
  return x;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What exceljs keeps of a sheet's output stream: a StreamBuf piped into the zip entry's stream (a
 * readable-stream PassThrough of archiver's, whose buffered bytes are in its stream states).
 */
interface StreamState { length?: number }
interface SheetStreamInternals { stream?: { pipes?: { writableLength?: number; _writableState?: StreamState; _readableState?: StreamState }[] } }

/** Bytes written towards the zip entry and not yet taken by the compressor (0 when that cannot be seen). */
function backlog(ws: unknown): number {
  const pipes = (ws as SheetStreamInternals).stream?.pipes;
  if (!Array.isArray(pipes)) return 0;
  return pipes.reduce((sum, p) => sum + (p.writableLength ?? p._writableState?.length ?? 0) + (p._readableState?.length ?? 0), 0);
}

/**
 * Backpressure exceljs does not give: its sheet stream writes into the zip entry's deflate stream
 * without waiting, so rows produced faster than they are compressed pile up (measured: 1.8 GB peak
 * RSS for 1,000,000 rows without this). After each batch of rows, wait while more than 4 MB wait
 * to be compressed — at most 30 s, so a stall can never hang the export.
 */
async function letStreamsDrain(ws: unknown): Promise<void> {
  const started = Date.now();
  await new Promise<void>((resolve) => setImmediate(resolve));
  while (backlog(ws) > 4 << 20 && Date.now() - started < 30_000) await sleep(1);
}

export async function exportXlsx(src: ExportSource, out: string, opts: XlsxOptions): Promise<number> {
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  const stream = fs.createWriteStream(tmp);
  const closed = new Promise<void>((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
  try {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false, useStyles: false });
    const vars = src.variables;
    const header = vars.map((v) => v.name);
    const sheets: { name: string; rows: number }[] = [];
    let ws = wb.addWorksheet('data');
    sheets.push({ name: 'data', rows: 0 });
    ws.addRow(header).commit();
    let n = 0;
    for await (const batch of src.batches()) {
      for (const row of batch) {
        if (sheets[sheets.length - 1]!.rows >= opts.rowsPerSheet) {
          await ws.commit();
          const name = `data ${sheets.length + 1}`;
          ws = wb.addWorksheet(name);
          sheets.push({ name, rows: 0 });
          ws.addRow(header).commit();
        }
        ws.addRow(vars.map((v, k) => cell(v, row[k]!, opts.labels))).commit();
        sheets[sheets.length - 1]!.rows++;
        n++;
        if (n % 1000 === 0) await letStreamsDrain(ws);
      }
    }
    await ws.commit();

    const cb = wb.addWorksheet('codebook');
    const sheetNote = sheets.length === 1
      ? `all ${n} rows are on sheet "data"`
      : `${n} rows continue over ${sheets.length} sheets (at most ${opts.rowsPerSheet} rows each): ${sheets.map((s) => `"${s.name}" ${s.rows}`).join(', ')}`;
    for (const [k, v] of provenance(src, [['data sheets', sheetNote]])) cb.addRow([k, v]).commit();
    cb.addRow([]).commit();
    cb.addRow([...CODEBOOK_VARIABLE_COLUMNS]).commit();
    for (const v of vars) cb.addRow(codebookVariableRow(v)).commit();
    await cb.commit();

    const vl = wb.addWorksheet('value labels');
    vl.addRow(['variable', 'value', 'label', 'missing', 'spss_value']).commit();
    for (const x of codebookValues(vars)) vl.addRow([x.variable, x.code, x.label, x.missing ? 'yes' : 'no', x.spssCode]).commit();
    await vl.commit();
    await wb.commit();
    await closed;
    fs.renameSync(tmp, out);
    return n;
  } catch (err) {
    stream.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
