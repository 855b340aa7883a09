// test/helpers/store.ts gives each test a migrated database of its own on the engine the run asks
// for (KELISIM_TEST_DB): the same write and read through the store, whichever it is.
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { loginThrottle } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import { createTestStore, testEngine, type TestStore } from '../../helpers/store';

let current: TestStore | undefined;
afterEach(async () => { await current?.cleanup(); current = undefined; });

it('opens a migrated database on the engine KELISIM_TEST_DB names, of the test\'s own', async () => {
  current = await createTestStore();
  const { store, engine } = current;
  expect(engine).toBe(testEngine());
  expect(store.dialect).toBe(engine);
  // Migrated: every table is there and empty.
  expect(await store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${loginThrottle}`)).toEqual({ n: 0 });
  await store.write((tx) => tx.run(sql`
    INSERT INTO ${loginThrottle} (${bare(loginThrottle.key)}, ${bare(loginThrottle.failures)}, ${bare(loginThrottle.lastFailureAt)})
    VALUES (${'k'}, ${2}, ${'2026-11-29T00:00:00.000Z'})`));
  expect(await store.sql.all(sql`SELECT ${loginThrottle.key} AS "key", ${loginThrottle.failures} AS "failures" FROM ${loginThrottle}`)).toEqual([{ key: 'k', failures: 2 }]);
  if (engine === 'sqlite') expect(current.location.file).toMatch(/\.db$/);
  else expect(current.location.url).toMatch(/^postgres:\/\//);
});

it('gives each test a database of its own: nothing of the test before', async () => {
  current = await createTestStore();
  expect(await current.store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${loginThrottle}`)).toEqual({ n: 0 });
});
