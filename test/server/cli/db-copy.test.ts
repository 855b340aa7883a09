// `kelisim db copy` as a process (the compiled command, as `npm run kelisim` runs it), from a real
// SQLite file filled by the real app flows — console accounts signed in, web completions and a
// partial on the open link, a past wave with imported interviews, a frame, an estimate run computed
// as a job, published and withdrawn, a flag overrule, the audit log of all of it — into a fresh
// database on the run's real PostgreSQL cluster. The copy is then read back independently, every
// row of every table through drizzle on both sides; refusals and failures leave the target as it was.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { getTableConfig as pgConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobSchema } from '../../../contract/admin-api';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openPg, PG_MIGRATIONS_DIR, type PgDb } from '../../../server/db/open-pg';
import * as sqliteSchema from '../../../server/db/schema';
import * as pgSchema from '../../../server/db/schema-pg';
import { generateAnswers } from '../../helpers/answers';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestPgDb, type TestPgDb } from '../../helpers/pg';
import { runCli } from '../../helpers/spawn';
import { bodyAs, startAdminApp } from '../admin/helpers';
import { REFERENCE_DIR, writeReferenceImport } from '../runs/reference-import';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-db-copy-'));
const source = path.join(tmp, 'kelisim.db');
const created: TestPgDb[] = [];
const newTarget = async () => { const t = await createTestPgDb(); created.push(t); return t; };

/** Fills `source` through the real console and respondent APIs, then snapshots it there (SQLite's online backup). */
async function fillSource(): Promise<void> {
  const t = await startAdminApp({ surveysDir: OFFICIAL_SURVEYS_DIR });
  try {
    const s = await t.signIn('researcher');
    await t.signIn('admin');
    await t.call('POST', '/session', { body: { email: 'nobody@example.kz', password: 'wrong password here' } }); // a throttle row

    // The open link: completions and a partial, in every language.
    const state = await (await fetch(`${t.baseUrl}/api/links/${t.wave.openSlug}`)).json() as { survey: { versionId: number; json: Record<string, unknown> } };
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${t.baseUrl}/api/links/${t.wave.openSlug}/responses/${randomUUID()}/complete`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ surveyVersionId: state.survey.versionId, locale: ['kk', 'ru', 'en'][i % 3], data: generateAnswers(state.survey.json, 500 + i), durationMs: 200_000 + i }),
      });
      expect(res.status).toBe(201);
    }
    const partial = await fetch(`${t.baseUrl}/api/links/${t.wave.openSlug}/responses/${randomUUID()}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ surveyVersionId: state.survey.versionId, locale: 'kk', data: { adult: true }, currentPageNo: 0 }),
    });
    expect(partial.status).toBe(200);

    // A past wave with imported interviews, a frame, a run computed as a job, published and withdrawn.
    const wave = await t.call('POST', '/waves', { session: s, body: { period: '2025-Q2', closed: true } });
    expect(wave.status).toBe(201);
    const csv = path.join(tmp, 'interviews.csv');
    writeReferenceImport('raking-a', csv);
    expect((await t.call('POST', `/waves/${wave.body.id}/imports?fileName=field.csv`, { session: s, body: fs.readFileSync(csv), headers: { 'content-type': 'text/csv' } })).status).toBe(201);
    const frame = await t.call('POST', '/frames?name=ref-a&source=R%20reference&referenceDate=2021-10-01&illustrative=true', { session: s, body: fs.readFileSync(path.join(REFERENCE_DIR, 'raking-a', 'margins.csv')), headers: { 'content-type': 'text/csv' } });
    expect(frame.status).toBe(201);
    const job = await t.call('POST', '/runs', { session: s, body: { waveId: wave.body.id, frameId: frame.body.frame.id, exclude: [] } });
    expect(job.status).toBe(202);
    let runId: number | null = null;
    for (let i = 0; i < 600 && runId === null; i++) {
      const j = bodyAs(jobSchema, (await t.call('GET', `/jobs/${job.body.id}`, { session: s })).body);
      if (j.status === 'failed') throw new Error(`the estimate job failed: ${JSON.stringify(j.error)}`);
      if (j.status === 'done') runId = j.runId;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(runId).not.toBeNull();
    expect((await t.call('POST', `/runs/${runId}/publish`, { session: s, body: {} })).status).toBe(200);
    expect((await t.call('POST', `/runs/${runId}/withdraw`, { session: s, body: { reason: 'Қайта қаралды — «frame» "figures" \\ revised' } })).status).toBe(200);
    expect((await t.call('POST', `/runs/${runId}/publish`, { session: s, body: {} })).status).toBe(200);
    const one = (await t.call('GET', `/responses?wave=${wave.body.id}&mode=papi&limit=1&sort=oldest`, { session: s })).body.items[0];
    const overrule = await t.call('POST', `/responses/${one.id}/flags/speeder/overrule`, { session: s, body: { reason: 'timed on paper' } });
    expect(overrule.status).toBe(200);

    // Text keys whose byte order (SQLite's) differs from a language collation (the cluster's en-US).
    const insert = t.db.$client.prepare('INSERT INTO used_challenges (signature, expires_at) VALUES (?, ?)');
    for (const [i, key] of ['Zeta', 'alpha', '_under', 'Äpfel', 'apple', 'B-2', 'b-10', '9'].entries()) insert.run(key, 4_102_444_800 + i);
    await t.db.$client.backup(source);
  } finally {
    await t.close();
  }
}

let target: TestPgDb;
beforeAll(async () => {
  await fillSource();
  target = await newTarget();
}, 240_000);
afterAll(async () => {
  for (const t of created) await t.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const copy = (from: string, to: string, ...more: string[]) => runCli(['db', 'copy', '--from', from, '--to', to, ...more], {});

/** Every row of every table, as the code sees it (drizzle, each dialect's schema), ordered by primary key in byte order. */
function byKey(rows: Record<string, unknown>[], keys: string[]): Record<string, unknown>[] {
  const k = (r: Record<string, unknown>) => JSON.stringify(keys.map((x) => r[x]));
  return [...rows].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

describe('kelisim db copy', () => {
  let pgDb: PgDb;
  afterAll(async () => { await pgDb?.$client.end(); });

  it('copies every table, verified by row counts and content hashes, and prints a report', async () => {
    const r = await copy(source, target.url, '--batch', '7');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tables = Object.values(pgSchema).map((t) => pgConfig(t as PgTable).name);
    const reported = new Map([...r.stdout.matchAll(/^(\w+)\s+([\d,]+)\s+([0-9a-f]{64})\s+ok$/gm)].map((m) => [m[1]!, Number(m[2]!.replace(/,/g, ''))]));
    expect([...reported.keys()].sort()).toEqual(tables.sort());
    const lite = new Database(source, { readonly: true });
    try {
      for (const name of tables) expect(reported.get(name), name).toBe((lite.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n);
    } finally {
      lite.close();
    }
    expect(reported.get('responses')).toBeGreaterThan(100);
    expect(reported.get('estimate_runs')).toBe(1);
    expect(reported.get('publications')).toBe(3);
    expect(reported.get('audit_log')).toBeGreaterThan(5);
    expect(reported.get('flag_overrules')).toBe(1);
    expect(reported.get('users')).toBe(2);
    expect(r.stdout).toContain(`row counts and content hashes equal on both sides; PostgreSQL migrations applied: ${readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR }).length}; committed`);
  }, 120_000);

  it('holds exactly the rows of the source, read back through drizzle on both sides', async () => {
    pgDb = await openPg(target.url);
    const lite = sqliteDrizzle({ client: new Database(source, { readonly: true }), schema: sqliteSchema });
    try {
      for (const [key, table] of Object.entries(sqliteSchema)) {
        if (!(key in pgSchema)) continue;
        const config = sqliteConfig(table as SQLiteTable);
        const keys = config.columns.filter((c) => c.primary).map((c) => c.name);
        const pk = keys.length > 0 ? keys : config.primaryKeys[0]!.columns.map((c) => c.name);
        const fields = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(config.columns.map((c) => [c.name, r[Object.keys(table as object).find((p) => (table as unknown as Record<string, { name?: string }>)[p]?.name === c.name)!]])));
        const a = byKey(fields(lite.select().from(table as SQLiteTable).all() as Record<string, unknown>[]), pk);
        const b = byKey(fields(await pgDb.select().from(pgSchema[key as keyof typeof pgSchema] as PgTable) as Record<string, unknown>[]), pk);
        expect(b, config.name).toEqual(a);
      }
      // JSON documents keep their exact text (key order included).
      const runText = lite.$client.prepare('SELECT result FROM estimate_runs').pluck().get() as string;
      const [back] = (await pgDb.execute(sql`SELECT result::text AS t FROM estimate_runs`)).rows as { t: string }[];
      expect(back!.t).toBe(runText);
    } finally {
      lite.$client.close();
    }
  });

  it('sets the identity sequences past the copied ids', async () => {
    const maxId = (await pgDb.execute(sql`SELECT max(id)::int AS m FROM audit_log`)).rows[0]!.m as number;
    const [row] = await pgDb.insert(pgSchema.auditLog).values({ at: 'now', actor: 'test', action: 'test.after_copy', subjectType: 'none' }).returning();
    expect(row!.id).toBe(maxId + 1);
    const [wave] = await pgDb.insert(pgSchema.waves).values({ surveyId: 'official', titleKk: 'k', titleRu: 'r', titleEn: 'e', openSlug: 'after-copy', status: 'closed', openedAt: 'now' }).returning();
    const waves = (await pgDb.execute(sql`SELECT count(*)::int AS n FROM waves`)).rows[0]!.n as number;
    expect(wave!.id).toBe(waves);
  });

  it('refuses a target that is not empty (exit 1), and leaves it as it was', async () => {
    const before = (await pgDb.execute(sql`SELECT count(*)::int AS n FROM responses`)).rows[0]!.n;
    const r = await copy(source, target.url);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kelisim db copy: refusing to copy: postgres:\/\/.+ is not empty: table \w+ has \d+ rows?; a copy goes only into an empty database/);
    expect((await pgDb.execute(sql`SELECT count(*)::int AS n FROM responses`)).rows[0]!.n).toBe(before);

    const other = await newTarget();
    const c = await openPgRaw(other.url, 'CREATE TABLE orders (id int)');
    expect(c).toBe('ok');
    const foreign = await copy(source, other.url);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/has tables that are not Kelisim's \(public\.orders\)/);
  });

  it('copies into a database openPg has migrated and nobody has written to', async () => {
    const fresh = await newTarget();
    const opened = await openPg(fresh.url);
    await opened.$client.end();
    const r = await copy(source, fresh.url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PostgreSQL migrations applied: 0; committed/);
  }, 120_000);

  it('refuses a source that is missing (2), not a Kelisim database (1) or not migrated to this version (1)', async () => {
    const fresh = await newTarget();
    const missing = await copy(path.join(tmp, 'nothing.db'), fresh.url);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/no database at .*nothing\.db/)]);

    const notOurs = path.join(tmp, 'other.db');
    const o = new Database(notOurs);
    o.exec('CREATE TABLE t (x)');
    o.close();
    const foreign = await copy(notOurs, fresh.url);
    expect([foreign.code, foreign.stderr]).toEqual([1, expect.stringMatching(/refusing to copy: .*other\.db is an SQLite database but not a Kelisim one/)]);

    const older = path.join(tmp, 'older.db');
    fs.copyFileSync(source, older);
    const d = new Database(older);
    d.exec('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)');
    d.close();
    const behind = await copy(older, fresh.url);
    expect(behind.code).toBe(1);
    expect(behind.stderr).toMatch(/has (\d+) of this version's (\d+) schema migrations applied; open it once with this version/);
    expect(await tablesOf(fresh.url)).toEqual([]);
  });

  it('refuses bad usage and an unreachable target with exit code 2', async () => {
    expect((await runCli(['db', 'copy', '--from', source], {})).code).toBe(2);
    expect((await copy(source, 'mysql://example/x')).code).toBe(2);
    const down = await copy(source, 'postgres://postgres@127.0.0.1:1/none');
    expect([down.code, down.stderr]).toEqual([2, expect.stringMatching(/cannot connect to postgres:\/\/postgres@127\.0\.0\.1:1\/none/)]);
    expect((await runCli(['db', 'move'], {})).code).toBe(2);
  });

  it('keeps nothing in the target when a row cannot be copied (one transaction, schema included)', async () => {
    const bad = path.join(tmp, 'bad.db');
    fs.copyFileSync(source, bad);
    const d = new Database(bad);
    // SQLite keeps text in an integer column; PostgreSQL cannot. The row is in the last tables copied.
    const id = (d.prepare("SELECT id FROM responses WHERE status = 'complete' ORDER BY id DESC LIMIT 1").pluck().get()) as string;
    d.prepare("UPDATE responses SET age = 'thirty' WHERE id = ?").run(id);
    d.close();
    const fresh = await newTarget();
    const r = await copy(bad, fresh.url);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`responses.age of the row with id = "${id}" holds "thirty", which is not a whole number`);
    expect(await tablesOf(fresh.url)).toEqual([]);
  });
});

/** Runs one statement on `url` with a plain client; 'ok' or the error. */
async function openPgRaw(url: string, statement: string): Promise<string> {
  const { default: pg } = await import('pg');
  const c = new pg.Client(url);
  await c.connect();
  try {
    await c.query(statement);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end();
  }
}

/** The tables of `url`'s database outside the system schemas. */
async function tablesOf(url: string): Promise<string[]> {
  const { default: pg } = await import('pg');
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query<{ t: string }>("SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).rows.map((r) => r.t);
  } finally {
    await c.end();
  }
}
