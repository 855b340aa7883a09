// What `npm start` (server/main.ts) sets up for the compute-and-publish path: the current
// quarter's wave opened with its period, and the cited census frame loaded as kz-census-2021 —
// and a surveys folder without population figures (the test stand-in) still starts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../../server/db/open';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { listFrames } from '../../../server/frames/service';
import { listWaves, periodOf } from '../../../server/waves/sqlite-sync';
import { MINI_SURVEYS_DIR, OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { startServerProcess } from '../../helpers/spawn';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

async function start(surveysDir: string): Promise<{ db: string; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-start-'));
  dirs.push(dir);
  const db = path.join(dir, 'k.db');
  const server = await startServerProcess({ PORT: '0', HOST: '127.0.0.1', KELISIM_DB: db, KELISIM_SURVEYS_DIR: surveysDir, KELISIM_STATIC_DIR: path.join(dir, 'no-client') });
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
  return { db, output: server.output() };
}

describe('npm start', () => {
  it('opens the current quarter\'s wave with its period and loads the census frame', async () => {
    const { db, output } = await start(OFFICIAL_SURVEYS_DIR);
    expect(output).not.toContain('census frame was not loaded');
    const conn = openDb(db);
    try {
      const waves = listWaves(conn);
      expect(waves).toHaveLength(1);
      expect(waves[0]).toMatchObject({ status: 'open', period: periodOf(new Date()) });
      const frames = await listFrames(createSqliteStore(conn).sql);
      expect(frames.map((f) => [f.name, f.illustrative, f.referenceDate])).toEqual([['kz-census-2021', false, '2021-10-01']]);
      expect(frames[0]!.source).toContain('2021 national census');
    } finally {
      conn.$client.close();
    }
  }, 90_000);

  it('starts with a surveys folder that has no population figures (no census frame then)', async () => {
    const { db } = await start(MINI_SURVEYS_DIR);
    const conn = openDb(db);
    try {
      expect(await listFrames(createSqliteStore(conn).sql)).toEqual([]);
    } finally {
      conn.$client.close();
    }
  }, 90_000);
});
