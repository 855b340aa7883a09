// The compiled server (`npm start`) with KELISIM_ANTIBOT on (the default) and off: the guard is
// wired in, and switching it off is loud (docs/decisions/021).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { miniAnswers } from '../../helpers/answers';
import { MINI_SURVEYS_DIR } from '../../helpers/app';
import { createTestPgDb, type TestPgDb } from '../../helpers/pg';
import { startServerProcess } from '../../helpers/spawn';
import { testEngine } from '../../helpers/store';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const databases: TestPgDb[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }
  for (const d of databases.splice(0)) await d.drop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The server's database on the engine KELISIM_TEST_DB names: a new SQLite file, or an empty PostgreSQL database it migrates. */
async function databaseEnv(dir: string): Promise<Record<string, string>> {
  if (testEngine() === 'sqlite') return { KELISIM_DB: path.join(dir, 'k.db') };
  const database = await createTestPgDb({ migrated: true });
  databases.push(database);
  return { KELISIM_DATABASE_URL: database.url };
}

async function start(env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-antibot-'));
  dirs.push(dir);
  const server = await startServerProcess({ PORT: '0', HOST: '127.0.0.1', ...await databaseEnv(dir), KELISIM_SURVEYS_DIR: MINI_SURVEYS_DIR, KELISIM_STATIC_DIR: path.join(dir, 'no-client'), ...env });
  children.push(server.child);
  const url = new URL(server.link.replace('localhost', '127.0.0.1'));
  const slug = url.pathname.split('/s/')[1]!;
  const versions = await (await fetch(`${url.origin}/api/links/${slug}`)).json() as { survey: { versionId: number } };
  const complete = () => fetch(`${url.origin}/api/links/${slug}/responses/${randomUUID()}/complete`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ surveyVersionId: versions.survey.versionId, locale: 'en', data: miniAnswers(), durationMs: 300_000 }),
  });
  return { output: server.output, complete };
}

describe('KELISIM_ANTIBOT', () => {
  it('is on by default: a completion without a proof of work is refused, and nothing is said at start', async () => {
    const s = await start({});
    const res = await s.complete();
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('pow_required');
    expect(s.output()).not.toContain('KELISIM_ANTIBOT');
  }, 90_000);

  it('off: the server warns at start and accepts completions without a proof of work', async () => {
    const s = await start({ KELISIM_ANTIBOT: 'off' });
    expect(s.output()).toContain('WARNING: KELISIM_ANTIBOT=off');
    expect((await s.complete()).status).toBe(201);
  }, 90_000);
});
