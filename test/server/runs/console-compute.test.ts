// Estimate runs computed from the console on the engine KELISIM_TEST_DB names, over real HTTP: a
// job is recorded, computed off the request thread by the worker (its own connection: the SQLite
// file, or a pool of its own on the PostgreSQL URL), the run stored and published; two servers on
// one database compute each job once; a starting server fails only the jobs whose server is gone;
// `run verify`'s service recomputes on either engine and names a tampered input row.
//
// The data (the R reference wave raking-a with its frame and one run, test/server/exports/
// run-fixture.ts) is built with the SQLite code in a file of its own; on PostgreSQL it is copied
// into the test's database (`kelisim db copy`'s code), on SQLite the servers run over that file.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../../contract/admin-api';
import { claimQueuedJob, createJobRunner, type ClaimedJob } from '../../../server/admin/runs/jobs';
import { createApp } from '../../../server/app';
import { hashPassword } from '../../../server/auth/passwords';
import { createUser } from '../../../server/auth/service';
import { openDb, type Db } from '../../../server/db/open';
import { openPg } from '../../../server/db/open-pg';
import { estimateRuns, jobs, responses, users } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import type { Store } from '../../../server/db/store';
import { createPgStore } from '../../../server/db/store-pg';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { requireRun, verifyRun } from '../../../server/runs/service';
import { listOf, numberOf, textOf, type JsonBody } from '../../helpers/app';
import type { TestStore } from '../../helpers/store';
import { runFixtureOnTestStore, type RunFixture } from '../exports/run-fixture';
import { cookieOf, PASSWORD } from '../admin/helpers';

/** One server's database connection: the store, and on SQLite the connection under it. */
interface Conn { store: Store; db?: Db; close(): Promise<void> }

let fixture: RunFixture;
let ts: TestStore;
let main: Conn;
/** Another connection to the same database, as another server opens it (`name`: its application_name on PostgreSQL). */
let connect: (name?: string) => Promise<Conn>;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  ({ fixture, ts } = await runFixtureOnTestStore(closers));
  if (ts.engine === 'postgres') {
    connect = async (name = 'kelisim-test') => {
      const url = new URL(ts.location.url!);
      url.searchParams.set('application_name', name);
      const store = createPgStore((await openPg(url.toString(), { migrateSchema: false })).$client);
      return { store, close: () => store.close() };
    };
  } else {
    connect = async () => {
      const db = openDb(fixture.file);
      const store = createSqliteStore(db);
      return { store, db, close: () => store.close() };
    };
  }
  main = await connect();
  closers.push(() => main.close());
}, 240_000);

afterAll(async () => { for (const c of closers.reverse()) await c(); });

interface Served { base: string; close(): Promise<void> }

/**
 * An app server on `conn`, as `npm start` builds it (SQLite: with its database file), with the
 * app's own job runner made here so that closing it waits for the runner's last claim.
 */
async function serve(conn: Conn): Promise<Served> {
  const runner = createJobRunner(conn.store, conn.db ? fixture.file : undefined, () => new Date());
  const app = createApp({
    store: conn.store, ...(conn.db ? { db: conn.db, dbFile: fixture.file } : {}), jobs: runner,
    config: { bodyLimitBytes: 64 * 1024, staticDir: '/nonexistent' }, logError: (m, e) => console.error(m, e),
  });
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      await runner.idle();
    },
  };
}

interface Session { cookie: string; csrf: string }

let accounts = 0;
/** A researcher signed in on `s` (sessions live in the database: valid on every server). */
async function signIn(s: Served): Promise<Session> {
  const email = `researcher${++accounts}@example.kz`;
  const { user } = await createUser(main.store, email, 'researcher', 'test');
  const passwordHash = await hashPassword(PASSWORD);
  await main.store.write((tx) => tx.run(sql`UPDATE ${users} SET ${bare(users.passwordHash)} = ${passwordHash}, ${bare(users.mustChangePassword)} = ${0} WHERE ${users.id} = ${user.id}`));
  const res = await fetch(`${s.base}/api/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: s.base }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(res.status).toBe(200);
  return { cookie: cookieOf(res.headers), csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

async function call(s: Served, session: Session, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: JsonBody }> {
  const headers: Record<string, string> = { cookie: session.cookie };
  if (method !== 'GET') Object.assign(headers, { [CSRF_HEADER]: session.csrf, origin: s.base, 'content-type': 'application/json' });
  const res = await fetch(`${s.base}/api/admin${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() as JsonBody };
}

/** Polls job `id` on `s` until it has ended; returns it. */
async function finished(s: Served, session: Session, id: number): Promise<JsonBody> {
  for (let i = 0; i < 600; i++) {
    const job = (await call(s, session, 'GET', `/jobs/${id}`)).body;
    if (textOf(job.status) !== 'queued' && textOf(job.status) !== 'running') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not end within a minute`);
}

const count = async (table: typeof estimateRuns | typeof jobs) => (await main.store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${table}`))!.n;

describe(`console estimate runs on ${process.env.KELISIM_TEST_DB ?? 'sqlite'}`, () => {
  it('computes a run from the console: the job completes, the run is stored with the rows\' input hash and estimates, and publishes', async () => {
    const a = await serve(main);
    try {
      const s = await signIn(a);
      const started = await call(a, s, 'POST', '/runs', { waveId: fixture.waveId, frameId: fixture.run.row.frameId, minCellSize: 20 });
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({ status: 'queued', waveId: fixture.waveId });
      const job = await finished(a, s, numberOf(started.body.id));
      expect(job).toMatchObject({ status: 'done', progress: 1, error: null });
      const runId = numberOf(job.runId);
      expect(runId).toBeGreaterThan(fixture.run.row.id);
      const stored = await requireRun(main.store.sql, runId);
      // The same rows as the run computed on SQLite when the fixture was made: same input, same estimates.
      expect(stored.row.inputHash).toBe(fixture.run.row.inputHash);
      expect(stored.row.createdBy).toBe(job.createdBy);
      expect(stored.result.analysis).toEqual(fixture.run.result.analysis);
      expect(stored.result.sample).toEqual(fixture.run.result.sample);
      expect((await call(a, s, 'GET', `/runs/${runId}`)).status).toBe(200);
      const published = await call(a, s, 'POST', `/runs/${runId}/publish`, {});
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({ runId, action: 'publish' });
      expect((await verifyRun(main.store, main.db, runId)).identical).toBe(true);
    } finally {
      await a.close();
    }
  }, 180_000);

  it('computes each job once when two servers on one database claim from the same queue', async () => {
    const second = await connect();
    const a = await serve(main);
    const b = await serve(second);
    try {
      const s = await signIn(a);
      // Both servers' job routes have answered once (each has recovered the table) before any job is queued.
      expect((await call(b, s, 'GET', '/jobs')).status).toBe(200);
      expect((await call(a, s, 'GET', '/jobs')).status).toBe(200);
      const runsBefore = await count(estimateRuns);
      const body = { waveId: fixture.waveId, frameId: fixture.run.row.frameId };
      // Three jobs queued on A and one on B: each server drains the one queue while the other does.
      const ids: number[] = [];
      for (const server of [a, a, a, b]) {
        const r = await call(server, s, 'POST', '/runs', body);
        expect(r.status).toBe(202);
        ids.push(numberOf(r.body.id));
      }
      const ended = await Promise.all(ids.map((id, i) => finished(i % 2 === 0 ? a : b, s, id)));
      for (const job of ended) expect(job).toMatchObject({ status: 'done', error: null });
      const runIds = ended.map((j) => numberOf(j.runId));
      expect(new Set(runIds).size).toBe(4);
      expect(await count(estimateRuns)).toBe(runsBefore + 4);
      for (const id of runIds) expect((await requireRun(main.store.sql, id)).row.inputHash).toBe(fixture.run.row.inputHash);
    } finally {
      await a.close();
      await b.close();
      await second.close();
    }
  }, 240_000);

  it('fails only the running jobs whose server is gone — at the next start, or on PostgreSQL when a running server next shows them — and leaves a live server\'s job running', async () => {
    const request = JSON.stringify({ wave: { id: fixture.waveId }, frame: { id: fixture.run.row.frameId } });
    const queue = () => main.store.write((tx) => tx.run(sql`INSERT INTO ${jobs} (kind, status, progress, stage, request, created_by, created_at)
      VALUES ('estimate', 'queued', 0, 'queued', ${request}, 'test', '2026-11-29T10:00:00.000Z')`));
    // PostgreSQL: a server already running before the death, whose job routes have answered (its
    // start's recovery is done): it fails the dead server's job when it next shows it.
    const watching = ts.engine === 'postgres' ? await connect() : undefined;
    const watcher = watching && await serve(watching);
    const watcherSession = watcher && await signIn(watcher);
    if (watcher) expect((await call(watcher, watcherSession!, 'GET', '/jobs')).status).toBe(200);
    // A server that claims a job and dies while computing it (its connections end with it).
    await queue();
    const dying = await connect('kelisim-dying-server');
    const dead = (await claimQueuedJob(dying.store))!;
    expect(dead.row.status).toBe('running');
    if (ts.engine === 'postgres') {
      const ended = await main.store.sql.all(sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kelisim-dying-server'`);
      expect(ended.length).toBeGreaterThan(0);
    }
    // What is left of it in this process: the claim's connection is dropped (its unlock fails), the pool ended.
    await dead.release();
    await dying.close();
    // A live server computing a job: on PostgreSQL it holds the job's lock until it releases it.
    // (SQLite: one server per database file — the lock file refuses a second — so a starting
    // server has no live peer and every running job it finds is its predecessor's.)
    let live: ClaimedJob | undefined;
    if (ts.engine === 'postgres') {
      await queue();
      live = (await claimQueuedJob(main.store))!;
    }
    if (watcher) {
      try {
        expect((await call(watcher, watcherSession!, 'GET', `/jobs/${dead.row.id}`)).body).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
        if (live) expect((await call(watcher, watcherSession!, 'GET', `/jobs/${live.row.id}`)).body).toMatchObject({ status: 'running', error: null });
      } finally {
        await watcher.close();
        await watching!.close();
      }
    } else {
      // SQLite: the job the dead server left is still running until the next server starts.
      expect((await main.store.sql.get<{ s: string }>(sql`SELECT ${jobs.status} AS "s" FROM ${jobs} WHERE ${jobs.id} = ${dead.row.id}`))!.s).toBe('running');
    }
    const next = await connect();
    const c = await serve(next);
    try {
      const s = await signIn(c);
      const listed = listOf<{ id: number; status: string; error: { code: string } | null; finishedAt: string | null }>((await call(c, s, 'GET', '/jobs')).body.items);
      const deadJob = listed.find((j) => j.id === dead.row.id)!;
      expect(deadJob).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
      expect(deadJob.finishedAt).not.toBeNull();
      if (live) {
        expect(listed.find((j) => j.id === live.row.id)).toMatchObject({ status: 'running', error: null, finishedAt: null });
        // Once its server lets go without finishing (it stopped), the next start fails it too.
        await live.release();
        const after = await connect();
        const d = await serve(after);
        try {
          const job = (await call(d, s, 'GET', `/jobs/${live.row.id}`)).body;
          expect(job).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
        } finally {
          await d.close();
          await after.close();
        }
      }
    } finally {
      await c.close();
      await next.close();
    }
  }, 120_000);

  it('verifies a run on this engine: identical, then the tampered row\'s block named', async () => {
    const runId = fixture.run.row.id;
    expect(await verifyRun(main.store, main.db, runId)).toEqual({ runId, identical: true, differences: [] });
    // The first input row: inputs are in the ids' byte order (sorted here, not by the engine's collation).
    const rows = await main.store.sql.all<{ id: string; ms: number }>(sql`SELECT ${responses.id} AS "id", ${responses.durationMs} AS "ms" FROM ${responses}
      WHERE ${responses.waveId} = ${fixture.waveId} AND ${responses.status} = 'complete'`);
    const first = rows.sort((x, y) => (x.id < y.id ? -1 : 1))[0]!;
    await main.store.write((tx) => tx.run(sql`UPDATE ${responses} SET ${bare(responses.durationMs)} = ${first.ms + 1} WHERE ${responses.id} = ${first.id}`));
    try {
      const v = await verifyRun(main.store, main.db, runId);
      expect(v.identical).toBe(false);
      expect(v.differences[0]).toMatchObject({ what: 'input hash', stored: fixture.run.row.inputHash });
      const blocks = v.differences.filter((d) => d.what === 'input rows');
      expect(blocks).toHaveLength(1);
      expect(blocks[0]!.stored).toMatch(/^block 1 of \d+$/);
      expect(String(blocks[0]!.now)).toContain(`from "${first.id}"`);
    } finally {
      await main.store.write((tx) => tx.run(sql`UPDATE ${responses} SET ${bare(responses.durationMs)} = ${first.ms} WHERE ${responses.id} = ${first.id}`));
    }
    expect((await verifyRun(main.store, main.db, runId)).identical).toBe(true);
  }, 120_000);
});
