// The exports' data layer (decision 030): one read snapshot per export, on either engine, through
// which every read of the export goes — the wave and questionnaire (the store's `Sql`), the rows
// (streamed in batches, never the whole wave), the quality flags and a run recomputed to check it.
//
// SQLite: the export's own connection (the command's, the worker's) in one read transaction
// (BEGIN DEFERRED; WAL lets the server keep writing), the rows iterated by better-sqlite3.
// PostgreSQL: a pooled connection in one REPEATABLE READ, READ ONLY transaction, the rows read by
// a server-side cursor (DECLARE … FETCH n), as server/runs/input-pg.ts reads a run's input. A run
// recomputed there (computeRunPg, readRunInputPg) reads inside the same transaction: its own
// BEGIN/COMMIT become a savepoint (`nestedClient`), so the rows checked are the rows exported.
import pg from 'pg';
import type { Column, SQL } from 'drizzle-orm';
import { sql as q } from 'drizzle-orm';
import type { Db } from '../db/open';
import type { FrameRow, WaveRow } from '../db/schema';
import { responses, surveyVersions } from '../db/schema';
import { renderSqlite, sqliteSql, type Sql } from '../db/sql';
import { PG_TYPES, pgSql, renderPostgres } from '../db/store-pg';
import type { Store } from '../db/store';
import type { ScoringSpec } from '../../analysis/scoring';
import { computeRun, runQualityFlags, scoringSpecOfRows, waveQualityFlags, type ComputedRun, type RunOptions } from '../runs/compute';
import type { IdList } from '../runs/packed-input';
import type { QualityFlag } from '../runs/result';

/** A PostgreSQL database to export from: the store's pool, and its URL for a worker thread's own pool. */
export interface PgExportDatabase { pool: pg.Pool; url?: string }

/** What an export reads: a SQLite connection (drizzle's, as `openDb` gives it) or a PostgreSQL pool. */
export type ExportDatabase = Db | PgExportDatabase;

export function isSqliteExport(x: ExportDatabase): x is Db {
  return '$client' in x;
}

/**
 * The export database of a store: the SQLite connection `db` under it, or its PostgreSQL pool (with
 * the URL the pool was opened with, for the export worker).
 */
export function exportDatabaseOf(store: Store, db: Db | undefined): ExportDatabase {
  if (store.driver?.dialect === 'postgres') {
    const pool = store.driver.pool;
    const url = (pool as { options?: { connectionString?: string } }).options?.connectionString;
    return { pool, ...(url ? { url } : {}) };
  }
  if (!db) throw new Error('an export on SQLite needs the store\'s SQLite connection (db)');
  return db;
}

/** Rows per batch of a streamed read: few round trips on PostgreSQL, little memory. */
export const EXPORT_BATCH_ROWS = 5_000;

export interface ExportSnapshot {
  /** Reads inside the snapshot. */
  readonly sql: Sql;
  /** The rows of `query` as arrays of values (in the query's column order), batch by batch. */
  batches(query: SQL, rows?: number): AsyncGenerator<unknown[][]>;
  /** ORDER BY text ids byte-wise on both engines (SQLite's BINARY order; PostgreSQL's COLLATE "C"). */
  byteOrder(column: Column): SQL;
  /** A run of `wave` recomputed from the rows of this snapshot (server/runs/compute.ts, compute-pg.ts). */
  computeRun(wave: WaveRow, frame: FrameRow, options: RunOptions): Promise<ComputedRun>;
  /** The quality flags of the wave's complete responses (id order), as a run computes them. */
  waveQualityFlags(waveId: number): Promise<{ ids: IdList; flags: Record<QualityFlag, Uint8Array> }>;
}

/**
 * Runs `fn` with one read snapshot of `x`; the transaction ends when `fn` settles.
 * SQLite: on `x`'s own connection (no other work may use it meanwhile). PostgreSQL: on a
 * connection of the pool held for the export.
 */
export async function inExportSnapshot<T>(x: ExportDatabase, fn: (s: ExportSnapshot) => Promise<T>): Promise<T> {
  if (isSqliteExport(x)) {
    const conn = x.$client;
    conn.exec('BEGIN DEFERRED');
    try {
      return await fn(sqliteSnapshot(x));
    } finally {
      if (conn.inTransaction) conn.exec('COMMIT');
    }
  }
  const client = await x.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const value = await fn(pgSnapshot(client));
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

function sqliteSnapshot(db: Db): ExportSnapshot {
  const conn = db.$client;
  return {
    sql: sqliteSql(conn),
    async* batches(query, rows = EXPORT_BATCH_ROWS) {
      const r = renderSqlite(query);
      let batch: unknown[][] = [];
      for (const row of conn.prepare(r.sql).raw(true).iterate(...r.params) as IterableIterator<unknown[]>) {
        batch.push(row);
        if (batch.length >= rows) { yield batch; batch = []; }
      }
      if (batch.length > 0) yield batch;
    },
    byteOrder: (column) => q`${column}`,
    computeRun: async (wave, frame, options) => computeRun(db, wave, frame, options),
    waveQualityFlags: async (waveId) => waveQualityFlags(db, waveId),
  };
}

let cursors = 0;

function pgSnapshot(client: pg.PoolClient): ExportSnapshot {
  const sql = pgSql(client);
  return {
    sql,
    async* batches(query, rows = EXPORT_BATCH_ROWS) {
      const r = renderPostgres(query);
      const name = `export_rows_${++cursors}`;
      await client.query({ text: `DECLARE ${name} NO SCROLL CURSOR FOR ${r.sql}`, values: r.params });
      const fetch = `FETCH ${Math.max(1, Math.floor(rows))} FROM ${name}`;
      for (;;) {
        const got = await client.query<unknown[] & pg.QueryResultRow>({ text: fetch, rowMode: 'array', types: PG_TYPES });
        if (got.rows.length === 0) break;
        yield got.rows as unknown as unknown[][];
      }
      await client.query(`CLOSE ${name}`);
    },
    byteOrder: (column) => q`${column} COLLATE "C"`,
    async computeRun(wave, frame, options) {
      const { computeRunPg } = await import('../runs/compute-pg');
      return computeRunPg(nestedPool(client), wave, frame, options);
    },
    async waveQualityFlags(waveId) {
      const spec = await scoringSpecOfWave(sql, waveId);
      const { readRunInputPg } = await import('../runs/input-pg');
      const input = await readRunInputPg(nestedClient(client), waveId, spec);
      return { ids: input.ids, flags: runQualityFlags(spec, input) };
    },
  };
}

/** The one scoring spec of the wave's complete responses (as waveScoringSpec, through `sql`). */
export async function scoringSpecOfWave(sql: Sql, waveId: number): Promise<ScoringSpec> {
  const rows = await sql.all<{ id: number; scoring: string }>(q`SELECT ${surveyVersions.id} AS "id", CAST(${surveyVersions.scoring} AS TEXT) AS "scoring"
    FROM ${surveyVersions} WHERE ${surveyVersions.id} IN (SELECT DISTINCT ${responses.surveyVersionId} FROM ${responses}
      WHERE ${responses.waveId} = ${waveId} AND ${responses.status} = 'complete') ORDER BY ${surveyVersions.id}`);
  return scoringSpecOfRows(waveId, rows).spec;
}

/**
 * `client`, already in the export's transaction, as a reader that opens a transaction of its own
 * sees it: its BEGIN … COMMIT | ROLLBACK become a savepoint of the export's transaction, so it reads
 * the export's snapshot (REPEATABLE READ: one snapshot for the whole transaction).
 */
function nestedClient(client: pg.PoolClient): pg.PoolClient {
  const mapped = (text: string): string | undefined => {
    const t = text.trim().toUpperCase();
    if (t.startsWith('BEGIN') || t.startsWith('START TRANSACTION')) return 'SAVEPOINT export_nested';
    if (t === 'COMMIT' || t === 'END') return 'RELEASE SAVEPOINT export_nested';
    if (t === 'ROLLBACK') return 'ROLLBACK TO SAVEPOINT export_nested';
    return undefined;
  };
  const query = (config: unknown, ...rest: unknown[]): unknown => {
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    const instead = typeof text === 'string' ? mapped(text) : undefined;
    if (instead) return client.query(instead);
    return (client.query as (...a: unknown[]) => unknown)(config, ...rest);
  };
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === 'query') return query;
      if (key === 'release') return () => undefined;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

/** A pool whose one connection is `client` as {@link nestedClient} (for computeRunPg, which connects itself). */
function nestedPool(client: pg.PoolClient): pg.Pool {
  const nested = nestedClient(client);
  return { connect: async () => nested } as unknown as pg.Pool;
}
