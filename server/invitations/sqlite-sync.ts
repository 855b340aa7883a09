// pg-respondent: the synchronous SQLite-only invitation functions, for the code that has not moved
// to the store yet (decision 027, step 2): the console's and the CLI's invitation batches (audited
// in the same synchronous transaction) and the open link's guard. The store's invitations are in
// service.ts; this file goes when its last caller moves.
import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open';
import { invitations, waves } from '../db/schema';
import { hashToken, newInvitationToken, type ResolvedLink } from './service';

/**
 * Creates `count` invitations for wave `waveId` in one transaction and returns their ids and clear
 * tokens (the only time the tokens exist outside the respondent's link).
 */
export function createInvitations(db: Queryable, waveId: number, count: number, now = new Date()): { id: number; token: string }[] {
  return db.transaction((tx) => {
    const out: { id: number; token: string }[] = [];
    const createdAt = now.toISOString();
    for (let i = 0; i < count; i++) {
      const token = newInvitationToken();
      const row = tx.insert(invitations).values({ waveId, tokenHash: hashToken(token), createdAt })
        .returning({ id: invitations.id }).get();
      out.push({ id: row.id, token });
    }
    return out;
  }, { behavior: 'immediate' });
}

// Link resolution runs on every respondent request: its statements are prepared once per
// connection (see server/responses/queries.ts for why and how they meet transactions).
function prepareLinkQueries(db: Db) {
  return {
    waveBySlug: db.select().from(waves).where(eq(waves.openSlug, sql.placeholder('slug'))).prepare(),
    waveById: db.select().from(waves).where(eq(waves.id, sql.placeholder('id'))).prepare(),
    invitationByHash: db.select().from(invitations).where(eq(invitations.tokenHash, sql.placeholder('hash'))).prepare(),
  };
}
const linkQueries = new WeakMap<Db, ReturnType<typeof prepareLinkQueries>>();

/** Resolves a link to its wave (and invitation), or undefined when it matches nothing. */
export function resolveLink(db: Db, link: string): ResolvedLink | undefined {
  let q = linkQueries.get(db);
  if (!q) linkQueries.set(db, (q = prepareLinkQueries(db)));
  const wave = q.waveBySlug.get({ slug: link });
  if (wave) return { kind: 'open', wave };
  const invitation = q.invitationByHash.get({ hash: hashToken(link) });
  if (!invitation) return undefined;
  const invWave = q.waveById.get({ id: invitation.waveId });
  // The foreign key guarantees the wave exists.
  return invWave ? { kind: 'invitation', wave: invWave, invitation } : undefined;
}

export { hashToken, MAX_INVITATIONS_PER_BATCH, newInvitationToken, type ResolvedLink } from './service';
