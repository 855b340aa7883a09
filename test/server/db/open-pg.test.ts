// PostgreSQL, on the run's real throw-away cluster (test/helpers/pg.ts): openPg applies the
// migrations of server/db/migrations-pg to a fresh database, and what they build is what
// server/db/schema-pg.ts says (read back from the catalog); every connection commits with
// synchronous_commit = on although the cluster's default is off; the append-only tables refuse
// UPDATE, DELETE and TRUNCATE; servers starting together apply the migrations once.
import { sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openPg, PG_MIGRATIONS_DIR, redactUrl, withSynchronousCommit, type PgDb } from '../../../server/db/open-pg';
import * as schema from '../../../server/db/schema-pg';
import { pgShapes } from '../../../server/db/schema-shape';
import { createTestPgDb, onCluster, type TestPgDb } from '../../helpers/pg';

let target: TestPgDb;
let db: PgDb;
beforeAll(async () => {
  target = await createTestPgDb();
  db = await openPg(target.url);
}, 60_000);
afterAll(async () => {
  await db?.$client.end();
  await target?.drop();
});

/** The database's own message for a refused statement (drizzle wraps the driver's error in `cause`). */
async function refusal(query: ReturnType<typeof sql>): Promise<string> {
  try {
    await db.execute(query);
  } catch (err) {
    const cause = (err as { cause?: { message?: string; code?: string } }).cause;
    return `${cause?.code}: ${cause?.message}`;
  }
  return 'not refused';
}

const rows = async <T,>(query: ReturnType<typeof sql>): Promise<T[]> => (await db.execute(query)).rows as T[];

describe('openPg on a fresh database', () => {
  it('runs on the real server, on loopback', async () => {
    const [v] = await rows<{ server_version_num: string }>(sql`SHOW server_version_num`);
    expect(Number(v!.server_version_num)).toBeGreaterThanOrEqual(150000);
    const [who] = await rows<{ addr: string }>(sql`SELECT inet_server_addr()::text AS addr`);
    expect(who!.addr).toBe('127.0.0.1/32');
    // The cluster's default, which openPg must override for its connections.
    const cluster = await onCluster<{ synchronous_commit: string }>('SHOW synchronous_commit');
    expect(cluster.rows[0]!.synchronous_commit).toBe('off');
  });

  it('sets synchronous_commit = on on every connection of its pool', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => db.$client.connect()));
    try {
      for (const c of clients) expect((await c.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
    } finally {
      for (const c of clients) c.release();
    }
  });

  it('keeps options the URL already has, and never prints a password', async () => {
    const url = new URL(target.url);
    url.searchParams.set('options', '-c statement_timeout=12345');
    const other = await openPg(url.toString(), { migrateSchema: false });
    try {
      const [r] = (await other.execute(sql`SELECT current_setting('statement_timeout') AS t, current_setting('synchronous_commit') AS s`)).rows as { t: string; s: string }[];
      expect(r).toEqual({ t: '12345ms', s: 'on' });
    } finally {
      await other.$client.end();
    }
    expect(new URL(withSynchronousCommit('postgres://u:p@h:5432/db')).searchParams.get('options')).toBe('-c synchronous_commit=on');
    expect(redactUrl('postgres://kelisim:s3cret@db.example.kz:5432/kelisim')).toBe('postgres://kelisim:***@db.example.kz:5432/kelisim');
  });

  it('builds exactly the tables, columns, keys and indexes of schema-pg.ts', async () => {
    const shapes = pgShapes(schema);
    const tables = await rows<{ table_name: string }>(sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
    expect(tables.map((t) => t.table_name)).toEqual([...shapes.keys()].sort());

    const columns = await rows<{ table_name: string; column_name: string; data_type: string; is_nullable: string; is_identity: string }>(sql`
      SELECT table_name, column_name, data_type, is_nullable, is_identity FROM information_schema.columns WHERE table_schema = 'public'`);
    for (const value of Object.values(schema)) {
      const config = getTableConfig(value as PgTable);
      const found = columns.filter((c) => c.table_name === config.name);
      expect(found.map((c) => c.column_name).sort(), config.name).toEqual(config.columns.map((c) => c.name).sort());
      for (const col of config.columns) {
        const c = found.find((f) => f.column_name === col.name)!;
        expect([config.name, col.name, c.data_type, c.is_nullable === 'NO', c.is_identity === 'YES'])
          .toEqual([config.name, col.name, col.getSQLType(), col.notNull, Boolean(col.generatedIdentity)]);
      }
    }

    // Indexes and constraints, as the catalog lists them: name and columns.
    const indexes = await rows<{ table: string; name: string; unique: boolean; primary: boolean; columns: string }>(sql`
      SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
             string_agg(a.attname, ',' ORDER BY k.ord) AS columns
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' GROUP BY t.relname, i.relname, x.indisunique, x.indisprimary`);
    for (const [name, shape] of shapes) {
      const mine = indexes.filter((i) => i.table === name);
      expect(mine.find((i) => i.primary)?.columns, `${name} primary key`).toBe(shape.primaryKey.join(','));
      const built = mine.filter((i) => !i.primary).map((i) => i.name.endsWith('_unique') ? `${i.name}(${i.columns})` : `${i.unique ? 'unique ' : ''}${i.name}(${i.columns})`).sort();
      expect(built, name).toEqual([...shape.uniques, ...shape.indexes].sort());
    }

    const fks = await rows<{ table: string; def: string }>(sql`
      SELECT conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
    for (const [name, shape] of shapes) {
      const built = fks.filter((f) => f.table === name).map((f) => {
        const m = /FOREIGN KEY \((.+)\) REFERENCES (\w+)\((.+)\)/.exec(f.def)!;
        return `${m[1]!.replace(/ /g, '')} -> ${m[2]}(${m[3]!.replace(/ /g, '')})`;
      }).sort();
      expect(built, name).toEqual(shape.foreignKeys);
    }
  });

  it('fills the default of target_sets.loaded_at as SQLite does (ISO-8601 UTC with milliseconds)', async () => {
    const [r] = await rows<{ loaded_at: string }>(sql`INSERT INTO target_sets (content_hash, json) VALUES ('h-default', '{}') RETURNING loaded_at`);
    expect(r!.loaded_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(r!.loaded_at) - Date.now())).toBeLessThan(60_000);
  });

  it('keeps json columns as written (key order, spacing) and reads them back as objects', async () => {
    const text = '{"z":1,"a":[1, 2.5e-7],"m":{"b":null,"a":"\\u0000é"}}';
    await db.execute(sql`INSERT INTO target_sets (content_hash, json) VALUES ('h-json', ${text})`);
    const [raw] = await rows<{ json: string }>(sql`SELECT json::text AS json FROM target_sets WHERE content_hash = 'h-json'`);
    expect(raw!.json).toBe(text);
    const [row] = await db.select().from(schema.targetSets).where(sql`content_hash = 'h-json'`);
    expect(row!.json).toEqual(JSON.parse(text));
    expect(Object.keys(row!.json)).toEqual(['z', 'a', 'm']);
  });
});

describe('append-only tables (the SQLite triggers of migrations 0001 and 0006, in PostgreSQL)', () => {
  let runId: number;
  beforeAll(async () => {
    const [wave] = await db.insert(schema.waves).values({ surveyId: 'official', titleKk: 'k', titleRu: 'r', titleEn: 'e', openSlug: 'slug-append', status: 'closed', openedAt: '2026-01-01T00:00:00.000Z', period: '2026-Q1' }).returning();
    const [frame] = await db.insert(schema.frames).values({ name: 'f-append', source: 's', referenceDate: '2021-01-01', contentHash: 'f', margins: [], createdBy: 't', createdAt: 'now' }).returning();
    const [run] = await db.insert(schema.estimateRuns).values({ waveId: wave!.id, frameId: frame!.id, frameHash: 'f', surveyVersionIds: [1], scoringHash: 's', options: {}, engineVersion: 'e', inputHash: 'i', result: {}, createdBy: 't', createdAt: 'now' }).returning();
    runId = run!.id;
    await db.insert(schema.publications).values({ runId, period: '2026-Q1', action: 'publish', actor: 't', at: 'now' });
    await db.insert(schema.auditLog).values({ at: 'now', actor: 't', action: 'run.publish', subjectType: 'run', subjectId: String(runId) });
    await db.insert(schema.runFlagSets).values({ runId, waveId: wave!.id, speederMedianMs: null, speederThresholdMs: null, flagged: 1 });
    await db.insert(schema.runFlags).values({ runId, flag: 'speeder', responseId: 'r1' });
  });

  it.each([
    ['estimate_runs', 'id', 'estimate runs are immutable'],
    ['publications', 'id', 'publications are append-only'],
    ['audit_log', 'id', 'the audit log is append-only'],
    ['run_flag_sets', 'run_id', "a run's flags are immutable"],
    ['run_flags', 'run_id', "a run's flags are immutable"],
  ])('%s refuses UPDATE, DELETE and TRUNCATE, and keeps its row', async (table, column, message) => {
    const t = sql.identifier(table);
    const c = sql.identifier(column);
    // 23001 restrict_violation: what the trigger function raises.
    expect(await refusal(sql`UPDATE ${t} SET ${c} = ${c}`)).toBe(`23001: ${message}`);
    expect(await refusal(sql`DELETE FROM ${t}`)).toBe(`23001: ${message}`);
    expect(await refusal(sql`TRUNCATE ${t} CASCADE`)).toBe(`23001: ${message}`);
    const [n] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${t}`);
    expect(n!.n).toBe(1);
    // New rows are still welcome.
    if (table === 'audit_log') await db.insert(schema.auditLog).values({ at: 'now', actor: 't', action: 'x', subjectType: 'y' });
  });
});

const MIGRATION_COUNT = readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR }).length;

describe('several servers starting on one new database', () => {
  it('apply the migrations once, one after the other', async () => {
    const fresh = await createTestPgDb();
    try {
      const dbs = await Promise.all([1, 2, 3, 4].map(() => openPg(fresh.url)));
      const [applied] = (await dbs[0]!.execute(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)).rows as { n: number }[];
      expect(applied!.n).toBe(MIGRATION_COUNT);
      await Promise.all(dbs.map((d) => d.$client.end()));
      // And opening an up-to-date database applies nothing.
      const again = await openPg(fresh.url);
      const [still] = (await again.execute(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)).rows as { n: number }[];
      expect(still!.n).toBe(MIGRATION_COUNT);
      await again.$client.end();
    } finally {
      await fresh.drop();
    }
  });
});
