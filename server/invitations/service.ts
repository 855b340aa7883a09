// Single-use invitations and link resolution. A link (/s/<link>) is either a wave's open-link
// slug or an invitation token. Tokens are 32 random bytes (256 bits, base64url): unguessable, so
// holding one is the credential; only its SHA-256 is stored, so a copy of the database does not
// reveal working links. A plain (unsalted) hash is enough for a 256-bit random secret and keeps
// lookup a single indexed equality. Through the store (decision 027): SQLite or PostgreSQL.
import { createHash, randomBytes } from 'node:crypto';
import { sql as q } from 'drizzle-orm';
import { rowShape } from '../db/rows';
import { invitations, waves, type InvitationRow, type WaveRow } from '../db/schema';
import { bare, statement, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { appendAudit } from '../audit/service';

export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Largest batch `createInvitations` accepts in one call. */
export const MAX_INVITATIONS_PER_BATCH = 100_000;

/** Rows per INSERT of a batch (well under both engines' limits on parameters per statement). */
const INSERT_CHUNK = 500;

/**
 * Creates `count` invitations for wave `waveId` and returns their ids and clear tokens (the only
 * time the tokens exist outside the respondent's link). Call inside a write (`tx`): all or none.
 */
export async function createInvitations(tx: Sql, waveId: number, count: number, now = new Date()): Promise<{ id: number; token: string }[]> {
  const createdAt = now.toISOString();
  const tokens = Array.from({ length: count }, () => newInvitationToken());
  const out: { id: number; token: string }[] = [];
  for (let start = 0; start < count; start += INSERT_CHUNK) {
    const chunk = tokens.slice(start, start + INSERT_CHUNK);
    const byHash = new Map(chunk.map((t) => [hashToken(t), t]));
    const values = q.join([...byHash.keys()].map((h) => q`(${waveId}, ${h}, ${createdAt})`), q`, `);
    const rows = await tx.all<{ id: number; tokenHash: string }>(q`INSERT INTO ${invitations} (${bare(invitations.waveId)}, ${bare(invitations.tokenHash)}, ${bare(invitations.createdAt)})
      VALUES ${values} RETURNING ${bare(invitations.id)} AS "id", ${bare(invitations.tokenHash)} AS "tokenHash"`);
    // RETURNING's order is not promised: ids are matched to tokens by their hash, then sorted.
    for (const r of rows.sort((a, b) => a.id - b.id)) out.push({ id: r.id, token: byHash.get(r.tokenHash)! });
  }
  return out;
}

/**
 * Creates `count` invitations for wave `waveId` and their audit entry (who, how many, which ids —
 * never a token) in one write: all or none. Returns their ids and clear tokens. `beforeCommit` runs
 * synchronously inside the write, after the inserts.
 */
export async function createInvitationsAudited(store: Store, waveId: number, count: number, actor: string, now = new Date(), beforeCommit?: (rows: { id: number; token: string }[]) => void): Promise<{ id: number; token: string }[]> {
  return store.write(async (tx) => {
    const rows = await createInvitations(tx, waveId, count, now);
    await appendAudit(tx, { actor, action: 'invitations.create', subjectType: 'wave', subjectId: waveId, after: { count: rows.length, firstId: rows[0]?.id, lastId: rows.at(-1)?.id } }, now);
    // Synchronous, before the commit (e.g. the CLI's links file): when it throws, nothing is created.
    beforeCommit?.(rows);
    return rows;
  });
}

const INVITATION = rowShape<InvitationRow>(invitations);
const WAVE = rowShape<WaveRow>(waves);

export async function findInvitationByToken(sql: Sql, token: string): Promise<InvitationRow | undefined> {
  return sql.get<InvitationRow>(q`SELECT ${INVITATION.columns} FROM ${invitations} WHERE ${invitations.tokenHash} = ${hashToken(token)}`);
}

export type ResolvedLink =
  | { kind: 'open'; wave: WaveRow }
  | { kind: 'invitation'; wave: WaveRow; invitation: InvitationRow };

// Link resolution runs on every respondent request: prepared statements (decision 027).
const waveBySlug = statement<{ slug: string }>('invitations.waveBySlug', (p) => q`SELECT ${WAVE.columns} FROM ${waves} WHERE ${waves.openSlug} = ${p.slug}`);
const waveById = statement<{ id: number }>('invitations.waveById', (p) => q`SELECT ${WAVE.columns} FROM ${waves} WHERE ${waves.id} = ${p.id}`);
const invitationByHash = statement<{ hash: string }>('invitations.byTokenHash', (p) => q`SELECT ${INVITATION.columns} FROM ${invitations} WHERE ${invitations.tokenHash} = ${p.hash}`);

/** Resolves a link to its wave (and invitation), or undefined when it matches nothing. */
export async function resolveLink(sql: Sql, link: string): Promise<ResolvedLink | undefined> {
  // A NUL matches no slug (base64url) and PostgreSQL's text cannot even hold one: asked as is, it
  // would be an internal error there instead of an unknown link.
  if (link.includes('\0')) return undefined;
  const wave = await sql.prepared<{ slug: string }, WaveRow>(waveBySlug).get({ slug: link });
  if (wave) return { kind: 'open', wave };
  const invitation = await sql.prepared<{ hash: string }, InvitationRow>(invitationByHash).get({ hash: hashToken(link) });
  if (!invitation) return undefined;
  const invWave = await sql.prepared<{ id: number }, WaveRow>(waveById).get({ id: invitation.waveId });
  // The foreign key guarantees the wave exists.
  return invWave ? { kind: 'invitation', wave: invWave, invitation } : undefined;
}
