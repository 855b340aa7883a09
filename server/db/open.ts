// Opening the database: one place that sets the SQLite pragmas and applies migrations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The database or a transaction on it: what query functions take, so they compose inside one transaction. */
export type Queryable = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating the folder and file if needed) the SQLite database at `file`, sets the pragmas
 * and, unless `migrateSchema` is false, applies pending migrations.
 *
 * Durability: WAL with synchronous=FULL makes every COMMIT fsync the write-ahead log before it
 * returns. The server answers 2xx only after the transaction has committed, so an acknowledged
 * response is on disk even if the process is killed with SIGKILL (or the machine loses power)
 * the next instant. WAL's default synchronous=NORMAL would only fsync at checkpoints: safe
 * against a process crash but not against power loss, and the issue asks for the stronger
 * guarantee. The cost is one fsync per commit, which blocks the event loop (better-sqlite3 is
 * synchronous); the group commit in write-queue.ts shares it among the writes of one turn.
 * KELISIM_DB_SYNC=normal trades the power-loss guarantee for throughput (see config.ts).
 */
export function openDb(file: string, options: { migrateSchema?: boolean; synchronous?: 'full' | 'normal' } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  sqlite.pragma('foreign_keys = ON');
  // Another process (the `kelisim` CLI creating invitations) may hold the write lock briefly.
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle({ client: sqlite, schema }) as Db;
  if (options.migrateSchema !== false) migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return db;
}
