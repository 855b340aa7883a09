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
import { eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open';
import { waveSecrets } from '../db/schema';

function prepare(db: Db) {
  const sqlite = db.$client;
  return {
    get: sqlite.prepare<[number], string>('SELECT secret FROM wave_secrets WHERE wave_id = ?').pluck(),
    // Only for a wave that is open now: a closed wave never gets a secret again.
    create: sqlite.prepare<[number, string, string, number]>(`INSERT OR IGNORE INTO wave_secrets (wave_id, secret, created_at)
      SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM waves WHERE id = ? AND status = 'open')`),
  };
}
const statements = new WeakMap<Db, ReturnType<typeof prepare>>();

/** The wave's secret, created if the wave is open and has none; undefined for a closed wave. */
export function waveSecret(db: Db, waveId: number, now = new Date()): string | undefined {
  let s = statements.get(db);
  if (!s) statements.set(db, (s = prepare(db)));
  const found = s.get.get(waveId);
  if (found !== undefined) return found;
  s.create.run(waveId, randomBytes(32).toString('base64url'), now.toISOString(), waveId);
  return s.get.get(waveId);
}

/** Deletes the wave's secret (closeWave calls it in the same transaction that closes the wave). */
export function destroyWaveSecret(db: Queryable, waveId: number): void {
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
