// pg-respondent: the synchronous SQLite-only invitation functions, for the code that has not moved
// to the store yet (decision 027, step 2): tests that seed invitations into a SQLite file inside
// their own synchronous transactions. The console's and the CLI's audited batches are on the store
// (service.ts createInvitationsAudited, pg-waves); this file goes when its last caller moves.
import type { Queryable } from '../db/open';
import { invitations } from '../db/schema';
import { hashToken, newInvitationToken } from './service';

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

export { hashToken, MAX_INVITATIONS_PER_BATCH, newInvitationToken, type ResolvedLink } from './service';
