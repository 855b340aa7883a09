// SQL of the responses feature (kept here so a move to PostgreSQL stays inside the data layer).
//
// The statements are prepared once per database connection: building a drizzle query and letting
// SQLite compile it again on every request cost about as much as the rest of a completion
// (profiled under load: ~0.3 ms of ~1 ms). better-sqlite3 has a single connection per Db, so a
// statement prepared on it runs inside whatever transaction or savepoint is open on that
// connection — for writes, the group transaction of server/db/write-queue.ts.
import type Database from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/open';
import { responses, type ResponseRow } from '../db/schema';

// Plain better-sqlite3 statements rather than drizzle's prepared queries: drizzle still maps every
// parameter and result column through its column objects on each call, which was ~6% of the
// server's CPU in bench/ingest.ts (profiled). The column names and JSON columns are read once from
// the drizzle table (server/db/schema.ts), the one place they are declared; JSON columns are stored
// as JSON text exactly as drizzle's `mode: 'json'` does, so rows written here and through drizzle
// read the same.
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

function prepare(sqlite: Database.Database) {
  const select = RESPONSE_COLUMNS.map(([k, c]) => `${c} AS "${k}"`).join(', ');
  const completedSet = RESPONSE_COLUMNS
    .filter(([k]) => (DERIVED_KEYS as readonly string[]).includes(k) || (COMPLETION_KEYS as readonly string[]).includes(k))
    .map(([k, c]) => `${c} = @${k}`).join(', ');
  return {
    byId: sqlite.prepare<[string], Record<string, unknown>>(`SELECT ${select} FROM responses WHERE id = ?`),
    insert: sqlite.prepare<[Params]>(`INSERT INTO responses (${RESPONSE_COLUMNS.map(([, c]) => c).join(', ')}) VALUES (${RESPONSE_COLUMNS.map(([k]) => `@${k}`).join(', ')})`),
    updatePartial: sqlite.prepare<[Params]>(`UPDATE responses SET ${(['locale', 'data', 'currentPageNo', 'updatedAt'] as const).map((k) => `${TABLE_COLUMNS[k].name} = @${k}`).join(', ')} WHERE id = @id`),
    updateCompleted: sqlite.prepare<[Params]>(`UPDATE responses SET ${completedSet} WHERE id = @id`),
    bindInvitation: sqlite.prepare<[string, number]>('UPDATE invitations SET response_id = ? WHERE id = ? AND response_id IS NULL'),
    // The invitation stays used; its tie to the answers is cut (docs/decisions/021): no response
    // id on it, no invitation id on the response, and only the day of completion, not the instant
    // the response also records.
    completeInvitation: sqlite.prepare<[string, number]>('UPDATE invitations SET completed_at = ?, response_id = NULL WHERE id = ?'),
    unlinkResponse: sqlite.prepare<[string]>('UPDATE responses SET invitation_id = NULL WHERE id = ?'),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function statements(db: Db): ReturnType<typeof prepare> {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepare(db.$client)));
  return s;
}

export function findResponse(db: Db, id: string): ResponseRow | undefined {
  const row = statements(db).byId.get(id);
  if (!row) return undefined;
  for (const k of JSON_KEYS) if (typeof row[k] === 'string') row[k] = JSON.parse(row[k]);
  return row as unknown as ResponseRow;
}

/** Inserts a new response; every column must be given (null where empty). */
export function insertResponse(db: Db, row: InsertedResponse): void {
  statements(db).insert.run(toParams({ ...row }));
}

export function updatePartial(db: Db, id: string, v: Pick<ResponseRow, 'locale' | 'data' | 'currentPageNo' | 'updatedAt'>): void {
  statements(db).updatePartial.run(toParams({ id, locale: v.locale, data: v.data, currentPageNo: v.currentPageNo, updatedAt: v.updatedAt }));
}

export function updateCompleted(db: Db, id: string, v: CompletedColumns): void {
  statements(db).updateCompleted.run(toParams({ ...v, id }));
}

/** Binds an unbound invitation to `responseId`; false when it was already bound (to anything). */
export function bindInvitation(db: Db, invitationId: number, responseId: string): boolean {
  return statements(db).bindInvitation.run(responseId, invitationId).changes === 1;
}

/**
 * Marks the invitation used by the completion of `responseId` and cuts every tie between them
 * (the invitation keeps only the day it was used; the response no longer names the invitation).
 */
export function markInvitationCompleted(db: Db, invitationId: number, responseId: string, completedAt: string): void {
  const s = statements(db);
  s.completeInvitation.run(completedAt.slice(0, 10), invitationId);
  s.unlinkResponse.run(responseId);
}
