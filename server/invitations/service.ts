// Single-use invitations and link resolution. A link (/s/<link>) is either a wave's open-link
// slug or an invitation token. Tokens are 32 random bytes (256 bits, base64url): unguessable, so
// holding one is the credential; only its SHA-256 is stored, so a copy of the database does not
// reveal working links. A plain (unsalted) hash is enough for a 256-bit random secret and keeps
// lookup a single indexed equality.
import { createHash, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open';
import { invitations, waves, type InvitationRow, type WaveRow } from '../db/schema';

export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Largest batch `createInvitations` accepts in one call. */
export const MAX_INVITATIONS_PER_BATCH = 100_000;

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

export function findInvitationByToken(db: Queryable, token: string): InvitationRow | undefined {
  return db.select().from(invitations).where(eq(invitations.tokenHash, hashToken(token))).get();
}

export type ResolvedLink =
  | { kind: 'open'; wave: WaveRow }
  | { kind: 'invitation'; wave: WaveRow; invitation: InvitationRow };

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
