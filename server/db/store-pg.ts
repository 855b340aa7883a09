// The PostgreSQL driver of the executor and the PostgreSQL store (decision 027), over a `pg` pool
// from server/db/open-pg.ts (every connection with synchronous_commit = on).
//
// A write is one transaction on a pooled connection, answered after COMMIT returns (durable: the
// WAL is flushed before COMMIT returns under synchronous_commit = on). A write that fails on a
// unique violation, a serialization failure or a deadlock is run once more from the start: an
// idempotent job (a completion retried on another server at the same moment) then finds what the
// other transaction stored and answers with it, so a retry never duplicates.
import { is, Placeholder, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Changes, Prepared, Sql, Statement } from './sql';
import type { Store } from './store';

const pgDialect = new PgDialect();

/** Renders `query` as PostgreSQL SQL text ($1, $2, …) and its parameters. */
export function renderPostgres(query: SQL): { sql: string; params: unknown[] } {
  return pgDialect.sqlToQuery(query);
}

type Compiled = { text: string; names: (string | undefined)[]; params: unknown[] };
const compiledStatements = new WeakMap<Statement<never>, Compiled>();

function compile(statement: Statement<never>): Compiled {
  let c = compiledStatements.get(statement);
  if (!c) {
    const q = renderPostgres(statement.query);
    c = { text: q.sql, params: q.params, names: q.params.map((p) => (is(p, Placeholder) ? p.name : undefined)) };
    compiledStatements.set(statement, c);
  }
  return c;
}

function fill(c: Compiled, values: Record<string, unknown>): unknown[] {
  return c.names.map((name, i) => {
    if (name === undefined) return c.params[i];
    if (!(name in values)) throw new Error(`no value given for the statement's parameter "${name}"`);
    return values[name];
  });
}

/**
 * Values as the SQLite driver gives them: a 64-bit integer (count(*), a bigint column) as a
 * number, not pg's default string; one beyond 2^53 cannot be one exactly and is refused.
 */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8) {
      return (text: string) => {
        const n = Number(text);
        if (!Number.isSafeInteger(n)) throw new RangeError(`the integer ${text} from PostgreSQL is beyond 2^53 and cannot be read exactly`);
        return n;
      };
    }
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** The executor over a pool (each statement on any connection) or one connection (a transaction). */
export function pgSql(client: pg.Pool | pg.PoolClient): Sql {
  const query = async <T>(text: string, values: unknown[], name?: string) =>
    client.query<T & pg.QueryResultRow>(name === undefined ? { text, values, types: PG_TYPES } : { name, text, values, types: PG_TYPES });
  const changes = (r: pg.QueryResult): Changes => ({ changes: r.rowCount ?? 0 });
  return {
    dialect: 'postgres',
    async all<T>(q: SQL) {
      const r = renderPostgres(q);
      return (await query<T>(r.sql, r.params)).rows as T[];
    },
    async get<T>(q: SQL) {
      const r = renderPostgres(q);
      return (await query<T>(r.sql, r.params)).rows[0] as T | undefined;
    },
    async run(q: SQL) {
      const r = renderPostgres(q);
      return changes(await query(r.sql, r.params));
    },
    prepared<P extends Record<string, unknown>, T>(statement: Statement<P>): Prepared<P, T> {
      const c = compile(statement as Statement<never>);
      const exec = (params: P) => query<T>(c.text, fill(c, params), statement.name);
      return {
        all: async (params) => (await exec(params)).rows as T[],
        get: async (params) => (await exec(params)).rows[0] as T | undefined,
        run: async (params) => changes(await exec(params)),
      };
    },
  };
}

/** SQLSTATEs after which a write is run once more: unique_violation, serialization_failure, deadlock_detected. */
const RETRIED = new Set(['23505', '40001', '40P01']);

export function createPgStore(pool: pg.Pool): Store {
  return {
    dialect: 'postgres',
    sql: pgSql(pool),
    driver: { dialect: 'postgres', pool },
    async write<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const value = await fn(pgSql(client));
          await client.query('COMMIT');
          return value;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          const code = (err as { code?: unknown }).code;
          if (attempt === 1 && typeof code === 'string' && RETRIED.has(code)) continue;
          throw err;
        } finally {
          client.release();
        }
      }
    },
    close: () => pool.end(),
  };
}
