// Durability under kill -9: while concurrent clients submit completions to the real server
// process, it is killed with SIGKILL and restarted. Every completion that was acknowledged with a
// 2xx must be in the database, and clients retrying their ids (as the respondent page does after
// a network error) must not create a single duplicate.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateAnswers } from '../helpers/answers';
import { MINI_SURVEYS_DIR } from '../helpers/app';
import { freePort, startServerProcess } from '../helpers/spawn';

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-crash-')); });
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

type Outcome = { id: string; body: unknown; data: Record<string, unknown> };

it('keeps every acknowledged completion across SIGKILL, and retries create no duplicates', async () => {
  const port = await freePort();
  const env = {
    PORT: String(port), HOST: '127.0.0.1', KELISIM_DB: path.join(dir, 'kelisim.db'),
    KELISIM_SURVEYS_DIR: MINI_SURVEYS_DIR, KELISIM_STATIC_DIR: path.join(dir, 'no-client'),
    // Thousands of completions from one address without a proof of work: the open link's protection
    // would refuse them (docs/decisions/021); this test is about durability.
    KELISIM_ANTIBOT: 'off',
  };
  const first = await startServerProcess(env);
  children.push(first.child);
  const slug = first.link.split('/s/')[1]!;
  const base = `http://127.0.0.1:${port}`;
  const state = await (await fetch(`${base}/api/links/${slug}`)).json() as { survey: { versionId: number; json: Record<string, unknown> } };
  const versionId = state.survey.versionId;

  const acked = new Map<string, Outcome>();
  const attempted = new Map<string, Record<string, unknown>>();
  let seed = 1;
  let killed = false;
  const KILL_AFTER = 60;

  const submit = (id: string, data: Record<string, unknown>) => fetch(`${base}/api/links/${slug}/responses/${id}/complete`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ surveyVersionId: versionId, locale: 'kk', data, durationMs: 60_000 }),
  });

  // 12 clients, each submitting one new response after another until the server dies under them.
  const client = async () => {
    for (;;) {
      const id = randomUUID();
      const data = generateAnswers(state.survey.json, seed++);
      attempted.set(id, data);
      try {
        const res = await submit(id, data);
        const body = await res.json();
        expect(res.status, JSON.stringify(body)).toBe(201);
        acked.set(id, { id, body, data });
        if (acked.size >= KILL_AFTER && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      } catch (err) {
        if (!killed) throw err;
        return; // the server is gone: this id's fate is unknown until the retry
      }
    }
  };
  await Promise.all(Array.from({ length: 12 }, client));
  await exitOf(first.child);
  expect(first.child.signalCode).toBe('SIGKILL');
  expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
  const unknown = [...attempted.keys()].filter((id) => !acked.has(id));
  // Clients were mid-request when the server died.
  expect(unknown.length).toBeGreaterThan(0);

  // Restart on the same database: the same wave and link come back.
  const second = await startServerProcess(env);
  children.push(second.child);
  expect(second.link).toBe(first.link);

  const readRows = () => {
    const db = new Database(env.KELISIM_DB, { readonly: true });
    try {
      return db.prepare("SELECT id, status, data, completed_at AS completedAt FROM responses").all() as { id: string; status: string; data: string; completedAt: string }[];
    } finally { db.close(); }
  };
  const before = new Map(readRows().map((r) => [r.id, r]));
  for (const [id, outcome] of acked) {
    const row = before.get(id);
    expect(row, `acknowledged response ${id} lost`).toBeDefined();
    expect(row!.status).toBe('complete');
    expect(JSON.parse(row!.data)).toEqual(outcome.data);
    expect(row!.completedAt).toBe((outcome.body as { completedAt: string }).completedAt);
  }

  // Every client retries every id it ever sent, twice and concurrently.
  const retries = await Promise.all([...attempted].flatMap(([id, data]) => [submit(id, data), submit(id, data)].map(async (p) => {
    const res = await p;
    return { id, status: res.status, body: await res.json() };
  })));
  for (const r of retries) {
    if (acked.has(r.id)) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(acked.get(r.id)!.body);
    } else {
      expect([200, 201]).toContain(r.status);
    }
  }
  // An unknown id stored before the kill answers 200 both times; one not stored, one 201 + one 200.
  for (const id of unknown) {
    const statuses = retries.filter((r) => r.id === id).map((r) => r.status).sort();
    expect(statuses).toEqual(before.has(id) ? [200, 200] : [200, 201]);
  }

  const after = readRows();
  expect(after).toHaveLength(attempted.size);
  expect(new Set(after.map((r) => r.id)).size).toBe(after.length);

  // Graceful stop on SIGTERM.
  const exited = exitOf(second.child);
  second.child.kill('SIGTERM');
  expect(await exited).toBe(0);
  // A clean stop checkpoints the log into the database file and removes it: nothing left to replay.
  expect(fs.existsSync(path.join(dir, 'kelisim.db-wal'))).toBe(false);
  if (process.env.KELISIM_CRASH_STATS) console.info({ acked: acked.size, unknown: unknown.length, unknownStored: unknown.filter((id) => before.has(id)).length });
}, 120_000);
