// Whole rows of a table through the store's executor (decision 027): the column list of a SELECT
// or RETURNING, aliased to the row type's keys, and the JSON columns parsed. The names come from
// the drizzle table (server/db/schema.ts), the one place they are declared.
//
// JSON columns are text in SQLite and `json` in PostgreSQL, whose driver parses them already: a
// value is parsed here only when it arrives as text. They are written as JSON text (`jsonText`).
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

export interface RowShape<T> {
  /** `"table"."col" AS "key", …` for every column of the table. */
  readonly columns: SQL;
  /** The same without the table name (`"col" AS "key"`), for RETURNING. */
  readonly returning: SQL;
  /** Parses the JSON columns of a row as read (in place) and types it. */
  read(row: Record<string, unknown>): T;
  readOptional(row: Record<string, unknown> | undefined): T | undefined;
}

export function rowShape<T>(table: SQLiteTable): RowShape<T> {
  const cols = Object.entries(getTableColumns(table));
  const jsonKeys = cols.filter(([, c]) => c.columnType === 'SQLiteTextJson').map(([k]) => k);
  const columns = sql.join(cols.map(([k, c]) => sql`${c} AS ${sql.identifier(k)}`), sql`, `);
  const returning = sql.join(cols.map(([k, c]) => sql`${sql.identifier(c.name)} AS ${sql.identifier(k)}`), sql`, `);
  const read = (row: Record<string, unknown>): T => {
    for (const k of jsonKeys) if (typeof row[k] === 'string') row[k] = JSON.parse(row[k]);
    return row as T;
  };
  return { columns, returning, read, readOptional: (row) => (row === undefined ? undefined : read(row)) };
}

/** A JSON column's value as the text to store (what drizzle's `mode: 'json'` writes). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value);
}
