// The executor and the SQLite store of decision 027, on a real migrated SQLite file: queries
// written once as drizzle `sql` templates, prepared statements, and group commit for async jobs.
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loginThrottle } from '../../../server/db/schema';
import { bare, renderSqlite, statement, type Sql } from '../../../server/db/sql';
import { WriteJobYieldedError, type Store } from '../../../server/db/store';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { createTestDb, type TestDb } from '../../helpers/db';

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

/** What another connection sees: committed rows only. */
const committedKeys = () => (other.prepare('SELECT key FROM login_throttle ORDER BY key').all() as { key: string }[]).map((r) => r.key);

const insert = (tx: Sql, key: string, failures = 1) => tx.run(sql`
  INSERT INTO ${loginThrottle} (${bare(loginThrottle.key)}, ${bare(loginThrottle.failures)}, ${bare(loginThrottle.lastFailureAt)})
  VALUES (${key}, ${failures}, ${'2026-11-29T00:00:00.000Z'})`);

const byKey = statement<{ key: string }>('test.loginThrottle.byKey', (p) => sql`
  SELECT ${loginThrottle.key} AS "key", ${loginThrottle.failures} AS "failures" FROM ${loginThrottle} WHERE ${loginThrottle.key} = ${p.key}`);

it('renders schema columns qualified and bare ones for column lists, with placeholders for values', () => {
  const q = renderSqlite(sql`UPDATE ${loginThrottle} SET ${bare(loginThrottle.failures)} = ${3} WHERE ${loginThrottle.key} = ${'k'}`);
  expect(q.sql).toBe('UPDATE "login_throttle" SET "failures" = ? WHERE "login_throttle"."key" = ?');
  expect(q.params).toEqual([3, 'k']);
});

it('reads, writes and counts changed rows through templates and prepared statements', async () => {
  await store.write(async (tx) => {
    await insert(tx, 'a', 1);
    await insert(tx, 'b', 2);
  });
  expect(await store.sql.all(sql`SELECT ${loginThrottle.key} AS "key" FROM ${loginThrottle} ORDER BY 1`)).toEqual([{ key: 'a' }, { key: 'b' }]);
  const find = store.sql.prepared<{ key: string }, { key: string; failures: number }>(byKey);
  expect(await find.get({ key: 'b' })).toEqual({ key: 'b', failures: 2 });
  expect(await find.get({ key: 'zz' })).toBeUndefined();
  expect(await find.all({ key: 'a' })).toEqual([{ key: 'a', failures: 1 }]);
  const changed = await store.write((tx) => tx.run(sql`UPDATE ${loginThrottle} SET ${bare(loginThrottle.failures)} = ${loginThrottle.failures} + 1`));
  expect(changed).toEqual({ changes: 2 });
  const returned = await store.write((tx) => tx.run(sql`DELETE FROM ${loginThrottle} WHERE ${loginThrottle.key} = ${'a'} RETURNING ${loginThrottle.key}`));
  expect(returned).toEqual({ changes: 1 });
  expect(committedKeys()).toEqual(['b']);
});

it('commits the writes of one turn in one transaction, durable before any of them settles', async () => {
  const settledWhileUncommitted: string[] = [];
  const key = (i: number) => `k${String(i).padStart(3, '0')}`;
  const jobs = Array.from({ length: 200 }, (_, i) => store.write(async (tx) => {
    await insert(tx, key(i));
    return i;
  }).then((v) => {
    if (!committedKeys().includes(key(v))) settledWhileUncommitted.push(key(v));
    return v;
  }));
  expect(await Promise.all(jobs)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  expect(settledWhileUncommitted).toEqual([]);
  expect(committedKeys()).toHaveLength(200);
  // 200 jobs, at most 128 a transaction: two commits, two fsyncs.
  expect(syncs).toBe(2);
});

it('rolls back only the job that failed, which gets its own error', async () => {
  const results = await Promise.allSettled([
    store.write((tx) => insert(tx, 'a')),
    store.write(async (tx) => { await insert(tx, 'b'); throw new Error('job b failed'); }),
    // A constraint the database enforces: a duplicate primary key.
    store.write((tx) => insert(tx, 'a')),
    store.write((tx) => insert(tx, 'c')),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason.message).toBe('job b failed');
  expect((results[2] as PromiseRejectedResult).reason.code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
  expect(committedKeys()).toEqual(['a', 'c']);
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
});
