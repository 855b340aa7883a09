// pg-respondent: synchronous SQLite-only twins of queries.ts's reads and writes, for the code that
// has not moved to the store yet (decision 027, step 2) and calls them inside its synchronous
// transactions (the import of interviews, the demo). The same statements, run on the connection
// directly; this file goes when its last caller moves.
import { is, Placeholder } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../db/open';
import type { ResponseRow } from '../db/schema';
import { renderSqlite, type Statement } from '../db/sql';
import { SYNC_STATEMENTS, type InsertedResponse } from './queries';

export { NO_DERIVED_COLUMNS, type CompletedColumns, type DerivedColumns, type InsertedResponse } from './queries';

type Compiled = { stmt: Database.Statement; names: (string | undefined)[]; params: unknown[] };
const compiled = new WeakMap<Database.Database, Map<Statement<never>, Compiled>>();

function bind(db: Db, statement: Statement<never>, values: Record<string, unknown>): { stmt: Database.Statement; bound: unknown[] } {
  let byStatement = compiled.get(db.$client);
  if (!byStatement) compiled.set(db.$client, (byStatement = new Map()));
  let c = byStatement.get(statement);
  if (!c) {
    const r = renderSqlite(statement.query);
    c = { stmt: db.$client.prepare(r.sql), params: r.params, names: r.params.map((p) => (is(p, Placeholder) ? p.name : undefined)) };
    byStatement.set(statement, c);
  }
  const bound = c.names.map((name, i) => (name === undefined ? c.params[i] : values[name]));
  return { stmt: c.stmt, bound };
}

export function findResponse(db: Db, id: string): ResponseRow | undefined {
  const s = bind(db, SYNC_STATEMENTS.byId as Statement<never>, { id });
  const row = s.stmt.get(...s.bound) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  for (const k of SYNC_STATEMENTS.JSON_KEYS) if (typeof row[k] === 'string') row[k] = JSON.parse(row[k]);
  return row as unknown as ResponseRow;
}

/** Inserts a new response; every column must be given (null where empty). */
export function insertResponse(db: Db, row: InsertedResponse): void {
  const s = bind(db, SYNC_STATEMENTS.insert as Statement<never>, SYNC_STATEMENTS.toParams({ ...row }));
  s.stmt.run(...s.bound);
}
