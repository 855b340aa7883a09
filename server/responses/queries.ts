// SQL of the responses feature (kept here so a move to PostgreSQL stays inside the data layer).
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/open';
import { invitations, responses, type ResponseRow } from '../db/schema';

export type NewResponse = typeof responses.$inferInsert;

export function findResponse(db: Queryable, id: string): ResponseRow | undefined {
  return db.select().from(responses).where(eq(responses.id, id)).get();
}

export function insertResponse(db: Queryable, row: NewResponse): void {
  db.insert(responses).values(row).run();
}

export function updateResponse(db: Queryable, id: string, patch: Partial<NewResponse>): void {
  db.update(responses).set(patch).where(eq(responses.id, id)).run();
}

/** Binds an unbound invitation to `responseId`; false when it was already bound (to anything). */
export function bindInvitation(db: Queryable, invitationId: number, responseId: string): boolean {
  const res = db.update(invitations).set({ responseId })
    .where(and(eq(invitations.id, invitationId), isNull(invitations.responseId))).run();
  return res.changes === 1;
}

export function markInvitationCompleted(db: Queryable, invitationId: number, completedAt: string): void {
  db.update(invitations).set({ completedAt }).where(eq(invitations.id, invitationId)).run();
}
