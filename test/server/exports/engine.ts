// The database an export test reads, on the engine of the test run (KELISIM_TEST_DB, decision 027):
// the SQLite fixture file itself, or — on PostgreSQL — a copy of it made by `kelisim db copy`'s
// copySqliteToPg into a fresh database of the run's throw-away cluster. The fixtures are built in
// SQLite (their answers, scores and runs through the SQLite code), so both engines export exactly
// the same rows.
import pg from 'pg';
import { copySqliteToPg } from '../../../server/db/copy-pg';
import { openDb } from '../../../server/db/open';
import type { ExportDatabase } from '../../../server/exports/snapshot';
import { testEngine } from '../../helpers/store';
import { createTestPgDb } from '../../helpers/pg';

export interface ExportEngine {
  engine: 'sqlite' | 'postgres';
  db: ExportDatabase;
  /** What a `kelisim` process is pointed at (KELISIM_DB or KELISIM_DATABASE_URL). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The fixture `file` on this run's engine; close() when done (drops the PostgreSQL copy). */
export async function exportEngine(file: string): Promise<ExportEngine> {
  if (testEngine() === 'sqlite') {
    const db = openDb(file, { migrateSchema: false });
    return { engine: 'sqlite', db, env: { KELISIM_DB: file }, close: async () => { db.$client.close(); } };
  }
  const target = await createTestPgDb();
  await copySqliteToPg(file, target.url);
  const pool = new pg.Pool({ connectionString: target.url, max: 2 });
  return {
    engine: 'postgres', db: { pool, url: target.url }, env: { KELISIM_DATABASE_URL: target.url, KELISIM_DB: `${file}.not-read` },
    close: async () => { await pool.end(); await target.drop(); },
  };
}
