// Reads and the audit entry that the moved quota, antibot and import code needs from features that
// are moving to the store at the same time (decision 027, step 2): waves, survey versions, the
// audit log. pg-quotas: stand-ins written with `Sql`; when pg-respondent's async waves/surveys
// services and pg-console's async appendAudit are merged, these give way to them.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { parseScoringSpec } from '../../analysis/scoring';
import type { AuditEntry } from '../audit/service';
import { auditLog, surveyVersions, waves, type SurveyVersionRow, type WaveRow } from '../db/schema';
import { bare, type Sql } from '../db/sql';
import { DomainError } from '../errors';
import type { LoadedSurveyVersion } from '../surveys/service';

/**
 * Every column of `table`, each `AS "<its key in the schema>"`; a JSON column as its text (json in
 * PostgreSQL, which pg would parse; text in SQLite), parsed by the caller.
 */
function allColumns(table: SQLiteTable): SQL {
  return sql.join(Object.entries(getTableColumns(table)).map(([key, col]) =>
    (col.columnType === 'SQLiteTextJson' ? sql`CAST(${col} AS TEXT) AS ${sql.identifier(key)}` : sql`${col} AS ${sql.identifier(key)}`)), sql`, `);
}

export async function waveById(db: Sql, id: number): Promise<WaveRow | undefined> {
  return db.get<WaveRow>(sql`SELECT ${allColumns(waves)} FROM ${waves} WHERE ${waves.id} = ${id}`);
}

/** Wave `waveId`, or not_found listing the waves there are (the CLI's `--wave`). */
export async function waveOrThrow(db: Sql, waveId: number): Promise<WaveRow> {
  const wave = await waveById(db, waveId);
  if (wave) return wave;
  const all = await db.all<{ id: number; period: string | null }>(sql`SELECT ${waves.id} AS "id", ${waves.period} AS "period" FROM ${waves} ORDER BY ${waves.id}`);
  const known = all.map((w) => `${w.id}${w.period ? ` (${w.period})` : ''}`).join(', ') || 'none';
  throw new DomainError('not_found', 'wave_not_found', `--wave ${waveId}: no such wave; existing waves: ${known}`);
}

/** The latest version of survey `surveyId` with its scoring spec, or undefined. */
export async function latestVersionOf(db: Sql, surveyId: string): Promise<LoadedSurveyVersion | undefined> {
  const row = await db.get<Omit<SurveyVersionRow, 'json' | 'scoring'> & { json: string; scoring: string }>(sql`
    SELECT ${allColumns(surveyVersions)} FROM ${surveyVersions} WHERE ${surveyVersions.surveyId} = ${surveyId}
    ORDER BY ${surveyVersions.version} DESC LIMIT 1`);
  if (!row) return undefined;
  const loaded: SurveyVersionRow = { ...row, json: JSON.parse(row.json) as Record<string, unknown>, scoring: JSON.parse(row.scoring) as Record<string, unknown> };
  return { row: loaded, spec: parseScoringSpec(loaded.scoring) };
}

const jsonOrNull = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Appends one audit entry; call inside the write that makes the change. */
export async function appendAuditEntry(tx: Sql, entry: AuditEntry, now: Date): Promise<void> {
  await tx.run(sql`INSERT INTO ${auditLog} (${bare(auditLog.at)}, ${bare(auditLog.actor)}, ${bare(auditLog.action)}, ${bare(auditLog.subjectType)},
      ${bare(auditLog.subjectId)}, ${bare(auditLog.before)}, ${bare(auditLog.after)}, ${bare(auditLog.reason)})
    VALUES (${now.toISOString()}, ${entry.actor}, ${entry.action}, ${entry.subjectType}, ${entry.subjectId === null ? null : String(entry.subjectId)},
      ${jsonOrNull(entry.before)}, ${jsonOrNull(entry.after)}, ${entry.reason ?? null})`);
}
