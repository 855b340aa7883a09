// `kelisim db copy --from data/kelisim.db --to postgres://…` (issue 11, docs/decisions/026): moves a
// deployment's SQLite database into an empty PostgreSQL database, and proves the copy.
//
// Guarantees:
// - The source is a Kelisim database, undamaged, with every migration of this version applied
//   (server/db/backup.ts checkBackup), not in use by a server (its lock, server/db/lock.ts), and read
//   in one read transaction: one consistent snapshot.
// - The target is empty: no table with a row, no table that is not Kelisim's, no migration this
//   version does not know. An empty database, or one openPg has migrated and nothing has written
//   to, is taken.
// - Everything happens in ONE transaction on the target: the migrations (PostgreSQL's DDL is
//   transactional), every table in foreign-key order in batches, the identity sequences set past
//   the highest id SQLite ever gave (sqlite_sequence), and the verification. Any failure rolls it
//   all back: the target is left as it was. The COMMIT runs with synchronous_commit = on.
// - Verification, before the COMMIT: per table the row count and a SHA-256 over the canonical rows
//   ordered by primary key (encoded as hashRow says) — the same function over the values as read from each side (SQLite while
//   copying, PostgreSQL read back through a cursor, text keys in byte order, COLLATE "C", as SQLite
//   orders them). JSON columns are compared as their exact text (PostgreSQL's json type keeps it).
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { DomainError } from '../errors';
import { BackupError, checkBackup } from './backup';
import { claimDatabase, DatabaseLockError } from './lock';
import { applyPgMigrations, PG_MIGRATIONS_DIR, PG_MIGRATIONS_SCHEMA, PG_MIGRATIONS_TABLE, redactUrl, withSynchronousCommit } from './open-pg';
import * as pgSchema from './schema-pg';
import { foreignKeyOrder, pgShapes, type ColumnShape, type TableShape } from './schema-shape';

export interface CopiedTable {
  name: string;
  rows: number;
  /** SHA-256 (hex) of the canonical rows, equal on both sides. */
  hash: string;
  ms: number;
}

export interface CopyReport {
  tables: CopiedTable[];
  rows: number;
  /** PostgreSQL migrations applied to the target by the copy. */
  migrationsApplied: number;
  /** SQLite migrations of the source (all of this version's). */
  sourceMigrations: number;
  ms: number;
}

export interface CopyOptions {
  /** Rows per INSERT (default 250: measured faster than 2,000, the driver and the server handle smaller arrays better). */
  batchRows?: number;
  /** Called after each table, for progress. */
  onTable?: (t: CopiedTable) => void;
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The canonical form of one value of class `cls`, as read from SQLite; throws a DomainError for a value PostgreSQL's column cannot hold as it is. */
function fromSqlite(table: string, col: ColumnShape, value: unknown, rowKey: () => string): unknown {
  if (value === null) return null;
  const bad = (what: string) => new DomainError('bad_data', 'copy_row_refused',
    `${table}.${col.name} of the row ${rowKey()} holds ${JSON.stringify(value)?.slice(0, 80)}, which is not ${what}; SQLite stored it as given, PostgreSQL's column cannot: correct the row in the SQLite database and copy again`);
  switch (col.class) {
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'bigint') throw bad('a whole number JavaScript holds exactly');
      throw bad('a whole number');
    case 'boolean':
      if (value === 0 || value === 1) return value === 1;
      throw bad('a boolean (0 or 1)');
    case 'real':
      if (typeof value === 'number') return value;
      throw bad('a number');
    case 'text':
      if (typeof value !== 'string') throw bad('text');
      if (value.includes('\u0000')) throw bad('text without the character U+0000 (PostgreSQL text cannot hold it)');
      return value;
    case 'json':
      if (typeof value !== 'string') throw bad('JSON text');
      return value;
    case 'blob':
      if (!Buffer.isBuffer(value)) throw bad('bytes (a BLOB)');
      return value;
    default:
      throw bad(`of a known column class (${col.class})`);
  }
}

/** The canonical form of one value as the pg driver returns it (json columns are selected as text). */
function fromPg(col: ColumnShape, value: unknown): unknown {
  if (value === null) return null;
  // int8 arrives as a string (the driver does not assume it fits a double); ours are safe integers.
  if (col.class === 'integer' && typeof value === 'string') return Number(value);
  return value;
}

/**
 * Feeds one canonical row to `hash`, unambiguously: null `n`, booleans `t`/`f`, numbers `d<JS
 * number text>;` (the shortest text that reads back as the same double), strings `s<length>:<text>`
 * (no escaping: JSON documents are long), bytes `b<length>:<bytes>`, and a newline per row.
 */
function hashRow(hash: Hash, row: unknown[]): void {
  for (const v of row) {
    if (v === null) hash.update('n');
    else if (typeof v === 'boolean') hash.update(v ? 't' : 'f');
    else if (typeof v === 'number') hash.update(`d${v};`);
    else if (typeof v === 'string') { hash.update(`s${v.length}:`); hash.update(v); }
    else if (Buffer.isBuffer(v)) { hash.update(`b${v.length}:`); hash.update(v); }
    else throw new Error(`cannot hash a value of type ${typeof v}`);
  }
  hash.update('\n');
}

interface Plan {
  shape: TableShape;
  /** PostgreSQL type of each column, in shape order. */
  types: string[];
}

function plans(): Plan[] {
  return foreignKeyOrder(pgShapes(pgSchema)).map((shape) => ({ shape, types: shape.columns.map((c) => c.sqlType) }));
}

/** Copies the SQLite database `from` into the empty PostgreSQL database `to`; see the head of this file. */
export async function copySqliteToPg(from: string, to: string, options: CopyOptions = {}): Promise<CopyReport> {
  const started = performance.now();
  const batchRows = options.batchRows ?? 250;
  if (!fs.existsSync(from)) throw new DomainError('not_found', 'database_not_found', `no database at ${from}; give the SQLite file to copy with --from (the server's is KELISIM_DB, by default data/kelisim.db)`);
  let check;
  try {
    check = checkBackup(from);
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    if (err.code === 'schema_newer') throw new DomainError('conflict', 'schema_not_current', `${err.message}; copy it with that version`);
    throw new DomainError('bad_data', 'not_a_kelisim_database', `refusing to copy: ${err.message}`);
  }
  if (check.applied < check.known) {
    throw new DomainError('conflict', 'schema_not_current', `${from} has ${check.applied} of this version's ${check.known} schema migrations applied; open it once with this version (start the server on it, or run any kelisim command with KELISIM_DB=${from}) so it is migrated, then copy`);
  }
  let lock;
  try {
    lock = claimDatabase(from, 'kelisim db copy');
  } catch (err) {
    if (err instanceof DatabaseLockError) throw new DomainError('conflict', 'database_in_use', `refusing to copy: ${err.message}; stop the server first, so that nothing is written after the copy`);
    throw err;
  }
  const source = new Database(from, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: withSynchronousCommit(to) });
  try {
    try {
      await client.connect();
    } catch (err) {
      throw new DomainError('bad_usage', 'target_unreachable', `cannot connect to ${redactUrl(to)}: ${(err as Error).message}; check the URL (postgres://user:password@host:port/database) and that the database exists`);
    }
    source.exec('BEGIN'); // one snapshot for every table
    const sequences = new Map((source.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]).map((r) => [r.name, r.seq]));
    const db = drizzle({ client });
    const result = await db.transaction(async (tx) => {
      await refuseNonEmpty(client, to);
      const migrationsApplied = await applyPgMigrations(tx);
      const tables: CopiedTable[] = [];
      for (const plan of plans()) {
        const t0 = performance.now();
        const { rows, hash } = await copyTable(source, client, plan, batchRows);
        await resetSequence(client, plan.shape, sequences.get(plan.shape.name) ?? 0);
        const back = await hashTarget(client, plan.shape);
        if (back.rows !== rows || back.hash !== hash) {
          throw new DomainError('bad_data', 'copy_verification_failed', `the copy of table ${plan.shape.name} differs from the source (SQLite: ${rows} rows, hash ${hash.slice(0, 16)}…; PostgreSQL: ${back.rows} rows, hash ${back.hash.slice(0, 16)}…); nothing was kept in the target. Report this as a bug with the table's name`);
        }
        const done = { name: plan.shape.name, rows, hash, ms: performance.now() - t0 };
        tables.push(done);
        options.onTable?.(done);
      }
      return { tables, migrationsApplied };
    });
    source.exec('COMMIT');
    return { ...result, rows: result.tables.reduce((s, t) => s + t.rows, 0), sourceMigrations: check.applied, ms: performance.now() - started };
  } catch (err) {
    if (err instanceof DomainError) throw err;
    const cause = (err as { cause?: unknown }).cause ?? err;
    const pgErr = cause as { message?: string; detail?: string; table?: string; column?: string };
    if (pgErr && typeof pgErr === 'object' && 'severity' in pgErr) {
      throw new DomainError('bad_data', 'copy_row_refused', `PostgreSQL refused the copy${pgErr.table ? ` of table ${pgErr.table}` : ''}: ${pgErr.message}${pgErr.detail ? ` (${pgErr.detail})` : ''}; nothing was kept in the target`);
    }
    throw err;
  } finally {
    source.close();
    await client.end().catch(() => undefined);
    lock.release();
  }
}

/** Throws target_not_empty unless the target has no rows and nothing that is not Kelisim's. */
async function refuseNonEmpty(client: pg.Client, to: string): Promise<void> {
  const ours = new Set(pgShapes(pgSchema).keys());
  const tables = (await client.query<{ schema: string; name: string }>(`
    SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2`)).rows;
  const where = redactUrl(to);
  const foreign = tables.filter((t) => !(t.schema === 'public' && ours.has(t.name)) && !(t.schema === PG_MIGRATIONS_SCHEMA && t.name === PG_MIGRATIONS_TABLE));
  if (foreign.length > 0) {
    const names = foreign.slice(0, 5).map((t) => `${t.schema}.${t.name}`).join(', ');
    throw new DomainError('conflict', 'target_not_empty', `refusing to copy: ${where} is not empty: it has tables that are not Kelisim's (${names}${foreign.length > 5 ? `, and ${foreign.length - 5} more` : ''}); give an empty database (CREATE DATABASE …)`);
  }
  for (const t of tables) {
    if (t.schema === PG_MIGRATIONS_SCHEMA) continue;
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${q(t.name)}`);
    const n = Number(r.rows[0]!.n);
    if (n > 0) throw new DomainError('conflict', 'target_not_empty', `refusing to copy: ${where} is not empty: table ${t.name} has ${n} row${n === 1 ? '' : 's'}; a copy goes only into an empty database, so nothing there is overwritten or mixed`);
  }
  if (tables.some((t) => t.schema === PG_MIGRATIONS_SCHEMA)) {
    const applied = (await client.query<{ hash: string }>(`SELECT hash FROM ${q(PG_MIGRATIONS_SCHEMA)}.${q(PG_MIGRATIONS_TABLE)} ORDER BY created_at, id`)).rows;
    const known = readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR });
    const unknown = applied.findIndex((a, i) => known[i]?.hash !== a.hash);
    if (unknown >= 0) throw new DomainError('conflict', 'target_not_empty', `refusing to copy: ${where} has schema migration ${unknown + 1} that this version of Kelisim does not have; give an empty database`);
  }
}

/** Copies one table in primary-key order, in batches; returns its row count and the hash of its canonical rows. */
async function copyTable(source: Database.Database, client: pg.Client, plan: Plan, batchRows: number): Promise<{ rows: number; hash: string }> {
  const { shape, types } = plan;
  const cols = shape.columns;
  const names = cols.map((c) => q(c.name)).join(', ');
  const order = shape.primaryKey.map(q).join(', ');
  const insert = `INSERT INTO ${q(shape.name)} (${names}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
  const hash = createHash('sha256');
  const pkIndexes = shape.primaryKey.map((k) => cols.findIndex((c) => c.name === k));
  let rows = 0;
  let batch: unknown[][] = cols.map(() => []);
  let inBatch = 0;
  const flush = async () => {
    if (inBatch === 0) return;
    await client.query(insert, batch);
    batch = cols.map(() => []);
    inBatch = 0;
  };
  const stmt = source.prepare(`SELECT ${names} FROM ${q(shape.name)} ORDER BY ${order}`).raw(true);
  for (const raw of stmt.iterate() as IterableIterator<unknown[]>) {
    const rowKey = () => `with ${shape.primaryKey.map((k, i) => `${k} = ${JSON.stringify(raw[pkIndexes[i]!])}`).join(', ')}`;
    const row = cols.map((c, i) => fromSqlite(shape.name, c, raw[i], rowKey));
    hashRow(hash, row);
    for (let i = 0; i < cols.length; i++) batch[i]!.push(row[i]);
    rows++;
    if (++inBatch >= batchRows) await flush();
  }
  await flush();
  return { rows, hash: hash.digest('hex') };
}

/** Sets a table's identity sequence past the highest id in it and the highest SQLite ever gave (AUTOINCREMENT never reuses one). */
async function resetSequence(client: pg.Client, shape: TableShape, sqliteSeq: number): Promise<void> {
  const id = shape.columns.find((c) => c.generated);
  if (!id) return;
  const t = q(shape.name);
  await client.query(
    `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE((SELECT max(${q(id.name)}) FROM ${t}), 0), $3::bigint, 1), GREATEST(COALESCE((SELECT max(${q(id.name)}) FROM ${t}), 0), $3::bigint) > 0)`,
    [t, id.name, sqliteSeq],
  );
}

/** Row count and hash of a table as PostgreSQL holds it, read in the copy's transaction through a cursor. */
async function hashTarget(client: pg.Client, shape: TableShape): Promise<{ rows: number; hash: string }> {
  const cols = shape.columns;
  const select = cols.map((c) => (c.class === 'json' ? `${q(c.name)}::text` : q(c.name))).join(', ');
  const order = shape.primaryKey.map((k) => (cols.find((c) => c.name === k)!.class === 'text' ? `${q(k)} COLLATE "C"` : q(k))).join(', ');
  const hash = createHash('sha256');
  let rows = 0;
  await client.query(`DECLARE kelisim_copy_check NO SCROLL CURSOR FOR SELECT ${select} FROM ${q(shape.name)} ORDER BY ${order}`);
  try {
    for (;;) {
      const r = await client.query({ text: 'FETCH 5000 FROM kelisim_copy_check', rowMode: 'array' });
      if (r.rows.length === 0) break;
      for (const raw of r.rows as unknown[][]) {
        hashRow(hash, cols.map((c, i) => fromPg(c, raw[i])));
        rows++;
      }
    }
  } finally {
    await client.query('CLOSE kelisim_copy_check');
  }
  return { rows, hash: hash.digest('hex') };
}

