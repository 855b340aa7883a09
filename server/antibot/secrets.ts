// The per-wave secret of the open-link protection (docs/decisions/021): the key of the address
// hashes and of the wave's proof-of-work challenges. Created on first use while the wave is open,
// deleted by closeWave (server/waves/service.ts) — after that, a stored address hash is an HMAC
// under a key that no longer exists anywhere, so it cannot be tied back to an address (not by
// trying all 2^32 IPv4 addresses either: that needs the key).
//
// Never cached in memory: `kelisim wave close` runs in another process, and a copy kept by the
// server would outlive the promise that closing the wave destroys it.
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/open';
import { waves, waveSecrets } from '../db/schema';
import { bare, statement, type Sql } from '../db/sql';
import type { Store } from '../db/store';

const secretOf = statement<{ waveId: number }>('antibot.waveSecret', (p) => sql`
  SELECT ${waveSecrets.secret} AS "secret" FROM ${waveSecrets} WHERE ${waveSecrets.waveId} = ${p.waveId}`);

/**
 * The wave's secret, created if the wave is open and has none; undefined for a closed wave. Kept in
 * the database, so every app server on it uses the same one (two creating it at once: the first
 * insert stays, the other's is ignored and both read the first).
 */
export async function waveSecret(store: Store, waveId: number, now = new Date()): Promise<string | undefined> {
  const read = async (db: Sql) => (await db.prepared<{ waveId: number }, { secret: string }>(secretOf).get({ waveId }))?.secret;
  const found = await read(store.sql);
  if (found !== undefined) return found;
  const secret = randomBytes(32).toString('base64url');
  return store.write(async (tx) => {
    // Only for a wave that is open now: a closed wave never gets a secret again.
    await tx.run(sql`INSERT INTO ${waveSecrets} (${bare(waveSecrets.waveId)}, ${bare(waveSecrets.secret)}, ${bare(waveSecrets.createdAt)})
      SELECT ${waves.id}, ${secret}, ${now.toISOString()} FROM ${waves} WHERE ${waves.id} = ${waveId} AND ${waves.status} = 'open'
      ON CONFLICT (${bare(waveSecrets.waveId)}) DO NOTHING`);
    return read(tx);
  });
}

/** Deletes the wave's secret; call in the write that closes the wave. */
export async function destroyWaveSecret(tx: Sql, waveId: number): Promise<void> {
  await tx.run(sql`DELETE FROM ${waveSecrets} WHERE ${waveSecrets.waveId} = ${waveId}`);
}

/**
 * pg-quotas: {@link destroyWaveSecret} for closeWave (server/waves/service.ts) while it is still a
 * synchronous drizzle transaction on SQLite; goes when pg-respondent moves closeWave to the store.
 */
export function destroyWaveSecretSqlite(db: Queryable, waveId: number): void {
  db.delete(waveSecrets).where(eq(waveSecrets.waveId, waveId)).run();
}

/**
 * The address a limit counts: an IPv4 address as it is (an IPv4-mapped IPv6 address unwrapped);
 * an IPv6 address by its /64 prefix, because one phone or home line is given a whole /64 and could
 * otherwise change address for every request.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  // Expand '::' and keep the first four groups.
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** HMAC-SHA-256 of the address key under the wave's secret, 128 bits in hex: what is stored and counted. */
export function addressHash(secret: string, ip: string | undefined): string {
  return createHmac('sha256', secret).update(`address\0${addressKey(ip)}`).digest('hex').slice(0, 32);
}

/** The HMAC key of the wave's proof-of-work challenges, derived from its secret (it dies with it). */
export function powKey(secret: string): string {
  return createHmac('sha256', secret).update('altcha').digest('hex');
}
