// Exports as downloads (the console's, decision 018): one call writes an export to any Node
// Writable — an HTTP response — with its file name and media type. The export is first written
// whole to a private temporary folder (exactly as `kelisim export` writes it, in a worker thread
// so the server's event loop keeps serving respondents, issue 9), and only then
// streamed, with backpressure, to the target: every refusal (unknown wave or run, a run the
// database no longer matches, a value the format cannot hold) is thrown before the first byte, so
// an HTTP route can still answer with an error status instead of a truncated 200.
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { sql as q } from 'drizzle-orm';
import { estimateRuns, waves } from '../db/schema';
import type { Sql } from '../db/sql';
import { runInWorker } from '../runs/worker-pool';
import { findWave } from '../waves/service';
import { DomainError } from '../errors';
import { diagnosticsFileFor, exportRunResults, RESULT_FORMATS, type ResultFormat } from './run-results';
import { codebookFileFor, EXPORT_FORMATS, exportWave, type ExportFormat } from './service';
import { inExportSnapshot, isSqliteExport, type ExportDatabase } from './snapshot';
import type { StatusFilter } from './source';
import { LANGS, type Lang } from './variables';

/** What to download: a wave's microdata (optionally with a run's weights), or a run's results. */
export type DownloadRequest =
  | {
    kind: 'wave'; waveId: number; format: ExportFormat; lang: Lang; status?: StatusFilter; labels?: boolean; runId?: number;
    /** CSV only: the data file (default) or its codebook; XLSX and SAV carry the codebook inside. */
    part?: 'data' | 'codebook';
  }
  | {
    kind: 'run'; runId: number; format: ResultFormat; lang: Lang;
    /** CSV only: the estimates (default) or the diagnostics; XLSX holds both sheets. */
    part?: 'estimates' | 'diagnostics';
  };

export interface DownloadInfo {
  /** File name offered to the user (ASCII letters, digits, '-' and '.'). */
  filename: string;
  mediaType: string;
  bytes: number;
  /** Data rows (responses, or estimate rows for a run's results). */
  rows: number;
}

export const MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  sav: 'application/x-spss-sav',
};

/** The Content-Disposition of an attachment named `filename` (RFC 6266, with the RFC 5987 form too). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function isResponse(target: Writable): target is Writable & ServerResponse {
  return typeof (target as Partial<ServerResponse>).setHeader === 'function';
}

/** Refuses (bad_usage, before any work) a request a route built from unchecked input. */
function checkRequest(req: DownloadRequest): void {
  const bad = (m: string) => new DomainError('bad_usage', 'invalid_option', m);
  const formats: readonly string[] = req.kind === 'run' ? RESULT_FORMATS : EXPORT_FORMATS;
  if (req.kind !== 'wave' && req.kind !== 'run') throw bad(`an export is of a wave or of a run, not "${String((req as { kind: unknown }).kind)}"`);
  if (!formats.includes(req.format)) throw bad(`format must be one of ${formats.join(', ')} for a ${req.kind} export, got "${String(req.format)}"`);
  if (!(LANGS as readonly string[]).includes(req.lang)) throw bad(`lang must be one of ${LANGS.join(', ')}, got "${String(req.lang)}"`);
  if (req.kind === 'wave' && req.status !== undefined && req.status !== 'complete' && req.status !== 'all') throw bad(`status must be complete or all, got "${String(req.status)}"`);
}

/** The file name of a download, e.g. kelisim-wave-3-2026-Q3-run-7-ru.sav or kelisim-run-7-2026-Q3-estimates-kk.csv. */
export async function downloadName(sql: Sql, req: DownloadRequest): Promise<string> {
  if (req.kind === 'wave') {
    const period = (await findWave(sql, req.waveId))?.period;
    const base = `kelisim-wave-${req.waveId}${period ? `-${period}` : ''}${req.runId === undefined ? '' : `-run-${req.runId}`}`;
    const part = req.format === 'csv' && req.part === 'codebook' ? '-codebook' : '';
    return `${base}${req.labels ? '-labels' : ''}${part}-${req.lang}.${req.format}`;
  }
  const row = (await sql.get<{ period: string | null }>(q`SELECT ${waves.period} AS "period" FROM ${estimateRuns}
    JOIN ${waves} ON ${waves.id} = ${estimateRuns.waveId} WHERE ${estimateRuns.id} = ${req.runId}`))?.period;
  const part = req.format === 'csv' ? `-${req.part ?? 'estimates'}` : '-results';
  return `kelisim-run-${req.runId}${row ? `-${row}` : ''}${part}-${req.lang}.${req.format}`;
}

/** What a worker (or the caller's thread) wrote: the file to send, its rows and its download name. */
export interface WrittenExport { file: string; rows: number; filename: string }

/**
 * Writes the export `req` into the folder `dir` exactly as `kelisim export` writes it, and names the
 * file to send. The worker-thread part of writeExport (server/exports/worker.ts).
 */
export async function writeExportFile(db: ExportDatabase, req: DownloadRequest, dir: string): Promise<WrittenExport> {
  const out = path.join(dir, `export.${req.format}`);
  let file = out;
  let rows: number;
  if (req.kind === 'wave') {
    const s = await exportWave(db, {
      waveId: req.waveId, format: req.format, lang: req.lang, status: req.status ?? 'complete', labels: req.labels ?? false, out, runId: req.runId,
    });
    rows = s.rows;
    if (req.format === 'csv' && req.part === 'codebook') file = codebookFileFor(out);
  } else {
    const s = await exportRunResults(db, { runId: req.runId, format: req.format, lang: req.lang, out });
    rows = s.rows;
    if (req.format === 'csv' && req.part === 'diagnostics') file = diagnosticsFileFor(out);
  }
  return { file, rows, filename: await inExportSnapshot(db, (snap) => downloadName(snap.sql, req)) };
}

/**
 * Writes the export `req` to `target` and ends it. When `target` is an HTTP response whose headers
 * are not sent yet, sets Content-Type, Content-Length and Content-Disposition first. Resolves with
 * what was sent once the last byte is handed to the target. The file is written in a worker thread
 * on a connection of its own (server/exports/worker.ts: the SQLite file, or a pool of one
 * connection to the PostgreSQL URL), so the caller's event loop keeps serving; only a database
 * without a file (":memory:") or a pool whose URL is not known is exported on the caller's thread.
 * @param beforeSend called (and awaited) once the file is written and before its first byte is
 *   sent (the console audits the download there: a download the client then breaks off is still
 *   on record)
 * @throws DomainError exactly as `kelisim export` refuses (not_found, bad_usage, conflict run_outdated,
 *   bad_data) — always before anything is written to `target`
 */
export async function writeExport(db: ExportDatabase, req: DownloadRequest, target: Writable, beforeSend?: (info: DownloadInfo) => void | Promise<void>): Promise<DownloadInfo> {
  checkRequest(req);
  // A connection of its own (the worker's): the export holds a read transaction across awaits (XLSX
  // yields to its zip stream), which on the server's shared SQLite connection would take in other
  // requests' writes and refuse a second export at the same time.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-export-'));
  try {
    let written: WrittenExport;
    if (isSqliteExport(db)) {
      const dbFile = db.$client.name;
      written = dbFile && dbFile !== ':memory:' && fs.existsSync(dbFile)
        ? await runInWorker<WrittenExport>('export-worker', { dbFile, req, dir }, 'export')
        : await writeExportFile(db, req, dir);
    } else {
      written = db.url
        ? await runInWorker<WrittenExport>('export-worker', { databaseUrl: db.url, req, dir }, 'export')
        : await writeExportFile(db, req, dir);
    }
    return await send(req, written, target, beforeSend);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function send(req: DownloadRequest, written: WrittenExport, target: Writable, beforeSend?: (info: DownloadInfo) => void | Promise<void>): Promise<DownloadInfo> {
  const info: DownloadInfo = { filename: written.filename, mediaType: MEDIA_TYPES[req.format], bytes: fs.statSync(written.file).size, rows: written.rows };
  await beforeSend?.(info);
  if (isResponse(target) && !target.headersSent) {
    target.setHeader('Content-Type', info.mediaType);
    target.setHeader('Content-Length', String(info.bytes));
    target.setHeader('Content-Disposition', contentDisposition(info.filename));
  }
  await pipeline(fs.createReadStream(written.file), target);
  return info;
}
