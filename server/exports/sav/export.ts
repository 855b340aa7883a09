// A wave export as an SPSS system file (decision 018): numeric questions stay numeric, their
// string codes (`dk`) become negative user-missing codes with the code's label; categorical
// string codes (`KZ-71`) stay strings with value labels; booleans are 1/0 with their labels.
// String widths are the longest value in bytes, found by a first streamed pass over the rows.
import { DomainError } from '../../errors';
import { provenance } from '../codebook';
import { withSink } from '../file-sink';
import type { ExportSource } from '../source';
import type { Code, ExportVariable } from '../variables';
import { SavWriter, spssName, type SavVariable } from './writer';

/** The number SPSS stores for `code` of numeric variable `v`, or undefined when it has none. */
export function spssNumber(v: ExportVariable, code: Code): number | undefined {
  if (typeof code === 'number') return code;
  if (typeof code === 'boolean') return code ? 1 : 0;
  const mapped = v.numericCodes.get(code);
  if (mapped !== undefined) return mapped;
  // A number stored as text (an imported cell) is still that number.
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(code) ? Number(code) : undefined;
}

/** SPSS names of the variables: valid, unique case-insensitively (a clash gets _2, _3, …). */
export function spssNames(vars: readonly ExportVariable[]): string[] {
  const seen = new Set<string>();
  return vars.map((v) => {
    const base = spssName(v.name);
    let name = base;
    for (let k = 2; seen.has(name.toUpperCase()); k++) name = spssName(`${base.slice(0, 58)}_${k}`);
    seen.add(name.toUpperCase());
    return name;
  });
}

export interface SavExportOptions { compressed?: boolean }

export async function exportSav(src: ExportSource, out: string, opts: SavExportOptions = {}): Promise<number> {
  const vars = src.variables;
  // Pass 1: string widths in bytes (at least 1, and wide enough for every labelled code).
  const widths = vars.map((v) => (v.type === 'numeric' ? 0 : Math.max(1, ...v.values.map((x) => Buffer.byteLength(String(x.code), 'utf8')))));
  for await (const batch of src.batches()) {
    for (const row of batch) {
      for (let k = 0; k < vars.length; k++) {
        if (widths[k] === 0) continue;
        const x = row[k];
        if (x !== null && x !== undefined) {
          const w = Buffer.byteLength(String(x), 'utf8');
          if (w > widths[k]!) widths[k] = w;
        }
      }
    }
  }
  const tooWide = widths.findIndex((w) => w > 32767);
  if (tooWide >= 0) throw new DomainError('bad_data', 'value_too_long', `variable ${vars[tooWide]!.name}: a value of ${widths[tooWide]} bytes is longer than SPSS's 32,767`);
  const names = spssNames(vars);
  const savVars: SavVariable[] = vars.map((v, k) => ({
    name: names[k]!, label: v.label, width: widths[k]!, decimals: v.decimals, measure: v.measure,
    valueLabels: v.values.map((x) => ({ value: v.type === 'numeric' ? spssNumber(v, x.code)! : String(x.code), label: x.label }))
      .concat(v.missing.filter((m) => !v.values.some((x) => String(x.code) === String(m))).map((m) => ({ value: v.type === 'numeric' ? spssNumber(v, m)! : String(m), label: String(m) }))),
    missing: v.type === 'numeric' ? v.missing.map((m) => spssNumber(v, m)!).slice(0, 3) : widths[k]! <= 8 ? v.missing.map(String).slice(0, 3) : [],
  }));
  const documents = provenance(src).map(([k, val]) => `${k}: ${val}`);
  return withSink(out, async (sink) => {
    const w = new SavWriter(sink, savVars, { fileLabel: `Kelisim wave ${src.wave.id}${src.wave.period ? ` ${src.wave.period}` : ''}`, documents, compressed: opts.compressed ?? true, ...(src.exportedAt ? { now: src.exportedAt } : {}) });
    const values = new Array<number | string | null>(vars.length);
    for await (const batch of src.batches()) for (const row of batch) {
      for (let k = 0; k < vars.length; k++) {
        const x = row[k]!;
        const v = vars[k]!;
        if (x === null) { values[k] = null; continue; }
        if (v.type === 'numeric') {
          const n = spssNumber(v, x);
          if (n === undefined) {
            throw new DomainError('bad_data', 'not_numeric', `response "${String(row[0])}", variable ${v.name}: "${String(x)}" is neither a number nor a labelled code; nothing was written`);
          }
          values[k] = n;
        } else {
          values[k] = typeof x === 'string' ? x : String(x);
        }
      }
      w.writeCase(values);
    }
    return w.finish();
  });
}
