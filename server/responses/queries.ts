// SQL of the responses feature (kept here so a move to PostgreSQL stays inside the data layer).
//
// The statements are prepared once per database connection: building a drizzle query and letting
// SQLite compile it again on every request cost about as much as the rest of a completion
// (profiled under load: ~0.3 ms of ~1 ms). better-sqlite3 has a single connection per Db, so a
// statement prepared on it runs inside whatever transaction or savepoint is open on that
// connection — for writes, the group transaction of server/db/write-queue.ts.
import type Database from 'better-sqlite3';
import type { Db } from '../db/open';
import type { responses, ResponseRow } from '../db/schema';

// Plain better-sqlite3 statements rather than drizzle's prepared queries: drizzle still maps every
// parameter and result column through its column objects on each call, which was ~6% of the
// server's CPU in bench/ingest.ts (profiled). The SQL below names the columns of
// server/db/schema.ts (`responses`, `invitations`); JSON columns are stored as JSON text exactly
// as drizzle's `mode: 'json'` does, so rows written here and through drizzle read the same.
const RESPONSE_COLUMNS: [key: keyof ResponseRow, column: string][] = [
  ['id', 'id'], ['waveId', 'wave_id'], ['surveyVersionId', 'survey_version_id'], ['invitationId', 'invitation_id'],
  ['locale', 'locale'], ['status', 'status'], ['data', 'data'], ['currentPageNo', 'current_page_no'],
  ['startedAt', 'started_at'], ['updatedAt', 'updated_at'], ['completedAt', 'completed_at'], ['durationMs', 'duration_ms'],
  ['region', 'region'], ['settlement', 'settlement'], ['sex', 'sex'], ['age', 'age'], ['ageBand', 'age_band'],
  ['ethnicity', 'ethnicity'], ['itemScores', 'item_scores'], ['consensus', 'consensus'], ['tolerance', 'tolerance'], ['mood', 'mood'],
  ['mode', 'mode'], ['interviewer', 'interviewer'], ['baseWeight', 'base_weight'],
];
/** The completion columns (all but the identity, wave, version, invitation, page and start). */
const COMPLETED_KEYS = new Set<string>(['status', 'locale', 'data', 'updatedAt', 'completedAt', 'durationMs', 'region', 'settlement', 'sex', 'age', 'ageBand', 'ethnicity', 'itemScores', 'consensus', 'tolerance', 'mood']);

type Params = Record<string, unknown>;

function prepare(sqlite: Database.Database) {
  const select = RESPONSE_COLUMNS.map(([k, c]) => `${c} AS "${k}"`).join(', ');
  const completedSet = RESPONSE_COLUMNS.filter(([k]) => COMPLETED_KEYS.has(k)).map(([k, c]) => `${c} = @${k}`).join(', ');
  return {
    byId: sqlite.prepare<[string], ResponseRow & { data: string; itemScores: string | null }>(`SELECT ${select} FROM responses WHERE id = ?`),
    insert: sqlite.prepare<[Params]>(`INSERT INTO responses (${RESPONSE_COLUMNS.map(([, c]) => c).join(', ')}) VALUES (${RESPONSE_COLUMNS.map(([k]) => `@${k}`).join(', ')})`),
    updatePartial: sqlite.prepare<[Params]>('UPDATE responses SET locale = @locale, data = @data, current_page_no = @currentPageNo, updated_at = @updatedAt WHERE id = @id'),
    updateCompleted: sqlite.prepare<[Params]>(`UPDATE responses SET ${completedSet} WHERE id = @id`),
    bindInvitation: sqlite.prepare<[string, number]>('UPDATE invitations SET response_id = ? WHERE id = ? AND response_id IS NULL'),
    completeInvitation: sqlite.prepare<[string, number]>('UPDATE invitations SET completed_at = ? WHERE id = ?'),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function statements(db: Db): ReturnType<typeof prepare> {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepare(db.$client)));
  return s;
}

export type NewResponse = typeof responses.$inferInsert;

/** What completion stores beyond the answers: the derived columns (null for a screened-out respondent). */
export interface CompletedColumns {
  status: 'complete' | 'screened_out';
  locale: ResponseRow['locale'];
  data: Record<string, unknown>;
  updatedAt: string;
  completedAt: string;
  durationMs: number | null;
  region: string | null;
  settlement: string | null;
  sex: string | null;
  age: number | null;
  ageBand: string | null;
  ethnicity: string | null;
  itemScores: Record<string, number | null> | null;
  consensus: number | null;
  tolerance: number | null;
  mood: number | null;
}

export function findResponse(db: Db, id: string): ResponseRow | undefined {
  const row = statements(db).byId.get(id);
  if (!row) return undefined;
  return { ...row, data: JSON.parse(row.data) as Record<string, unknown>, itemScores: row.itemScores === null ? null : JSON.parse(row.itemScores) as Record<string, number | null> };
}

/** Inserts a new response; every column must be given (null where empty). */
export function insertResponse(db: Db, row: Required<Omit<NewResponse, 'data'>> & { data: Record<string, unknown> }): void {
  statements(db).insert.run({ ...row, data: JSON.stringify(row.data), itemScores: row.itemScores === null ? null : JSON.stringify(row.itemScores) });
}

export function updatePartial(db: Db, id: string, v: { locale: ResponseRow['locale']; data: Record<string, unknown>; currentPageNo: number; updatedAt: string }): void {
  statements(db).updatePartial.run({ id, locale: v.locale, data: JSON.stringify(v.data), currentPageNo: v.currentPageNo, updatedAt: v.updatedAt });
}

export function updateCompleted(db: Db, id: string, v: CompletedColumns): void {
  statements(db).updateCompleted.run({ ...v, id, data: JSON.stringify(v.data), itemScores: v.itemScores === null ? null : JSON.stringify(v.itemScores) });
}

/** Binds an unbound invitation to `responseId`; false when it was already bound (to anything). */
export function bindInvitation(db: Db, invitationId: number, responseId: string): boolean {
  return statements(db).bindInvitation.run(responseId, invitationId).changes === 1;
}

export function markInvitationCompleted(db: Db, invitationId: number, completedAt: string): void {
  statements(db).completeInvitation.run(completedAt, invitationId);
}
