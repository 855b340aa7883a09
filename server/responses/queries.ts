// SQL of the responses feature: the hot path of a respondent's save and completion, on the store's
// executor (decision 027), SQLite or PostgreSQL.
//
// The statements are declared once (`statement`) and prepared once per connection by the driver:
// building a query and letting the engine compile it again on every request cost about as much as
// the rest of a completion (profiled under load: ~0.3 ms of ~1 ms). No drizzle mapping either: it
// cost ~6% of the server's CPU in bench/ingest.ts. The column names and JSON columns are read once
// from the drizzle table (server/db/schema.ts), the one place they are declared; JSON columns are
// stored as JSON text exactly as drizzle's `mode: 'json'` does, so rows written here and through
// drizzle read the same.
import { getTableColumns, sql as q } from 'drizzle-orm';
import { invitations, responses, type ResponseRow } from '../db/schema';
import { bare, statement, type Sql } from '../db/sql';
const TABLE_COLUMNS = getTableColumns(responses);
type ResponseKey = keyof typeof TABLE_COLUMNS & keyof ResponseRow;
const RESPONSE_COLUMNS = (Object.keys(TABLE_COLUMNS) as ResponseKey[]).map((key) => [key, TABLE_COLUMNS[key].name] as const);
const JSON_KEYS = RESPONSE_COLUMNS.filter(([k]) => TABLE_COLUMNS[k].columnType === 'SQLiteTextJson').map(([k]) => k);

/**
 * The columns a response has from its first save: identity, journey and how it was collected.
 * Every other column of the table is a derived column, filled at completion from the answers
 * (weighting variables and scores): a column added to the schema is derived unless listed here,
 * and `deriveColumns` (service.ts) then fails to compile until it fills it.
 */
const JOURNEY_KEYS = [
  'id', 'waveId', 'surveyVersionId', 'invitationId', 'locale', 'status', 'data', 'currentPageNo',
  'startedAt', 'updatedAt', 'completedAt', 'durationMs', 'mode', 'interviewer', 'baseWeight',
] as const satisfies readonly ResponseKey[];
type JourneyKey = (typeof JOURNEY_KEYS)[number];
type DerivedKey = Exclude<ResponseKey, JourneyKey>;
const DERIVED_KEYS = RESPONSE_COLUMNS.map(([k]) => k).filter((k): k is DerivedKey => !(JOURNEY_KEYS as readonly string[]).includes(k));

/** The derived columns of a response, filled at completion (null for a screened-out respondent). */
export type DerivedColumns = Pick<ResponseRow, DerivedKey>;
/** The derived columns of a response that has none: not completed (yet), or screened out. */
export const NO_DERIVED_COLUMNS: { readonly [K in DerivedKey]: null } = Object.freeze(
  Object.fromEntries(DERIVED_KEYS.map((k) => [k, null])) as { [K in DerivedKey]: null },
);

/** The journey columns a completion sets, besides the derived ones. */
const COMPLETION_KEYS = ['status', 'locale', 'data', 'updatedAt', 'completedAt', 'durationMs'] as const satisfies readonly JourneyKey[];

/** What completion stores: its journey columns and the derived ones. */
export type CompletedColumns = DerivedColumns & Pick<ResponseRow, (typeof COMPLETION_KEYS)[number]> & { status: 'complete' | 'screened_out' };

/** A new response: every column given (null where empty). */
export type InsertedResponse = ResponseRow;

type Params = Record<string, unknown>;

/** The row as bound parameters: JSON columns as JSON text. */
function toParams(row: Params): Params {
  const params = { ...row };
  for (const k of JSON_KEYS) if (params[k] !== null && params[k] !== undefined) params[k] = JSON.stringify(params[k]);
  return params;
}

const ALL_KEYS = RESPONSE_COLUMNS.map(([k]) => k);
const setColumns = (p: Record<string, unknown>, keys: readonly ResponseKey[]) =>
  q.join(keys.map((k) => q`${bare(TABLE_COLUMNS[k])} = ${p[k]}`), q`, `);
const COMPLETED_KEYS = ALL_KEYS.filter((k) => (DERIVED_KEYS as readonly string[]).includes(k) || (COMPLETION_KEYS as readonly string[]).includes(k));

const byId = statement<{ id: string }>('responses.byId', (p) =>
  q`SELECT ${q.join(RESPONSE_COLUMNS.map(([k]) => q`${TABLE_COLUMNS[k]} AS ${q.identifier(k)}`), q`, `)} FROM ${responses} WHERE ${responses.id} = ${p.id}`);
// A write reads the row locked on PostgreSQL: a completion retried at the same moment (another
// request, another server) waits for the first to commit and then finds it complete (SQLite's
// single writer serialises the two already).
const byIdForUpdate = statement<{ id: string }>('responses.byIdForUpdate', () => q`${byId.query} FOR UPDATE`);
const insert = statement<Params>('responses.insert', (p) =>
  q`INSERT INTO ${responses} (${q.join(ALL_KEYS.map((k) => bare(TABLE_COLUMNS[k])), q`, `)}) VALUES (${q.join(ALL_KEYS.map((k) => q`${p[k]}`), q`, `)})`);
const updatePartialStmt = statement<Params>('responses.updatePartial', (p) =>
  q`UPDATE ${responses} SET ${setColumns(p, ['locale', 'data', 'currentPageNo', 'updatedAt'])} WHERE ${bare(responses.id)} = ${p.id}`);
const updateCompletedStmt = statement<Params>('responses.updateCompleted', (p) =>
  q`UPDATE ${responses} SET ${setColumns(p, COMPLETED_KEYS)} WHERE ${bare(responses.id)} = ${p.id}`);
const bindInvitationStmt = statement<{ responseId: string; id: number }>('responses.bindInvitation', (p) =>
  q`UPDATE ${invitations} SET ${bare(invitations.responseId)} = ${p.responseId} WHERE ${bare(invitations.id)} = ${p.id} AND ${bare(invitations.responseId)} IS NULL AND ${bare(invitations.completedAt)} IS NULL`);
// The invitation stays used; its tie to the answers is cut (docs/decisions/021): no response id on
// it, no invitation id on the response, and only the day of completion, not the instant the
// response also records.
const completeInvitation = statement<{ day: string; id: number }>('responses.completeInvitation', (p) =>
  q`UPDATE ${invitations} SET ${bare(invitations.completedAt)} = ${p.day}, ${bare(invitations.responseId)} = NULL WHERE ${bare(invitations.id)} = ${p.id}`);
const unlinkResponse = statement<{ id: string }>('responses.unlinkInvitation', (p) =>
  q`UPDATE ${responses} SET ${bare(responses.invitationId)} = NULL WHERE ${bare(responses.id)} = ${p.id}`);

/** Response `id`, or undefined; `forWrite`: inside a write that may change it (locks the row on PostgreSQL). */
export async function findResponse(sql: Sql, id: string, forWrite = false): Promise<ResponseRow | undefined> {
  const stmt = forWrite && sql.dialect === 'postgres' ? byIdForUpdate : byId;
  const row = await sql.prepared<{ id: string }, Record<string, unknown>>(stmt).get({ id });
  if (!row) return undefined;
  for (const k of JSON_KEYS) if (typeof row[k] === 'string') row[k] = JSON.parse(row[k]);
  return row as unknown as ResponseRow;
}

/** Inserts a new response; every column must be given (null where empty). */
export async function insertResponse(sql: Sql, row: InsertedResponse): Promise<void> {
  await sql.prepared(insert).run(toParams({ ...row }));
}

/**
 * Inserts many new responses, `ROWS_PER_INSERT` to a statement (a bulk load such as the demo's:
 * one round trip per 500 rows instead of one per row on PostgreSQL); every column must be given.
 */
export async function insertResponses(sql: Sql, rows: readonly InsertedResponse[]): Promise<void> {
  for (let from = 0; from < rows.length; from += ROWS_PER_INSERT) {
    const values = rows.slice(from, from + ROWS_PER_INSERT).map((row) => {
      const p = toParams({ ...row });
      return q`(${q.join(ALL_KEYS.map((k) => q`${p[k]}`), q`, `)})`;
    });
    await sql.run(q`INSERT INTO ${responses} (${q.join(ALL_KEYS.map((k) => bare(TABLE_COLUMNS[k])), q`, `)}) VALUES ${q.join(values, q`, `)}`);
  }
}
/** Rows of one bulk INSERT: 500 × the table's ~30 columns stays far below both engines' parameter limits. */
const ROWS_PER_INSERT = 500;

export async function updatePartial(sql: Sql, id: string, v: Pick<ResponseRow, 'locale' | 'data' | 'currentPageNo' | 'updatedAt'>): Promise<void> {
  await sql.prepared(updatePartialStmt).run(toParams({ id, locale: v.locale, data: v.data, currentPageNo: v.currentPageNo, updatedAt: v.updatedAt }));
}

export async function updateCompleted(sql: Sql, id: string, v: CompletedColumns): Promise<void> {
  await sql.prepared(updateCompletedStmt).run(toParams({ ...v, id }));
}

/**
 * Binds an unbound, unused invitation to `responseId`; false when it was already bound (to anything)
 * or used (a completion cuts the tie again: on PostgreSQL a bind waiting for that completion's lock
 * then sees `response_id` NULL, and must still refuse).
 */
export async function bindInvitation(sql: Sql, invitationId: number, responseId: string): Promise<boolean> {
  return (await sql.prepared(bindInvitationStmt).run({ responseId, id: invitationId })).changes === 1;
}

/**
 * Marks the invitation used by the completion of `responseId` and cuts every tie between them
 * (the invitation keeps only the day it was used; the response no longer names the invitation).
 */
export async function markInvitationCompleted(sql: Sql, invitationId: number, responseId: string, completedAt: string): Promise<void> {
  await sql.prepared(completeInvitation).run({ day: completedAt.slice(0, 10), id: invitationId });
  await sql.prepared(unlinkResponse).run({ id: responseId });
}

/** pg-respondent: the statements the synchronous SQLite twins use (sqlite-sync.ts), one text for both. */
export const SYNC_STATEMENTS = { byId, insert, toParams, JSON_KEYS } as const;
