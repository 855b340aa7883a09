// The one way services reach the database once they move to PostgreSQL too (decision 027): an
// async executor of drizzle `sql` templates, with a driver per engine.
//
// A query is written once, in the SQL both engines speak, naming tables and columns through
// server/db/schema.ts; drizzle renders identifiers and placeholders for the engine in use (`?` for
// SQLite, `$1` for PostgreSQL). Rows come back as plain objects keyed by the names or aliases the
// query gives (`AS "camelCase"`), with no mapping: times are ISO-8601 text and JSON is text in both
// engines, booleans are 0/1 integers. A statement on a hot path is declared once with named
// placeholders (`statement`) and prepared once per connection by the driver.
import { is, Placeholder, sql as drizzleSql, type Column, type SQL, type SQLWrapper } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type Database from 'better-sqlite3';

export type Dialect = 'sqlite' | 'postgres';

/** What a statement that writes reports: how many rows it changed. */
export interface Changes { changes: number }

/** A statement declared once (name, SQL with named placeholders), executed many times. */
export interface Statement<P extends Record<string, unknown>> {
  /** Unique among statements: PostgreSQL's name for the prepared statement. */
  readonly name: string;
  readonly query: SQL;
  /** Type only: the parameters' shape. */
  readonly params?: P;
}

const statementNames = new Set<string>();

/**
 * A column's bare name, for the places SQL wants no table before it: the column list of an
 * INSERT and the left side of an UPDATE's SET (`${col}` in a template renders `"table"."col"`).
 */
export function bare(column: Column): SQLWrapper {
  return drizzleSql.identifier(column.name);
}

/**
 * Declares a prepared statement: `build` gets one placeholder per parameter name.
 * @example statement<{ id: string }>('responses.byId', (p) => sql`SELECT … WHERE ${responses.id} = ${p.id}`)
 */
export function statement<P extends Record<string, unknown>>(name: string, build: (p: { [K in keyof P]: Placeholder }) => SQL): Statement<P> {
  if (statementNames.has(name)) throw new Error(`two statements are named ${name}: statement names must be unique`);
  statementNames.add(name);
  const placeholders = new Proxy({}, { get: (_t, key) => drizzleSql.placeholder(String(key)) }) as { [K in keyof P]: Placeholder };
  return { name, query: build(placeholders) };
}

/** A prepared statement bound to one executor. */
export interface Prepared<P, T> {
  all(params: P): Promise<T[]>;
  get(params: P): Promise<T | undefined>;
  run(params: P): Promise<Changes>;
}

/** The executor a service gets: the database, or the transaction it runs in. */
export interface Sql {
  readonly dialect: Dialect;
  all<T>(query: SQL): Promise<T[]>;
  get<T>(query: SQL): Promise<T | undefined>;
  run(query: SQL): Promise<Changes>;
  prepared<P extends Record<string, unknown>, T = Record<string, unknown>>(statement: Statement<P>): Prepared<P, T>;
}

const sqliteDialect = new SQLiteSyncDialect();

/**
 * The parameters of a rendered statement, filled from named values: which position takes which
 * name is worked out once (drizzle's `fillPlaceholders` does it on every call, a measurable share
 * of a short write).
 */
function placeholderFiller(params: unknown[]): (values: Record<string, unknown>) => unknown[] {
  const names = params.map((p) => (is(p, Placeholder) ? p.name : undefined));
  return (values) => names.map((name, i) => {
    if (name === undefined) return params[i];
    if (!(name in values)) throw new Error(`no value given for the statement's parameter "${name}"`);
    return values[name];
  });
}

/** Renders `query` as SQLite SQL text and its parameters (for tools and tests). */
export function renderSqlite(query: SQL): { sql: string; params: unknown[] } {
  return sqliteDialect.sqlToQuery(query);
}

/**
 * The SQLite driver over one better-sqlite3 connection. better-sqlite3 is synchronous: every
 * promise this returns is already settled, so a caller's `await` resumes within the same
 * microtask checkpoint (what lets the write queue keep one transaction per batch; store-sqlite.ts).
 * Statements, rendered or declared, are prepared once per connection and kept.
 */
export function sqliteSql(connection: Database.Database): Sql {
  const byText = new Map<string, Database.Statement>();
  const byStatement = new WeakMap<Statement<never>, { stmt: Database.Statement; fill: (values: Record<string, unknown>) => unknown[] }>();
  const prepare = (text: string) => {
    let stmt = byText.get(text);
    if (!stmt) {
      stmt = connection.prepare(text);
      byText.set(text, stmt);
    }
    return stmt;
  };
  const settle = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err);
    }
  };
  const changes = (r: Database.RunResult): Changes => ({ changes: r.changes });
  const readsRows = (stmt: Database.Statement) => stmt.reader;
  return {
    dialect: 'sqlite',
    all<T>(query: SQL) {
      return settle(() => {
        const q = renderSqlite(query);
        return prepare(q.sql).all(...q.params) as T[];
      });
    },
    get<T>(query: SQL) {
      return settle(() => {
        const q = renderSqlite(query);
        return prepare(q.sql).get(...q.params) as T | undefined;
      });
    },
    run(query: SQL) {
      return settle(() => {
        const q = renderSqlite(query);
        const stmt = prepare(q.sql);
        // A statement with RETURNING reads rows; run() refuses it, so step through them.
        if (readsRows(stmt)) return { changes: stmt.all(...q.params).length };
        return changes(stmt.run(...q.params));
      });
    },
    prepared<P extends Record<string, unknown>, T>(statement: Statement<P>): Prepared<P, T> {
      const compiled = () => {
        let c = byStatement.get(statement as Statement<never>);
        if (!c) {
          const q = renderSqlite(statement.query);
          c = { stmt: connection.prepare(q.sql), fill: placeholderFiller(q.params) };
          byStatement.set(statement as Statement<never>, c);
        }
        return c;
      };
      const bind = (params: P) => {
        const c = compiled();
        return { stmt: c.stmt, values: c.fill(params) };
      };
      return {
        all: (params) => settle(() => { const b = bind(params); return b.stmt.all(...b.values) as T[]; }),
        get: (params) => settle(() => { const b = bind(params); return b.stmt.get(...b.values) as T | undefined; }),
        run: (params) => settle(() => {
          const b = bind(params);
          return readsRows(b.stmt) ? { changes: b.stmt.all(...b.values).length } : changes(b.stmt.run(...b.values));
        }),
      };
    },
  };
}
