// The shape of the two dialects' schemas in one comparable form (docs/decisions/026): what
// test/server/db/schema-parity.test.ts compares between server/db/schema.ts and schema-pg.ts, and
// what `kelisim db copy` reads to move rows (column classes, primary keys, foreign-key order).
import { is, SQL } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';

/** How a column's value travels: the same JS type on both sides. */
export type ColumnClass = 'integer' | 'boolean' | 'real' | 'text' | 'json' | 'blob';

/** drizzle's column types, by the class they belong to (anything else is not expected here). */
const CLASS_OF: Record<string, ColumnClass> = {
  SQLiteInteger: 'integer', PgInteger: 'integer', PgBigInt53: 'integer',
  SQLiteBoolean: 'boolean', PgBoolean: 'boolean',
  SQLiteReal: 'real', PgDoublePrecision: 'real',
  SQLiteText: 'text', PgText: 'text',
  SQLiteTextJson: 'json', PgJson: 'json',
  // Bytes: SQLite's blob in mode 'buffer', PostgreSQL's bytea (a custom type in schema-pg.ts, checked by its SQL type below).
  SQLiteBlobBuffer: 'blob',
};

export interface ColumnShape {
  name: string;
  /** The class, or `unmapped:<drizzle type>` for a type this mapping does not know (never equal across dialects). */
  class: ColumnClass | `unmapped:${string}`;
  notNull: boolean;
  /** The default: a literal, 'sql' for an SQL expression (dialect-specific text), or null for none. */
  default: string | number | boolean | 'sql' | null;
  /** An id the database numbers itself (SQLite AUTOINCREMENT, PostgreSQL identity). */
  generated: boolean;
  enumValues: string[] | null;
  /** The dialect's own type ('integer', 'bigint', 'double precision', 'json', …): not compared across dialects. */
  sqlType: string;
}

export interface TableShape {
  name: string;
  columns: ColumnShape[];
  primaryKey: string[];
  /** Unique constraints and unique column flags: `name(col,col)`, sorted. */
  uniques: string[];
  /** `name(col,col)` with `unique ` in front for unique indexes, sorted. */
  indexes: string[];
  /** `col,col -> table(col,col)`, sorted. */
  foreignKeys: string[];
}

interface AnyColumn { name: string; columnType: string; notNull: boolean; hasDefault: boolean; default: unknown; primary: boolean; isUnique: boolean; uniqueName?: string; enumValues?: string[]; autoIncrement?: boolean; generatedIdentity?: unknown; getSQLType(): string }

function columnShape(c: AnyColumn): ColumnShape {
  const cls = (c.columnType === 'PgCustomColumn' && c.getSQLType() === 'bytea' ? 'blob' : CLASS_OF[c.columnType]) ?? `unmapped:${c.columnType}` as const;
  let dflt: ColumnShape['default'] = null;
  // (SQLite marks an INTEGER PRIMARY KEY as having a default with no value: the rowid.)
  if (c.hasDefault && !c.generatedIdentity && c.default !== undefined) dflt = is(c.default, SQL) ? 'sql' : (c.default as string | number | boolean);
  const enumValues = c.enumValues && c.enumValues.length > 0 ? [...c.enumValues] : null;
  return { name: c.name, class: cls, notNull: c.notNull, default: dflt, generated: Boolean(c.autoIncrement || c.generatedIdentity), enumValues, sqlType: c.getSQLType() };
}

interface AnyConfig {
  name: string;
  columns: AnyColumn[];
  indexes: { config: { name: string; unique: boolean; columns: unknown[] } }[];
  foreignKeys: { reference(): { columns: { name: string }[]; foreignTable: unknown; foreignColumns: { name: string }[] } }[];
  primaryKeys: { columns: { name: string }[] }[];
  uniqueConstraints: { name?: string; columns: { name: string }[] }[];
}

function tableShape(config: AnyConfig, tableName: (t: unknown) => string): TableShape {
  const columns = config.columns.map(columnShape);
  const single = config.columns.filter((c) => c.primary).map((c) => c.name);
  const composite = config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name));
  const uniques = [
    ...config.columns.filter((c) => c.isUnique).map((c) => `${c.uniqueName ?? '?'}(${c.name})`),
    ...config.uniqueConstraints.map((u) => `${u.name ?? '?'}(${u.columns.map((c) => c.name).join(',')})`),
  ].sort();
  const indexes = config.indexes.map((i) => {
    const cols = i.config.columns.map((c) => (c as { name?: string }).name ?? '<expression>');
    return `${i.config.unique ? 'unique ' : ''}${i.config.name}(${cols.join(',')})`;
  }).sort();
  const foreignKeys = config.foreignKeys.map((fk) => {
    const r = fk.reference();
    return `${r.columns.map((c) => c.name).join(',')} -> ${tableName(r.foreignTable)}(${r.foreignColumns.map((c) => c.name).join(',')})`;
  }).sort();
  return { name: config.name, columns, primaryKey: single.length > 0 ? single : composite, uniques, indexes, foreignKeys };
}

/** Every SQLite table exported by `mod` (a schema module), by table name. */
export function sqliteShapes(mod: Record<string, unknown>): Map<string, TableShape> {
  const out = new Map<string, TableShape>();
  for (const value of Object.values(mod)) {
    if (!is(value, SQLiteTable)) continue;
    const config = sqliteTableConfig(value) as unknown as AnyConfig;
    out.set(config.name, tableShape(config, (t) => sqliteTableConfig(t as SQLiteTable).name));
  }
  return out;
}

/** Every PostgreSQL table exported by `mod` (a schema module), by table name. */
export function pgShapes(mod: Record<string, unknown>): Map<string, TableShape> {
  const out = new Map<string, TableShape>();
  for (const value of Object.values(mod)) {
    if (!is(value, PgTable)) continue;
    const config = pgTableConfig(value) as unknown as AnyConfig;
    out.set(config.name, tableShape(config, (t) => pgTableConfig(t as PgTable).name));
  }
  return out;
}

/** Every difference between two sets of table shapes, one line each (empty when they agree). */
export function shapeDifferences(a: Map<string, TableShape>, b: Map<string, TableShape>, names: [string, string] = ['SQLite', 'PostgreSQL']): string[] {
  const out: string[] = [];
  for (const t of a.keys()) if (!b.has(t)) out.push(`table ${t}: in ${names[0]} only`);
  for (const t of b.keys()) if (!a.has(t)) out.push(`table ${t}: in ${names[1]} only`);
  for (const [t, x] of a) {
    const y = b.get(t);
    if (!y) continue;
    const yc = new Map(y.columns.map((c) => [c.name, c]));
    for (const c of x.columns) {
      const d = yc.get(c.name);
      if (!d) { out.push(`${t}.${c.name}: in ${names[0]} only`); continue; }
      for (const key of ['class', 'notNull', 'default', 'generated', 'enumValues'] as const) {
        if (JSON.stringify(c[key]) !== JSON.stringify(d[key])) out.push(`${t}.${c.name}: ${key} ${JSON.stringify(c[key])} in ${names[0]}, ${JSON.stringify(d[key])} in ${names[1]}`);
      }
    }
    for (const c of y.columns) if (!x.columns.some((e) => e.name === c.name)) out.push(`${t}.${c.name}: in ${names[1]} only`);
    for (const key of ['primaryKey', 'uniques', 'indexes', 'foreignKeys'] as const) {
      if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) out.push(`${t}: ${key} ${JSON.stringify(x[key])} in ${names[0]}, ${JSON.stringify(y[key])} in ${names[1]}`);
    }
  }
  return out;
}

/**
 * The tables in an order where every table comes after the tables its foreign keys point at (then
 * by name): the order to insert them in.
 */
export function foreignKeyOrder(shapes: Map<string, TableShape>): TableShape[] {
  const done = new Set<string>();
  const out: TableShape[] = [];
  const visit = (name: string, path: string[]) => {
    if (done.has(name)) return;
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' -> ')}`);
    const t = shapes.get(name);
    if (!t) throw new Error(`a foreign key points at table ${name}, which is not in the schema`);
    for (const fk of t.foreignKeys) {
      const target = /-> ([^(]+)\(/.exec(fk)![1]!;
      if (target !== name) visit(target, [...path, name]);
    }
    done.add(name);
    out.push(t);
  };
  for (const name of [...shapes.keys()].sort()) visit(name, []);
  return out;
}
