// The executor and the stores of decision 027, on a real migrated SQLite file and a real
// PostgreSQL database (the run's throw-away cluster): one query text, written once as a drizzle
// `sql` template, gives the same rows on both; writes are transactions that settle once durable.
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPg, type PgDb } from '../../../server/db/open-pg';
import { loginThrottle } from '../../../server/db/schema';
import { bare, renderSqlite, statement, type Sql } from '../../../server/db/sql';
import { WriteJobYieldedError, type Store } from '../../../server/db/store';
import { createPgStore, renderPostgres } from '../../../server/db/store-pg';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { createTestDb, type TestDb } from '../../helpers/db';
import { createTestPgDb, type TestPgDb } from '../../helpers/pg';

const insert = (tx: Sql, key: string, failures = 1) => tx.run(sql`
  INSERT INTO ${loginThrottle} (${bare(loginThrottle.key)}, ${bare(loginThrottle.failures)}, ${bare(loginThrottle.lastFailureAt)})
  VALUES (${key}, ${failures}, ${'2026-11-29T00:00:00.000Z'})`);

const byKey = statement<{ key: string }>('test.loginThrottle.byKey', (p) => sql`
  SELECT ${loginThrottle.key} AS "key", ${loginThrottle.failures} AS "failures" FROM ${loginThrottle} WHERE ${loginThrottle.key} = ${p.key}`);

it('renders one template for each engine: schema columns qualified, bare ones for column lists, placeholders for values', () => {
  const query = sql`UPDATE ${loginThrottle} SET ${bare(loginThrottle.failures)} = ${3} WHERE ${loginThrottle.key} = ${'k'}`;
  expect(renderSqlite(query)).toMatchObject({ sql: 'UPDATE "login_throttle" SET "failures" = ? WHERE "login_throttle"."key" = ?', params: [3, 'k'] });
  expect(renderPostgres(query)).toMatchObject({ sql: 'UPDATE "login_throttle" SET "failures" = $1 WHERE "login_throttle"."key" = $2', params: [3, 'k'] });
});

interface Engine {
  store: Store;
  /** The keys committed, as another connection sees them. */
  committedKeys: () => Promise<string[]>;
  duplicateKeyCode: string;
  done: () => Promise<void>;
}

const engines: [string, () => Promise<Engine>][] = [
  ['SQLite', async () => {
    const tdb: TestDb = createTestDb();
    const other = new Database(tdb.file, { readonly: true });
    return {
      store: createSqliteStore(tdb.db),
      committedKeys: async () => (other.prepare('SELECT key FROM login_throttle ORDER BY key').all() as { key: string }[]).map((r) => r.key),
      duplicateKeyCode: 'SQLITE_CONSTRAINT_PRIMARYKEY',
      done: async () => { other.close(); tdb.cleanup(); },
    };
  }],
  ['PostgreSQL', async () => {
    const pgdb: TestPgDb = await createTestPgDb();
    const db: PgDb = await openPg(pgdb.url);
    const store = createPgStore(db.$client);
    return {
      store,
      committedKeys: async () => (await store.sql.all<{ key: string }>(sql`SELECT key FROM login_throttle ORDER BY key COLLATE "C"`)).map((r) => r.key),
      duplicateKeyCode: '23505',
      done: async () => { await store.close(); await pgdb.drop(); },
    };
  }],
];

describe.each(engines)('%s', (_name, open) => {
  let e: Engine;
  beforeAll(async () => { e = await open(); });
  afterAll(async () => { await e.done(); });
  beforeEach(async () => { await e.store.write((tx) => tx.run(sql`DELETE FROM ${loginThrottle}`)); });

  it('reads, writes and counts changed rows through templates and prepared statements', async () => {
    const { store } = e;
    await store.write(async (tx) => {
      await insert(tx, 'a', 1);
      await insert(tx, 'b', 2);
    });
    expect(await store.sql.all(sql`SELECT ${loginThrottle.key} AS "key" FROM ${loginThrottle} ORDER BY 1`)).toEqual([{ key: 'a' }, { key: 'b' }]);
    const find = store.sql.prepared<{ key: string }, { key: string; failures: number }>(byKey);
    expect(await find.get({ key: 'b' })).toEqual({ key: 'b', failures: 2 });
    expect(await find.get({ key: 'zz' })).toBeUndefined();
    expect(await find.all({ key: 'a' })).toEqual([{ key: 'a', failures: 1 }]);
    // A 64-bit count is a number on both engines.
    expect(await store.sql.get(sql`SELECT count(*) AS "n" FROM ${loginThrottle}`)).toEqual({ n: 2 });
    const changed = await store.write((tx) => tx.run(sql`UPDATE ${loginThrottle} SET ${bare(loginThrottle.failures)} = ${loginThrottle.failures} + 1`));
    expect(changed).toEqual({ changes: 2 });
    const returned = await store.write((tx) => tx.run(sql`DELETE FROM ${loginThrottle} WHERE ${loginThrottle.key} = ${'a'} RETURNING ${loginThrottle.key}`));
    expect(returned).toEqual({ changes: 1 });
    expect(await e.committedKeys()).toEqual(['b']);
  });

  it('settles a write only once it is committed, and keeps all of a job or none of it', async () => {
    const key = (i: number) => `k${String(i).padStart(3, '0')}`;
    const settledUncommitted: string[] = [];
    const jobs = Array.from({ length: 40 }, (_, i) => e.store.write(async (tx) => {
      await insert(tx, key(i));
      if (i % 10 === 9) throw new Error(`job ${i} failed after its insert`);
      return i;
    }).then(async (v) => {
      if (!(await e.committedKeys()).includes(key(v))) settledUncommitted.push(key(v));
      return v;
    }));
    const results = await Promise.allSettled(jobs);
    expect(settledUncommitted).toEqual([]);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message)).toEqual([9, 19, 29, 39].map((i) => `job ${i} failed after its insert`));
    expect(await e.committedKeys()).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 10 !== 9).map(key));
  });

  it('rejects a write the database refuses with its error, and keeps the others', async () => {
    await e.store.write((tx) => insert(tx, 'a'));
    // (Stored first: two concurrent PostgreSQL transactions inserting one key may finish in either order.)
    const results = await Promise.allSettled([
      e.store.write((tx) => insert(tx, 'a')),
      e.store.write((tx) => insert(tx, 'c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.code).toBe(e.duplicateKeyCode);
    expect(await e.committedKeys()).toEqual(['a', 'c']);
  });

  it('an idempotent write raced by another (a completion retried on a second server) answers with the first result', async () => {
    // Look, then insert: two at once both find nothing; the second's insert meets the first's key.
    const recordOnce = (failures: number) => e.store.write(async (tx) => {
      const existing = await tx.get<{ failures: number }>(sql`SELECT ${loginThrottle.failures} AS "failures" FROM ${loginThrottle} WHERE ${loginThrottle.key} = ${'once'}`);
      if (existing) return existing.failures;
      await insert(tx, 'once', failures);
      return failures;
    });
    const answers = await Promise.all([recordOnce(1), recordOnce(2), recordOnce(3)]);
    expect(new Set(answers).size).toBe(1);
    expect(await e.store.sql.all(sql`SELECT ${loginThrottle.failures} AS "failures" FROM ${loginThrottle}`)).toEqual([{ failures: answers[0] }]);
  });
});

describe('SQLite group commit', () => {
  let tdb: TestDb;
  let store: Store;
  let other: Database.Database;
  let syncs: number;
  beforeEach(() => {
    tdb = createTestDb();
    syncs = 0;
    store = createSqliteStore(tdb.db, { syncWal: () => { syncs += 1; return Promise.resolve(); } });
    other = new Database(tdb.file, { readonly: true });
  });
  afterEach(() => {
    other.close();
    tdb.cleanup();
  });
  const committedKeys = () => (other.prepare('SELECT key FROM login_throttle ORDER BY key').all() as { key: string }[]).map((r) => r.key);

  it('commits the writes of one turn in one transaction, durable (fsync) before any of them settles', async () => {
    const jobs = Array.from({ length: 200 }, (_, i) => store.write(async (tx) => {
      await insert(tx, `k${String(i).padStart(3, '0')}`);
      return i;
    }));
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(committedKeys()).toHaveLength(200);
    // 200 jobs, at most 128 a transaction: two commits, two fsyncs.
    expect(syncs).toBe(2);
  });

  it('refuses a job that lets the event loop run inside the transaction, and keeps the others', async () => {
    const results = await Promise.allSettled([
      store.write((tx) => insert(tx, 'a')),
      store.write(async (tx) => {
        await insert(tx, 'slow');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }),
      store.write((tx) => insert(tx, 'c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(WriteJobYieldedError);
    expect(committedKeys()).toEqual(['a', 'c']);
  });

  it('fails every job of a batch whose fsync failed, though the rows are committed (a retry is idempotent)', async () => {
    const failing = createSqliteStore(tdb.db, { syncWal: () => Promise.reject(new Error('disk gone')) });
    const results = await Promise.allSettled([failing.write((tx) => insert(tx, 'a')), failing.write((tx) => insert(tx, 'b'))]);
    expect(results.map((r) => (r as PromiseRejectedResult).reason?.message)).toEqual(['disk gone', 'disk gone']);
    expect(committedKeys()).toEqual(['a', 'b']);
  });
});
