// `npm start` on PostgreSQL (KELISIM_DATABASE_URL, decision 027): the real server process starts on
// a database of the test's own on the throw-away cluster, with no SQLite file, registers the
// questionnaire and opens a wave through the store, answers respondents, keeps the same wave across
// a restart and stops cleanly. Always on PostgreSQL, whatever KELISIM_TEST_DB says.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { responses, waves } from '../../server/db/schema';
import { miniAnswers } from '../helpers/answers';
import { MINI_SURVEYS_DIR } from '../helpers/app';
import { freePort, startServerProcess } from '../helpers/spawn';
import { createTestStore, type TestStore } from '../helpers/store';

let pg: TestStore;
let dir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  pg = await createTestStore('postgres');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-main-pg-'));
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pg.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

it('starts on KELISIM_DATABASE_URL without a SQLite file, serves respondents, and keeps its wave across a restart', async () => {
  const port = await freePort();
  const sqliteFile = path.join(dir, 'kelisim.db');
  const env = {
    PORT: String(port), HOST: '127.0.0.1', KELISIM_DB: sqliteFile, KELISIM_DATABASE_URL: pg.location.url!,
    KELISIM_SURVEYS_DIR: MINI_SURVEYS_DIR, KELISIM_STATIC_DIR: path.join(dir, 'no-client'),
    // Three sends of one completion without a proof of work: this test is about the database.
    KELISIM_ANTIBOT: 'off',
  };
  const first = await startServerProcess(env);
  children.push(first.child);
  // The URL is shown without its password; every feature runs there (nothing "not moved").
  const password = new URL(pg.location.url!).password;
  expect(first.output()).toMatch(/database: postgres(ql)?:\/\//);
  if (password) expect(first.output()).not.toContain(password);
  expect(first.output()).not.toContain('has not moved');
  const slug = first.link.split('/s/')[1]!;
  const base = `http://127.0.0.1:${port}`;
  const state = await (await fetch(`${base}/api/links/${slug}`)).json() as { survey: { versionId: number } };

  // One completion sent three times at once: stored once, the same answer to all three.
  const id = randomUUID();
  const send = () => fetch(`${base}/api/links/${slug}/responses/${id}/complete`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ surveyVersionId: state.survey.versionId, locale: 'kk', data: miniAnswers(), durationMs: 60_000 }),
  });
  const answers = await Promise.all([send(), send(), send()]);
  expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 201]);
  const bodies = await Promise.all(answers.map((r) => r.json()));
  for (const b of bodies) expect(b).toEqual(bodies[0]);
  const stored = await pg.store.sql.all<{ id: string; status: string }>(sql`SELECT ${responses.id} AS "id", ${responses.status} AS "status" FROM ${responses}`);
  expect(stored).toEqual([{ id, status: 'complete' }]);

  // SIGTERM: finishes and exits 0; no SQLite database or lock file was ever made.
  first.child.kill('SIGTERM');
  expect(await exitOf(first.child)).toBe(0);
  expect(fs.readdirSync(dir)).toEqual([]);

  // Restarted: the same questionnaire version and the same open wave, not new ones.
  const second = await startServerProcess(env);
  children.push(second.child);
  expect(second.link).toBe(first.link);
  expect(second.output()).not.toContain('new version registered');
  expect(second.output()).not.toContain('(opened now)');
  const count = await pg.store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${waves}`);
  expect(count!.n).toBe(1);
  second.child.kill('SIGTERM');
  expect(await exitOf(second.child)).toBe(0);
});
