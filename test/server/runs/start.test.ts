// What `npm start` (server/main.ts) sets up for the compute-and-publish path: the current
// quarter's wave opened with its period, and the cited census frame loaded as kz-census-2021 —
// and a surveys folder without population figures (the test stand-in) still starts. On the engine
// KELISIM_TEST_DB names: a new SQLite file, or an empty PostgreSQL database the server migrates.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../../server/db/open';
import { openPg } from '../../../server/db/open-pg';
import type { Store } from '../../../server/db/store';
import { createPgStore } from '../../../server/db/store-pg';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { listFrames } from '../../../server/frames/service';
import { listWaves, periodOf } from '../../../server/waves/service';
import { MINI_SURVEYS_DIR, OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestPgDb } from '../../helpers/pg';
import { startServerProcess } from '../../helpers/spawn';
import { testEngine } from '../../helpers/store';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/** Starts and stops `npm start` on a new database; returns a store on what it left there, and its output. */
async function start(surveysDir: string): Promise<{ store: Store; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-start-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  let env: Record<string, string>;
  let open: () => Promise<Store>;
  if (testEngine() === 'sqlite') {
    const file = path.join(dir, 'k.db');
    env = { KELISIM_DB: file };
    open = async () => createSqliteStore(openDb(file));
  } else {
    const database = await createTestPgDb();
    cleanups.push(() => database.drop());
    env = { KELISIM_DATABASE_URL: database.url };
    open = async () => createPgStore((await openPg(database.url, { migrateSchema: false })).$client);
  }
  const server = await startServerProcess({ PORT: '0', HOST: '127.0.0.1', ...env, KELISIM_SURVEYS_DIR: surveysDir, KELISIM_STATIC_DIR: path.join(dir, 'no-client') });
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
  const store = await open();
  cleanups.push(() => store.close());
  return { store, output: server.output() };
}

describe('npm start', () => {
  it('opens the current quarter\'s wave with its period and loads the census frame', async () => {
    const { store, output } = await start(OFFICIAL_SURVEYS_DIR);
    expect(output).not.toContain('census frame was not loaded');
    const waves = await listWaves(store.sql);
    expect(waves).toHaveLength(1);
    expect(waves[0]).toMatchObject({ status: 'open', period: periodOf(new Date()) });
    const frames = await listFrames(store.sql);
    expect(frames.map((f) => [f.name, f.illustrative, f.referenceDate])).toEqual([['kz-census-2021', false, '2021-10-01']]);
    expect(frames[0]!.source).toContain('2021 national census');
  }, 90_000);

  it('starts with a surveys folder that has no population figures (no census frame then)', async () => {
    const { store } = await start(MINI_SURVEYS_DIR);
    expect(await listFrames(store.sql)).toEqual([]);
  }, 90_000);
});
