// Several app servers on one PostgreSQL behave as one (issue 11, "Tests and CI"; decision 027):
// two real server processes (`npm start`'s program) on one throw-away PostgreSQL database, and 50
// concurrent clients spread over both.
// - The quota race holds exactly: the last places of a cell, asked for through both servers at the
//   same moment, are given exactly once (the cell's row is locked, server/quotas/service.ts).
// - Retries across servers never duplicate: a completion sent again to the other server answers
//   the first one's result, and the table holds one row per response id.
// - A server killed with SIGKILL in the middle of the load loses no acknowledged response; its
//   clients carry on against the other server, retrying what they did not hear back about.
// This file runs on PostgreSQL whatever KELISIM_TEST_DB says: there is no second SQLite server.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { miniAnswers } from '../helpers/answers';
import { MINI_SURVEYS_DIR } from '../helpers/app';
import { createTestPgDb, type TestPgDb } from '../helpers/pg';
import { respondentClient } from '../helpers/respondent-client';
import { freePort, runCli, startServerProcess } from '../helpers/spawn';

let dir: string;
let database: TestPgDb;
let reader: pg.Client;
const servers: { child: ChildProcess; base: string }[] = [];
let slug: string;
let versionId: number;
let waveId: number;

function serverEnv(port: number): Record<string, string> {
  return {
    PORT: String(port), HOST: '127.0.0.1', KELISIM_DATABASE_URL: database.url,
    KELISIM_SURVEYS_DIR: MINI_SURVEYS_DIR, KELISIM_STATIC_DIR: path.join(dir, 'no-client'),
    // 50 clients from one address are a load test, not an attack (docs/decisions/021).
    KELISIM_ANTIBOT: 'off',
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-multi-server-'));
  database = await createTestPgDb();
  // One after the other: the first migrates the empty database and opens the wave, the second finds both.
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const s = await startServerProcess(serverEnv(port));
    servers.push({ child: s.child, base: `http://127.0.0.1:${port}` });
    const linkSlug = s.link.split('/s/')[1]!;
    if (i === 0) slug = linkSlug;
    else expect(linkSlug).toBe(slug);
  }
  const state = await (await fetch(`${servers[0]!.base}/api/links/${slug}`)).json() as { wave: { id: number }; survey: { versionId: number } };
  versionId = state.survey.versionId;
  waveId = state.wave.id;
  reader = new pg.Client(database.url);
  await reader.connect();
}, 180_000);

afterAll(async () => {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await reader?.end();
  await database?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A respondent's browser: a keep-alive connection of its own to one server. */
const client = (server: { base: string }) => respondentClient(server.base, slug, versionId);

const count = async (query: string, params: unknown[]) => Number((await reader.query<{ n: string }>(query, params)).rows[0]!.n);

it('50 clients on two servers race for the last places of a quota cell: exactly the target is taken, and retries on the other server answer the same', async () => {
  const csv = path.join(dir, 'quotas.csv');
  fs.writeFileSync(csv, 'region,sex,age_band,target\nKZ-75,f,30-44,20\n');
  const set = await runCli(['quota', 'set', '--wave', String(waveId), '--file', csv], { KELISIM_DATABASE_URL: database.url, KELISIM_SURVEYS_DIR: MINI_SURVEYS_DIR });
  expect(set.code, set.stderr).toBe(0);

  const crowd = Array.from({ length: 50 }, (_, i) => ({ id: randomUUID(), home: servers[i % 2]!, other: servers[(i + 1) % 2]! }));
  const data = (i: number) => miniAnswers({ sex: 'f', age: 30 + (i % 15) });
  const first = await Promise.all(crowd.map(async (c, i) => {
    const k = client(c.home);
    try { return await k.complete(data(i), c.id); } finally { k.close(); }
  }));
  const placed = first.filter((r) => r.status === 201 && r.body.status === 'complete');
  const refused = first.filter((r) => r.status === 201 && r.body.status === 'screened_out' && r.body.screenReason === 'quota_full');
  expect(placed).toHaveLength(20);
  expect(refused).toHaveLength(30);
  // Both servers gave places: the race really ran across the two.
  expect(new Set(crowd.filter((_, i) => first[i]!.body.status === 'complete').map((c) => c.home.base)).size).toBe(2);

  // Every client sends its completion again to the other server, twice at once: the stored result, never a second row.
  const again = await Promise.all(crowd.flatMap((c, i) => [0, 1].map(async () => {
    const k = client(c.other);
    try { return { i, r: await k.complete(data(i), c.id) }; } finally { k.close(); }
  })));
  for (const { i, r } of again) {
    expect(r.status).toBe(200);
    expect(r.body).toEqual(first[i]!.body);
  }
  expect(await count("SELECT count(*) AS n FROM responses WHERE wave_id = $1 AND status = 'complete' AND sex = 'f'", [waveId])).toBe(20);
  expect(await count('SELECT count(*) AS n FROM responses WHERE wave_id = $1', [waveId])).toBe(50);
  expect(await count("SELECT count(*) AS n FROM quota_reservations WHERE wave_id = $1 AND state IN ('held', 'counted')", [waveId])).toBe(20);
}, 180_000);

it('a server killed with SIGKILL under the load of 50 clients loses no acknowledged response, and the retries on the other create no duplicate', async () => {
  const acked = new Map<string, Record<string, unknown>>();
  const attempted = new Map<string, Record<string, unknown>>();
  const [victim, survivor] = servers as [typeof servers[0], typeof servers[0]];
  let killed = false;
  /** Clients whose request was cut by the kill and that carried on against the survivor. */
  let carriedOn = 0;
  let seed = 0;
  const KILL_AFTER = 150;
  const PER_CLIENT = 12;
  // Outside the quota cell of the first test: every completion is accepted.
  const answers = () => miniAnswers({ region: 'KZ-71', sex: seed % 2 === 0 ? 'm' : 'f', age: 18 + (seed++ % 60) });

  const worker = async (n: number) => {
    let server = n % 2 === 0 ? victim : survivor;
    let k = client(server);
    for (let j = 0; j < PER_CLIENT; j++) {
      const id = randomUUID();
      const data = answers();
      attempted.set(id, data);
      for (;;) {
        try {
          const r = await k.complete(data, id);
          expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
          acked.set(id, r.body);
          if (acked.size >= KILL_AFTER && !killed) {
            killed = true;
            victim.child.kill('SIGKILL');
          }
          break;
        } catch (err) {
          // The server under this client died: carry on (and retry this id) on the other one.
          if (!killed || server === survivor) throw err;
          k.close();
          carriedOn++;
          server = survivor;
          k = client(server);
        }
      }
    }
    k.close();
  };
  await Promise.all(Array.from({ length: 50 }, (_, n) => worker(n)));
  expect(killed).toBe(true);
  expect(victim.child.signalCode).toBe('SIGKILL');
  expect(carriedOn).toBeGreaterThan(0);
  expect(acked.size).toBe(attempted.size);

  const rows = (await reader.query<{ id: string; status: string; data: string }>("SELECT id, status, CAST(data AS TEXT) AS data FROM responses WHERE wave_id = $1 AND region = 'KZ-71'", [waveId])).rows;
  const stored = new Map(rows.map((r) => [r.id, r]));
  expect(rows).toHaveLength(stored.size);
  for (const [id, data] of attempted) {
    const row = stored.get(id);
    expect(row, `acknowledged response ${id} lost`).toBeDefined();
    expect(row!.status).toBe('complete');
    expect(JSON.parse(row!.data)).toEqual(data);
  }
  expect(rows).toHaveLength(50 * PER_CLIENT);
}, 180_000);
