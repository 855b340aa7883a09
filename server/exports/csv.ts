// CSV export: UTF-8 with a byte-order mark (so Excel reads Kazakh and Russian letters as such),
// RFC 4180 quoting (CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes
// doubled), codes by default or value labels with `labels`. Formula injection: a TEXT cell that
// starts with =, +, -, @, tab or CR is written with a leading apostrophe so a spreadsheet shows
// it as text instead of evaluating it; numbers are never altered (−3 stays −3). The codebook goes
// to `<out>.codebook.csv` (section,variable,… rows: export provenance, variables, values).
import { codebookValues, codebookVariableRow, provenance } from './codebook';
import { withSink, type FileSink } from './file-sink';
import type { ExportSource } from './source';
import { labelOf, type Code, type ExportVariable } from './variables';

const BOM = '\uFEFF';
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralises a text cell against spreadsheet formula injection (text only, never numbers). */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One RFC 4180 field. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The cell text of `value`: numbers as JavaScript prints them (round-trip exact), text neutralised. */
export function cellText(v: ExportVariable, value: Code | null, labels: boolean): string {
  if (value === null) return '';
  if (labels) {
    const label = labelOf(v, value);
    if (label !== undefined) return neutralise(label);
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return neutralise(value);
}

function line(fields: string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export interface CsvOptions { labels: boolean; codebookFile: string }

export async function writeCsvRows(sink: FileSink, src: ExportSource, labels: boolean): Promise<number> {
  const vars = src.variables;
  sink.write(BOM + line(vars.map((v) => neutralise(v.name))));
  let n = 0;
  const fields = new Array<string>(vars.length);
  let chunk = '';
  for await (const batch of src.batches()) {
    for (const row of batch) {
      for (let k = 0; k < vars.length; k++) fields[k] = csvField(cellText(vars[k]!, row[k]!, labels));
      chunk += `${fields.join(',')}\r\n`;
      if (chunk.length > 1 << 16) { sink.write(chunk); chunk = ''; }
      n++;
    }
  }
  if (chunk) sink.write(chunk);
  return n;
}

export function writeCodebookCsv(sink: FileSink, src: ExportSource, extra: [string, string][] = []): void {
  sink.write(BOM + line(['section', 'variable', 'label', 'type', 'measure', 'missing', 'scoring', 'value', 'value_label', 'value_missing', 'spss_value']));
  for (const [k, v] of provenance(src, extra)) sink.write(line(['export', k, neutralise(v), '', '', '', '', '', '', '', '']));
  for (const v of src.variables) sink.write(line(['variable', ...codebookVariableRow(v).map(neutralise), '', '', '', '']));
  for (const x of codebookValues(src.variables)) sink.write(line(['value', x.variable, '', '', '', '', '', neutralise(x.code), neutralise(x.label), x.missing ? 'yes' : 'no', x.spssCode]));
}

/** Writes the data CSV and its codebook; returns the number of rows. */
export async function exportCsv(src: ExportSource, out: string, opts: CsvOptions): Promise<number> {
  const n = await withSink(out, (sink) => writeCsvRows(sink, src, opts.labels));
  await withSink(opts.codebookFile, (sink) => writeCodebookCsv(sink, src));
  return n;
}
