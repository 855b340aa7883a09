// The append-only audit log (server/db/schema.ts `audit_log`; DB triggers refuse UPDATE and DELETE).
// Every state change of the compute-and-publish path appends one entry in the same transaction as
// the change itself, so the log and the data can never disagree.
import os from 'node:os';
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/open';
import { auditLog, type AuditLogRow } from '../db/schema';
import { bare, type Sql } from '../db/sql';

export interface AuditEntry {
  actor: string;
  /** e.g. 'run.publish', 'run.withdraw', 'run.create', 'wave.create', 'responses.import', 'frame.import'. */
  action: string;
  subjectType: string;
  subjectId: string | number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** `cli:<os user>`: who ran a command (the console will use `user:<id>`). */
export function cliActor(): string {
  let name: string;
  try {
    name = os.userInfo().username;
  } catch {
    name = process.env.USER ?? 'unknown';
  }
  return `cli:${name}`;
}

/** The columns of an entry as rows carry them (before/after as JSON text, parsed in `toRow`). */
const COLUMNS = sql`${auditLog.id} AS "id", ${auditLog.at} AS "at", ${auditLog.actor} AS "actor", ${auditLog.action} AS "action",
  ${auditLog.subjectType} AS "subjectType", ${auditLog.subjectId} AS "subjectId",
  CAST(${auditLog.before} AS TEXT) AS "before", CAST(${auditLog.after} AS TEXT) AS "after", ${auditLog.reason} AS "reason"`;

interface StoredRow extends Omit<AuditLogRow, 'before' | 'after'> { before: string | null; after: string | null }

const toRow = (r: StoredRow): AuditLogRow => ({ ...r, before: r.before === null ? null : JSON.parse(r.before) as unknown, after: r.after === null ? null : JSON.parse(r.after) as unknown });
const jsonOrNull = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Is `db` the store's executor (decision 027), not the SQLite drizzle connection of code not moved yet? */
function isSql(db: Queryable | Sql): db is Sql {
  return typeof (db as Partial<Sql>).prepared === 'function';
}

/**
 * Appends one entry. Call inside the transaction that makes the change: with the store's `tx`
 * (awaited), or, for code not moved to the store yet (decision 027, step 2), with the SQLite
 * drizzle transaction (synchronous).
 */
export function appendAudit(tx: Sql, entry: AuditEntry, now?: Date): Promise<AuditLogRow>;
export function appendAudit(db: Queryable, entry: AuditEntry, now?: Date): AuditLogRow;
export function appendAudit(db: Queryable | Sql, entry: AuditEntry, now = new Date()): AuditLogRow | Promise<AuditLogRow> {
  if (isSql(db)) return insertAudit(db, entry, now);
  return db.insert(auditLog).values({
    at: now.toISOString(),
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId === null ? null : String(entry.subjectId),
    before: entry.before ?? null,
    after: entry.after ?? null,
    reason: entry.reason ?? null,
  }).returning().get();
}

async function insertAudit(tx: Sql, entry: AuditEntry, now: Date): Promise<AuditLogRow> {
  const row = await tx.get<StoredRow>(sql`INSERT INTO ${auditLog} (${bare(auditLog.at)}, ${bare(auditLog.actor)}, ${bare(auditLog.action)}, ${bare(auditLog.subjectType)}, ${bare(auditLog.subjectId)}, ${bare(auditLog.before)}, ${bare(auditLog.after)}, ${bare(auditLog.reason)})
    VALUES (${now.toISOString()}, ${entry.actor}, ${entry.action}, ${entry.subjectType}, ${entry.subjectId === null ? null : String(entry.subjectId)}, ${jsonOrNull(entry.before)}, ${jsonOrNull(entry.after)}, ${entry.reason ?? null})
    RETURNING ${COLUMNS}`);
  return toRow(row!);
}

/** The latest `limit` entries, newest first. */
export async function recentAudit(db: Sql, limit = 100): Promise<AuditLogRow[]> {
  const rows = await db.all<StoredRow>(sql`SELECT ${COLUMNS} FROM ${auditLog} ORDER BY ${auditLog.id} DESC LIMIT ${limit}`);
  return rows.map(toRow);
}

/** Filters of the console's audit view (all optional; `from` inclusive, `to` exclusive ISO times). */
export interface AuditFilter {
  action?: string;
  actor?: string;
  subjectType?: string;
  subjectId?: string;
  from?: string;
  to?: string;
}

/** A page of entries newest first, keyset-paginated by id (`before`: the last id of the previous page). */
export async function queryAudit(db: Sql, f: AuditFilter, limit: number, before?: number): Promise<{ rows: AuditLogRow[]; next: number | null }> {
  // An action ending in '.' is a prefix ('user.'): compared with substr, exactly, on both engines
  // (LIKE's case rules differ between them, and text order follows each engine's collation).
  const conds: SQL[] = [
    ...(f.action === undefined ? [] : f.action.endsWith('.')
      ? [sql`substr(${auditLog.action}, 1, CAST(${f.action.length} AS INTEGER)) = ${f.action}`]
      : [sql`${auditLog.action} = ${f.action}`]),
    ...(f.actor === undefined ? [] : [sql`${auditLog.actor} = ${f.actor}`]),
    ...(f.subjectType === undefined ? [] : [sql`${auditLog.subjectType} = ${f.subjectType}`]),
    ...(f.subjectId === undefined ? [] : [sql`${auditLog.subjectId} = ${f.subjectId}`]),
    ...(f.from === undefined ? [] : [sql`${auditLog.at} >= ${f.from}`]),
    ...(f.to === undefined ? [] : [sql`${auditLog.at} < ${f.to}`]),
    ...(before === undefined ? [] : [sql`${auditLog.id} < ${before}`]),
  ];
  const where = conds.length ? sql` WHERE ${sql.join(conds, sql` AND `)}` : sql``;
  const rows = (await db.all<StoredRow>(sql`SELECT ${COLUMNS} FROM ${auditLog}${where} ORDER BY ${auditLog.id} DESC LIMIT ${limit + 1}`)).map(toRow);
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? page.at(-1)!.id : null };
}
