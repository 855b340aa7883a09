// The append-only audit log (server/db/schema.ts `audit_log`; DB triggers refuse UPDATE and DELETE).
// Every state change of the compute-and-publish path appends one entry in the same transaction as
// the change itself, so the log and the data can never disagree.
import os from 'node:os';
import { and, desc, eq, gte, like, lt } from 'drizzle-orm';
import type { Queryable } from '../db/open';
import { auditLog, type AuditLogRow } from '../db/schema';

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

/** Appends one entry. Call inside the transaction that makes the change. */
export function appendAudit(db: Queryable, entry: AuditEntry, now = new Date()): AuditLogRow {
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

/** The latest `limit` entries, newest first. */
export function recentAudit(db: Queryable, limit = 100): AuditLogRow[] {
  return db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit).all();
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
export function queryAudit(db: Queryable, f: AuditFilter, limit: number, before?: number): { rows: AuditLogRow[]; next: number | null } {
  const conds = [
    f.action === undefined ? undefined : f.action.endsWith('.') ? like(auditLog.action, `${f.action}%`) : eq(auditLog.action, f.action),
    f.actor === undefined ? undefined : eq(auditLog.actor, f.actor),
    f.subjectType === undefined ? undefined : eq(auditLog.subjectType, f.subjectType),
    f.subjectId === undefined ? undefined : eq(auditLog.subjectId, f.subjectId),
    f.from === undefined ? undefined : gte(auditLog.at, f.from),
    f.to === undefined ? undefined : lt(auditLog.at, f.to),
    before === undefined ? undefined : lt(auditLog.id, before),
  ].filter((c) => c !== undefined);
  const rows = db.select().from(auditLog).where(conds.length ? and(...conds) : undefined).orderBy(desc(auditLog.id)).limit(limit + 1).all();
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? page.at(-1)!.id : null };
}
