// The store a test's services and app run on (decision 027): SQLite by default, PostgreSQL when
// KELISIM_TEST_DB=postgres (scripts/test.ts runs the suites of test/postgres-suites.ts a second
// time so). Either way a real database of the test's own: a copy of the migrated SQLite template
// in a temporary folder, or a copy of the migrated PostgreSQL template on the run's throw-away
// cluster, dropped afterwards.
import { openPg } from '../../server/db/open-pg';
import type { Db } from '../../server/db/open';
import type { Store } from '../../server/db/store';
import { createPgStore } from '../../server/db/store-pg';
import { createSqliteStore } from '../../server/db/store-sqlite';
import { createTestDb } from './db';
import { createTestPgDb } from './pg';

export type TestEngine = 'sqlite' | 'postgres';

/** The engine this test process runs on: KELISIM_TEST_DB (sqlite unless it says postgres). */
export function testEngine(): TestEngine {
  const wanted = process.env.KELISIM_TEST_DB?.trim() || 'sqlite';
  if (wanted !== 'sqlite' && wanted !== 'postgres') throw new Error(`KELISIM_TEST_DB="${wanted}" must be "sqlite" or "postgres"`);
  return wanted;
}

export interface TestStore {
  engine: TestEngine;
  store: Store;
  /**
   * What a server process or the `kelisim` command is pointed at: the SQLite file (KELISIM_DB)
   * or the PostgreSQL URL (KELISIM_DATABASE_URL).
   */
  location: { file: string; url?: undefined } | { url: string; file?: undefined };
  /** SQLite only: the drizzle connection under the store, for code that has not moved to the store yet. */
  db?: Db;
  /** Closes the store and deletes the database. */
  cleanup: () => Promise<void>;
}

/** What a `kelisim` process or a server process is pointed at for `location`: KELISIM_DB or KELISIM_DATABASE_URL. */
export function cliEnvOf(location: TestStore['location']): Record<string, string> {
  return location.url === undefined ? { KELISIM_DB: location.file } : { KELISIM_DATABASE_URL: location.url };
}

/** A fresh migrated database of the test's own, with its store, on `engine` (default testEngine()). */
export async function createTestStore(engine: TestEngine = testEngine()): Promise<TestStore> {
  if (engine === 'sqlite') {
    const t = createTestDb();
    const store = createSqliteStore(t.db);
    return {
      engine, store, db: t.db, location: { file: t.file },
      cleanup: async () => { await store.close(); t.cleanup(); },
    };
  }
  const pgdb = await createTestPgDb({ migrated: true });
  const db = await openPg(pgdb.url, { migrateSchema: false });
  const store = createPgStore(db.$client);
  return {
    engine, store, location: { url: pgdb.url },
    cleanup: async () => { await store.close(); await pgdb.drop(); },
  };
}
