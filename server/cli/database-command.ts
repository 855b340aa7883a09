// What the commands that work on the server's database share: an existing database file opened
// with the server's configuration, and one way to fail — a line on stderr naming what was wrong,
// exit code 2, never a stack trace.
import fs from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config';
import { openDb, type Db } from '../db/open';
import { redactUrl } from '../db/pg-url';
import type { Store } from '../db/store';
import { createSqliteStore } from '../db/store-sqlite';

/** A mistake by the person at the command line: reported as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Runs a command's body and returns its exit code: 0, or 2 with `kelisim <command>: <message>` for
 * a UsageError or a bad setting. Anything else is a fault and goes to the command line's handler.
 */
export async function runCommand(command: string, body: () => void | Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`kelisim ${command}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Calls `fn` with the configured database (which must exist), closing it afterwards. */
export function withDatabase<T>(config: Config, fn: (db: Db) => T): T {
  if (!fs.existsSync(config.dbFile)) {
    throw new UsageError(`no database at ${config.dbFile}; start the server once (npm start) or set KELISIM_DB`);
  }
  const db = openDb(config.dbFile);
  try {
    return fn(db);
  } finally {
    db.$client.close();
  }
}

/**
/**
 * The store of the configured database (decision 027): PostgreSQL when KELISIM_DATABASE_URL is
 * set (migrations applied, as the server does at start), else the SQLite file KELISIM_DB (which
 * must exist), with its drizzle connection `db` for the code that has not moved to the store yet.
 * `close()` when done.
 */
export async function openStoreFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<{ store: Store; db?: Db; close(): Promise<void> }> {
  const config = loadConfig(env);
  if (config.databaseUrl !== undefined) {
    // The driver is loaded only for PostgreSQL.
    const [{ openPg }, { createPgStore }] = await Promise.all([import('../db/open-pg'), import('../db/store-pg')]);
    let pgdb;
    try {
      pgdb = await openPg(config.databaseUrl);
    } catch (err) {
      throw new UsageError(`cannot open the PostgreSQL database ${redactUrl(config.databaseUrl)} (KELISIM_DATABASE_URL): ${(err as Error).message}`);
    }
    const store = createPgStore(pgdb.$client);
    return { store, close: () => store.close() };
  }
  if (!fs.existsSync(config.dbFile)) {
    throw new UsageError(`no database at ${config.dbFile}; start the server once (npm start) or set KELISIM_DB`);
  }
  // synchronous=FULL: each COMMIT fsyncs, so a write is durable when it settles.
  const db = openDb(config.dbFile);
  const store = createSqliteStore(db);
  return { store, db, close: () => store.close() };
}

/** Calls `fn` with the configured store ({@link openStoreFromEnv}), closing it when fn has finished. */
export async function withStoreFromEnv<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const opened = await openStoreFromEnv();
  try {
    return await fn(opened.store);
  } finally {
    await opened.close();
  }
}
