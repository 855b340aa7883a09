// Proof of work for the open link (docs/decisions/021): ALTCHA challenges (altcha-lib, the v1
// SHA-256 scheme) signed with a key derived from the wave's secret, so a challenge is valid for
// its wave only and dies when the wave closes. A challenge is single use: its signature is stored
// in `used_challenges` in the same transaction that creates the response, until it expires.
import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';
import { sql } from 'drizzle-orm';
import type { PowChallenge } from '../../contract/antibot';
import { rateLimits, usedChallenges } from '../db/schema';
import { bare, statement, type Sql } from '../db/sql';
import { DomainError } from '../errors';

/**
 * Largest secret number of a challenge: a solver tries on average half of it. The page's solver
 * (client/respond/antibot.ts: SHA-256 from the salt's midstate, no strings) takes 2–4 µs a hash in
 * Node on this project's loaded 2-core machine, so 25,000 hashes on average are ~0.1 s there and a
 * few tenths of a second on a slow phone, while the first page is read
 * (test/e2e/respondent-antibot.test.ts prints the solve time and any wait in Chromium at 360 px).
 * A script pays the same for every response it creates; the limits are the real barrier.
 */
export const POW_MAX_NUMBER = 50_000;
/** A challenge must be solved and used within this time (long enough to read the first page slowly). */
export const POW_TTL_MS = 30 * 60_000;

export async function issueChallenge(hmacKey: string, waveId: number, now = Date.now()): Promise<PowChallenge> {
  const c = await createChallenge({
    algorithm: 'SHA-256', hmacKey, maxNumber: POW_MAX_NUMBER,
    expires: new Date(now + POW_TTL_MS), params: { wave: String(waveId) },
  });
  return { algorithm: 'SHA-256', challenge: c.challenge, maxnumber: c.maxnumber ?? POW_MAX_NUMBER, salt: c.salt, signature: c.signature };
}

/** A verified solution: what must be claimed (stored as used) with the response it creates. */
export interface SolvedPow {
  signature: string;
  /** Unix seconds. */
  expiresAt: number;
}

/**
 * Checks a solved payload (base64 JSON, the POW_HEADER): signed with this wave's key, for this
 * wave, not expired, and the number solves the challenge. Returns undefined for anything else.
 */
export async function verifyPow(hmacKey: string, waveId: number, header: string | undefined): Promise<SolvedPow | undefined> {
  if (!header || header.length > 2048) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  if (p.algorithm !== 'SHA-256' || typeof p.salt !== 'string' || typeof p.signature !== 'string' || typeof p.challenge !== 'string'
    || typeof p.number !== 'number' || !Number.isSafeInteger(p.number) || p.number < 0 || p.number > POW_MAX_NUMBER) return undefined;
  const params = extractParams({ algorithm: 'SHA-256', challenge: p.challenge, salt: p.salt, signature: p.signature });
  const expiresAt = Number(params.expires);
  // A challenge without an expiry or for another wave was not issued here.
  if (params.wave !== String(waveId) || !Number.isSafeInteger(expiresAt)) return undefined;
  const ok = await verifySolution({ algorithm: 'SHA-256', challenge: p.challenge, number: p.number, salt: p.salt, signature: p.signature }, hmacKey, true);
  return ok ? { signature: p.signature, expiresAt } : undefined;
}

const claim = statement<{ signature: string; expiresAt: number }>('antibot.claimPow', (p) => sql`
  INSERT INTO ${usedChallenges} (${bare(usedChallenges.signature)}, ${bare(usedChallenges.expiresAt)}) VALUES (${p.signature}, ${p.expiresAt})
  ON CONFLICT (${bare(usedChallenges.signature)}) DO NOTHING`);
let claims = 0;

/**
 * Marks a solved challenge used; call it with the write `tx` that creates the response, so the
 * challenge is spent exactly when a response was stored with it (on any app server: the used
 * signatures are in the database). Every 256 claims (of this process), expired ones are deleted
 * (an expired challenge is refused by its signature anyway), and so are the limits' counters of
 * windows that ended over an hour ago (rate-limiter-flexible's own sweeper runs on a timer, which
 * would outlive a closed connection in tests and tools).
 * @throws DomainError refused 'pow_reused' when it was used before.
 */
export async function claimPow(tx: Sql, pow: SolvedPow, nowMs = Date.now()): Promise<void> {
  if ((await tx.prepared(claim).run({ signature: pow.signature, expiresAt: pow.expiresAt })).changes !== 1) {
    throw new DomainError('refused', 'pow_reused', 'This proof of work was already used to start a response. Reload the survey page to start again.');
  }
  if (++claims % 256 === 0) {
    await tx.run(sql`DELETE FROM ${usedChallenges} WHERE ${usedChallenges.expiresAt} < ${Math.floor(nowMs / 1000)}`);
    await tx.run(sql`DELETE FROM ${rateLimits} WHERE ${rateLimits.expire} < ${nowMs - 3_600_000}`);
  }
}
