// SQL of the responses feature (kept here so a move to PostgreSQL stays inside the data layer).
//
// The statements are prepared once per database connection: building a drizzle query and letting
// SQLite compile it again on every request cost about as much as the rest of a completion
// (profiled under load: ~0.3 ms of ~1 ms). better-sqlite3 has a single connection per Db, so a
// statement prepared on it runs inside whatever transaction or savepoint is open on that
// connection — for writes, the group transaction of server/db/write-queue.ts.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/open';
import { invitations, responses, type ResponseRow } from '../db/schema';

const p = sql.placeholder;
// drizzle's types accept placeholders in insert values but not in update sets; wrapped in sql``
// they are accepted there too, but then bypass the column's JSON encoding, so the update
// functions below pass JSON columns as text themselves.
const ps = (name: string) => sql`${sql.placeholder(name)}`;

function prepare(db: Db) {
  return {
    byId: db.select().from(responses).where(eq(responses.id, p('id'))).prepare(),
    insert: db.insert(responses).values({
      id: p('id'), waveId: p('waveId'), surveyVersionId: p('surveyVersionId'), invitationId: p('invitationId'),
      locale: p('locale'), status: p('status'), data: p('data'), currentPageNo: p('currentPageNo'),
      startedAt: p('startedAt'), updatedAt: p('updatedAt'), completedAt: p('completedAt'), durationMs: p('durationMs'),
      region: p('region'), settlement: p('settlement'), sex: p('sex'), age: p('age'), ageBand: p('ageBand'),
      ethnicity: p('ethnicity'), itemScores: p('itemScores'), consensus: p('consensus'), tolerance: p('tolerance'), mood: p('mood'),
    }).prepare(),
    updatePartial: db.update(responses)
      .set({ locale: ps('locale'), data: ps('dataJson'), currentPageNo: ps('currentPageNo'), updatedAt: ps('updatedAt') })
      .where(eq(responses.id, p('id'))).prepare(),
    updateCompleted: db.update(responses).set({
      status: ps('status'), locale: ps('locale'), data: ps('dataJson'), updatedAt: ps('updatedAt'), completedAt: ps('completedAt'),
      durationMs: ps('durationMs'), region: ps('region'), settlement: ps('settlement'), sex: ps('sex'), age: ps('age'),
      ageBand: ps('ageBand'), ethnicity: ps('ethnicity'), itemScores: ps('itemScoresJson'),
      consensus: ps('consensus'), tolerance: ps('tolerance'), mood: ps('mood'),
    }).where(eq(responses.id, p('id'))).prepare(),
    bindInvitation: db.update(invitations).set({ responseId: ps('responseId') })
      .where(and(eq(invitations.id, p('id')), isNull(invitations.responseId))).prepare(),
    completeInvitation: db.update(invitations).set({ completedAt: ps('completedAt') }).where(eq(invitations.id, p('id'))).prepare(),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function statements(db: Db): ReturnType<typeof prepare> {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepare(db)));
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
  return statements(db).byId.get({ id });
}

/** Inserts a new response; every column must be given (null where empty). */
export function insertResponse(db: Db, row: Required<Omit<NewResponse, 'data'>> & { data: Record<string, unknown> }): void {
  statements(db).insert.run(row);
}

export function updatePartial(db: Db, id: string, v: { locale: ResponseRow['locale']; data: Record<string, unknown>; currentPageNo: number; updatedAt: string }): void {
  statements(db).updatePartial.run({ id, locale: v.locale, dataJson: JSON.stringify(v.data), currentPageNo: v.currentPageNo, updatedAt: v.updatedAt });
}

export function updateCompleted(db: Db, id: string, v: CompletedColumns): void {
  const { data, itemScores, ...scalars } = v;
  statements(db).updateCompleted.run({
    id, ...scalars, dataJson: JSON.stringify(data), itemScoresJson: itemScores === null ? null : JSON.stringify(itemScores),
  });
}

/** Binds an unbound invitation to `responseId`; false when it was already bound (to anything). */
export function bindInvitation(db: Db, invitationId: number, responseId: string): boolean {
  return statements(db).bindInvitation.run({ id: invitationId, responseId }).changes === 1;
}

export function markInvitationCompleted(db: Db, invitationId: number, completedAt: string): void {
  statements(db).completeInvitation.run({ id: invitationId, completedAt });
}
