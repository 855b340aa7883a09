// Opening a PostgreSQL database (issue 11, docs/decisions/026): the `pg` driver's pool under
// drizzle, every connection with synchronous_commit = on, the migrations of server/db/migrations-pg
// applied at start. The services do not use it yet (they are synchronous over SQLite); `kelisim db
// copy` and the tests do, and the store seam will.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgDialect, type PgSession } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema-pg';

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/** What applying migrations needs: a PostgreSQL database or a transaction on it (drizzle's, any schema). */
export interface PgQueryable {
  execute(query: SQL): Promise<{ rows: Record<string, unknown>[] }>;
  transaction<T>(fn: (tx: PgQueryable) => Promise<T>): Promise<T>;
}

export const PG_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations-pg');

/** Where drizzle records the applied migrations (its defaults, spelled out for the copy's checks). */
export const PG_MIGRATIONS_SCHEMA = 'drizzle';
export const PG_MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * Key of the transaction-level advisory lock held while migrations are applied: several app
 * servers starting at once on one database apply them one after the other, never twice.
 */
const MIGRATION_LOCK = 0x6b656c69; // 'keli'

export { isPostgresUrl, redactUrl } from './pg-url';

/**
 * A pool on `url` whose every connection runs with synchronous_commit = on, whatever the server's
 * or the role's default: a COMMIT returns only once its WAL is flushed to disk (and, with
 * synchronous replicas configured, confirmed by them), so an answer acknowledged after it survives
 * a crash of the database server (issue 11, "Durability"). The setting travels in the connection's
 * startup packet (`options=-c synchronous_commit=on`, added to any `options` the URL has), so it
 * holds before the first query. (A pooler in front, such as PgBouncer, must pass `options` through
 * or ignore it with the role set `ALTER ROLE … SET synchronous_commit = on`.)
 */
export function createPgPool(url: string, options: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: withSynchronousCommit(url), max: options.max ?? 10 });
  // An idle client whose connection dies must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** `url` with `-c synchronous_commit=on` added to its `options` parameter. */
export function withSynchronousCommit(url: string): string {
  const u = new URL(url);
  const given = u.searchParams.get('options');
  u.searchParams.set('options', `${given ? `${given} ` : ''}-c synchronous_commit=on`);
  return u.toString();
}

/**
 * Applies the pending migrations of `migrationsFolder` inside the transaction `tx`, under an
 * advisory lock. Inside the caller's transaction, so a caller that fails later (the copy) leaves
 * no schema behind either: PostgreSQL's DDL is transactional. drizzle's own pg migrator opens a
 * transaction of its own, so its dialect's step is given this transaction (and savepoints for the
 * transaction it asks for). Returns how many migrations were applied.
 */
export async function applyPgMigrations(tx: PgQueryable, migrationsFolder: string = PG_MIGRATIONS_DIR): Promise<number> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
  const migrations = readMigrationFiles({ migrationsFolder });
  const countApplied = async () => {
    const exists = await tx.execute(sql`SELECT to_regclass(${`${PG_MIGRATIONS_SCHEMA}.${PG_MIGRATIONS_TABLE}`}) IS NOT NULL AS present`);
    if (!exists.rows[0]?.present) return 0;
    const r = await tx.execute(sql`SELECT count(*)::int AS n FROM ${sql.identifier(PG_MIGRATIONS_SCHEMA)}.${sql.identifier(PG_MIGRATIONS_TABLE)}`);
    return Number(r.rows[0]!.n);
  };
  const before = await countApplied();
  const session = {
    execute: (query: SQL) => tx.execute(query),
    all: async (query: SQL) => (await tx.execute(query)).rows,
    transaction: <T>(fn: (inner: PgQueryable) => Promise<T>) => tx.transaction(fn),
  };
  await new PgDialect().migrate(migrations, session as unknown as PgSession, { migrationsFolder, migrationsSchema: PG_MIGRATIONS_SCHEMA, migrationsTable: PG_MIGRATIONS_TABLE });
  return (await countApplied()) - before;
}

/**
 * Opens the PostgreSQL database at `url` (postgres://user:password@host:port/database) and, unless
 * `migrateSchema` is false, applies the pending migrations in one transaction. The database must
 * exist; a connection failure throws the driver's error (the caller names the URL).
 */
export async function openPg(url: string, options: { migrateSchema?: boolean; max?: number } = {}): Promise<PgDb> {
  const pool = createPgPool(url, options);
  const db = drizzle({ client: pool, schema }) as PgDb;
  try {
    if (options.migrateSchema !== false) await db.transaction((tx) => applyPgMigrations(tx));
  } catch (err) {
    await pool.end();
    throw err;
  }
  return db;
}
