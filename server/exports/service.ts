// Exporting a wave's microdata (issue 9): one entry point for the command line (and later the
// console's download), dispatching on the format. The data are read by one streamed pass per
// format (SPSS needs a first pass for string widths), never loaded whole.
import path from 'node:path';
import { DomainError } from '../errors';
import type { WaveRow } from '../db/schema';
import { exportCsv } from './csv';
import { flagAnnotations, runAnnotations } from './run-columns';
import { exportSav } from './sav/export';
import { inExportSnapshot, type ExportDatabase, type ExportSnapshot } from './snapshot';
import { openExportSource, type StatusFilter } from './source';
import type { Lang } from './variables';
import { exportXlsx, XLSX_MAX_ROWS } from './xlsx';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'sav'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  waveId: number;
  format: ExportFormat;
  lang: Lang;
  status: StatusFilter;
  /** CSV and XLSX: value labels instead of codes. */
  labels: boolean;
  out: string;
  /** XLSX: data rows per sheet (tests lower it to check the continuation rule). */
  xlsxRowsPerSheet?: number;
  /** A run of the wave: its final weight and exclusion per row (recomputed and checked: run-columns.ts). */
  runId?: number;
  /** The time written as "exported at" (and in an SPSS file's header); default: now. */
  now?: Date;
}

export interface ExportSummary {
  format: ExportFormat;
  rows: number;
  variables: number;
  files: string[];
}

/** `<out>.codebook.csv`: the CSV export's codebook file. */
export function codebookFileFor(out: string): string {
  const ext = path.extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}.codebook.csv`;
}

/**
 * Writes the export file(s). Nothing is left half-written on failure.
 * @throws DomainError not_found (wave), conflict (no questionnaire), bad_data (a value the format cannot hold)
 */
export async function exportWave(db: ExportDatabase, o: ExportOptions): Promise<ExportSummary> {
  // One read snapshot (server/exports/snapshot.ts): the count, the flags or the run's check, the
  // SPSS width pass and the data pass see the same rows of a wave that may still be taking
  // responses (writers are not blocked on either engine).
  return inExportSnapshot(db, (snap) => exportInSnapshot(snap, o));
}

async function exportInSnapshot(snap: ExportSnapshot, o: ExportOptions): Promise<ExportSummary> {
  if (o.format === 'sav' && o.labels) throw new DomainError('bad_usage', 'invalid_option', '--labels applies to csv and xlsx; an SPSS file always carries both codes and value labels');
  const runId = o.runId;
  const annotate = runId === undefined ? (wave: WaveRow) => flagAnnotations(snap, wave.id) : (wave: WaveRow) => runAnnotations(snap, runId, wave);
  const src = await openExportSource(snap, { waveId: o.waveId, lang: o.lang, status: o.status, annotate });
  if (o.now) src.exportedAt = o.now;
  if (o.format === 'csv') {
    const codebook = codebookFileFor(o.out);
    const rows = await exportCsv(src, o.out, { labels: o.labels, codebookFile: codebook });
    return { format: 'csv', rows, variables: src.variables.length, files: [o.out, codebook] };
  }
  if (o.format === 'xlsx') {
    const rows = await exportXlsx(src, o.out, { labels: o.labels, rowsPerSheet: o.xlsxRowsPerSheet ?? XLSX_MAX_ROWS - 1 });
    return { format: 'xlsx', rows, variables: src.variables.length, files: [o.out] };
  }
  const rows = await exportSav(src, o.out);
  return { format: 'sav', rows, variables: src.variables.length, files: [o.out] };
}
