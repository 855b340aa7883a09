// The open link's protection keeps everything in the database (decision 027), so several app
// servers on one database protect it as one: two stores (two pools on one PostgreSQL database, or
// two connections to one SQLite file) share the wave's secret (a challenge issued by one verifies
// on the other), a proof of work spent on one is refused on the other, and the per-address limit
// counts the requests of both together, racing. On the engine KELISIM_TEST_DB names.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POW_HEADER } from '../../../contract/antibot';
import { createLimiters, DEFAULT_LIMITS } from '../../../server/antibot/limits';
import { claimPow, issueChallenge, verifyPow } from '../../../server/antibot/pow';
import { addressHash, destroyWaveSecret, powKey, waveSecret } from '../../../server/antibot/secrets';
import { openDb } from '../../../server/db/open';
import { rateLimits, waves } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import type { Store } from '../../../server/db/store';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { DomainError } from '../../../server/errors';
import { powHeader } from '../../helpers/antibot';
import { MINI_SURVEYS_DIR } from '../../helpers/app';
import { seedSurveyAndWave } from '../../helpers/seed';
import { createTestStore, type TestStore } from '../../helpers/store';

let t: TestStore;
let a: Store;
let b: Store;
let waveId: number;
beforeEach(async () => {
  t = await createTestStore();
  a = t.store;
  // The second app server's store on the same database.
  if (t.engine === 'postgres') {
    const { openPg } = await import('../../../server/db/open-pg');
    const { createPgStore } = await import('../../../server/db/store-pg');
    b = createPgStore((await openPg(t.location.url!, { migrateSchema: false })).$client);
  } else {
    b = createSqliteStore(openDb(t.location.file!, { migrateSchema: false }));
  }
  ({ waveId } = await seedSurveyAndWave(a, MINI_SURVEYS_DIR));
});
afterEach(async () => {
  await b.close();
  await t.cleanup();
});

describe('two app servers on one database', () => {
  it('share the wave\'s secret: created once even when both ask at once; a challenge from one verifies on the other; none for a closed wave', async () => {
    const [sa, sb] = await Promise.all([waveSecret(a, waveId), waveSecret(b, waveId)]);
    expect(sa).toMatch(/^[\w-]{43}$/);
    expect(sb).toBe(sa);
    expect(addressHash(sa!, '10.1.2.3')).toBe(addressHash((await waveSecret(b, waveId))!, '10.1.2.3'));
    const challenge = await issueChallenge(powKey(sa!), waveId);
    const header = powHeader(challenge)[POW_HEADER];
    const solved = await verifyPow(powKey((await waveSecret(b, waveId))!), waveId, header);
    expect(solved?.signature).toBe(challenge.signature);
    // Closing the wave (its write deletes the secret): no server makes a new one.
    await a.write(async (tx) => {
      await tx.run(sql`UPDATE ${waves} SET ${bare(waves.status)} = 'closed' WHERE ${waves.id} = ${waveId}`);
      await destroyWaveSecret(tx, waveId);
    });
    expect(await waveSecret(b, waveId)).toBeUndefined();
    expect(await waveSecret(a, waveId)).toBeUndefined();
  });

  it('a proof of work spent on one server is refused on the other, once, however many try at once', async () => {
    const pow = { signature: 'c0ffee'.repeat(10), expiresAt: Math.floor(Date.now() / 1000) + 600 };
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).write((tx) => claimPow(tx, pow))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect((r.reason as DomainError).code).toBe('pow_reused');
    }
  });

  it('count one address\'s new responses together: of 12 at once on both servers, exactly the limit pass, the rest get rate_limited with a wait', async () => {
    const limits = { ...DEFAULT_LIMITS, newPerAddress: { points: 4, durationSeconds: 600 } };
    const [la, lb] = [createLimiters(a, limits), createLimiters(b, limits)];
    const waits: number[] = [];
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? la : lb).newResponse(waveId, 'addr-hash-1', (s) => waits.push(s))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    const refused = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((r) => r.reason as DomainError);
    expect(refused.map((e) => e.code)).toEqual(Array(8).fill('too_many_responses'));
    expect(waits).toHaveLength(8);
    for (const s of waits) expect(s).toBeGreaterThan(590);
    // Another address is not held up, and the counters are in our table.
    await expect(lb.newResponse(waveId, 'addr-hash-2', () => undefined)).resolves.toBeUndefined();
    const counters = await a.sql.all<{ key: string; points: number }>(sql`SELECT ${rateLimits.key} AS "key", ${rateLimits.points} AS "points" FROM ${rateLimits} ORDER BY ${rateLimits.points} DESC, ${rateLimits.expire}`);
    expect(counters.find((c) => c.key === `new-addr:${waveId}:addr-hash-1`)).toMatchObject({ points: expect.any(Number) });
    expect(counters.find((c) => c.key === `new-addr:${waveId}:addr-hash-1`)!.points).toBeGreaterThanOrEqual(5);
    expect(counters.find((c) => c.key === `new-addr:${waveId}:addr-hash-2`)).toEqual({ key: `new-addr:${waveId}:addr-hash-2`, points: 1 });
  });
});
