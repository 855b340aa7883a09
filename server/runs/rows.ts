// Rows of the runs-and-publication tables read through the store's executor (decision 027): the
// column lists (`AS "camelCase"`) and the mapping to the drizzle row types the code already uses.
// A JSON column is text on SQLite and `json` on PostgreSQL (which pg parses), a boolean is 0/1 on
// SQLite and `boolean` on PostgreSQL: the mappers accept both. Writes pass JSON as text and
// booleans as 0/1, which both engines take for those columns.
import { sql, type SQL } from 'drizzle-orm';
import { bare, type Sql } from '../db/sql';
import { auditLog, estimateRuns, frames, jobs, publications, waves, type AuditLogRow, type EstimateRunRow, type FrameRow, type JobRow, type PublicationRow, type WaveRow } from '../db/schema';
import type { AuditEntry } from '../audit/service';

/** A JSON column's value: parsed from text (SQLite) or as the driver parsed it (PostgreSQL). */
export function jsonValue<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** A JSON column's value that may be null. */
export function jsonOrNull<T>(v: unknown): T | null {
  return v === null || v === undefined ? null : jsonValue<T>(v);
}

/** A boolean column: 0/1 (SQLite) or true/false (PostgreSQL). */
export function boolValue(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

export const FRAME_COLUMNS: SQL = sql`${frames.id} AS "id", ${frames.name} AS "name", ${frames.source} AS "source",
  ${frames.referenceDate} AS "referenceDate", ${frames.illustrative} AS "illustrative", ${frames.contentHash} AS "contentHash",
  ${frames.margins} AS "margins", ${frames.createdBy} AS "createdBy", ${frames.createdAt} AS "createdAt"`;

export function toFrame(r: Record<string, unknown>): FrameRow {
  return { ...(r as unknown as FrameRow), illustrative: boolValue(r.illustrative), margins: jsonValue<FrameRow['margins']>(r.margins) };
}

export const RUN_COLUMNS: SQL = sql`${estimateRuns.id} AS "id", ${estimateRuns.waveId} AS "waveId", ${estimateRuns.frameId} AS "frameId",
  ${estimateRuns.frameHash} AS "frameHash", ${estimateRuns.surveyVersionIds} AS "surveyVersionIds", ${estimateRuns.scoringHash} AS "scoringHash",
  ${estimateRuns.options} AS "options", ${estimateRuns.engineVersion} AS "engineVersion", ${estimateRuns.inputHash} AS "inputHash",
  ${estimateRuns.inputBlocks} AS "inputBlocks", ${estimateRuns.result} AS "result", ${estimateRuns.createdBy} AS "createdBy", ${estimateRuns.createdAt} AS "createdAt"`;

export function toRun(r: Record<string, unknown>): EstimateRunRow {
  return {
    ...(r as unknown as EstimateRunRow),
    surveyVersionIds: jsonValue<number[]>(r.surveyVersionIds),
    options: jsonValue<Record<string, unknown>>(r.options),
    inputBlocks: jsonOrNull<{ size: number; hashes: string[] }>(r.inputBlocks),
    result: jsonValue<Record<string, unknown>>(r.result),
  };
}

export const PUBLICATION_COLUMNS: SQL = sql`${publications.id} AS "id", ${publications.runId} AS "runId", ${publications.period} AS "period",
  ${publications.action} AS "action", ${publications.reason} AS "reason", ${publications.actor} AS "actor", ${publications.at} AS "at"`;

export const JOB_COLUMNS: SQL = sql`${jobs.id} AS "id", ${jobs.kind} AS "kind", ${jobs.status} AS "status", ${jobs.progress} AS "progress",
  ${jobs.stage} AS "stage", ${jobs.request} AS "request", ${jobs.runId} AS "runId", ${jobs.error} AS "error",
  ${jobs.createdBy} AS "createdBy", ${jobs.createdAt} AS "createdAt", ${jobs.finishedAt} AS "finishedAt"`;

export function toJobRow(r: Record<string, unknown>): JobRow {
  return { ...(r as unknown as JobRow), request: jsonValue<Record<string, unknown>>(r.request), error: jsonOrNull<NonNullable<JobRow['error']>>(r.error) };
}

/** The publication rows as stored (no JSON or boolean columns). */
export type { PublicationRow };

/**
 * Appends one audit entry inside the caller's write transaction `tx` (the executor form of
 * server/audit/service.ts appendAudit, which the console's move makes async too; the two merge).
 */
export async function appendAuditTx(tx: Sql, entry: AuditEntry, now = new Date()): Promise<AuditLogRow> {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  const row = await tx.get<Record<string, unknown>>(sql`INSERT INTO ${auditLog}
    (${bare(auditLog.at)}, ${bare(auditLog.actor)}, ${bare(auditLog.action)}, ${bare(auditLog.subjectType)}, ${bare(auditLog.subjectId)}, ${bare(auditLog.before)}, ${bare(auditLog.after)}, ${bare(auditLog.reason)})
    VALUES (${now.toISOString()}, ${entry.actor}, ${entry.action}, ${entry.subjectType}, ${entry.subjectId === null ? null : String(entry.subjectId)}, ${json(entry.before)}, ${json(entry.after)}, ${entry.reason ?? null})
    RETURNING ${bare(auditLog.id)} AS "id"`);
  return {
    id: Number(row!.id), at: now.toISOString(), actor: entry.actor, action: entry.action, subjectType: entry.subjectType,
    subjectId: entry.subjectId === null ? null : String(entry.subjectId), before: entry.before ?? null, after: entry.after ?? null, reason: entry.reason ?? null,
  };
}

export const WAVE_COLUMNS: SQL = sql`${waves.id} AS "id", ${waves.surveyId} AS "surveyId", ${waves.titleKk} AS "titleKk", ${waves.titleRu} AS "titleRu",
  ${waves.titleEn} AS "titleEn", ${waves.openSlug} AS "openSlug", ${waves.status} AS "status", ${waves.openedAt} AS "openedAt",
  ${waves.closedAt} AS "closedAt", ${waves.period} AS "period"`;

/** The wave `id` (the runs' own read; server/waves is moved by the respondent path). */
export async function waveById(q: Sql, id: number): Promise<WaveRow | undefined> {
  return q.get<WaveRow>(sql`SELECT ${WAVE_COLUMNS} FROM ${waves} WHERE ${waves.id} = ${id}`);
}

export async function waveByPeriod(q: Sql, period: string): Promise<WaveRow | undefined> {
  return q.get<WaveRow>(sql`SELECT ${WAVE_COLUMNS} FROM ${waves} WHERE ${waves.period} = ${period} ORDER BY ${waves.id} LIMIT 1`);
}

export async function allWaves(q: Sql): Promise<WaveRow[]> {
  return q.all<WaveRow>(sql`SELECT ${WAVE_COLUMNS} FROM ${waves} ORDER BY ${waves.id}`);
}
