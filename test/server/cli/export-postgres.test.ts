// `kelisim export` reads a SQLite file only in this version (decision 027, step 2): with
// KELISIM_DATABASE_URL set it refuses with one line saying so (exit 1), and never exports the
// SQLite file that KELISIM_DB happens to name instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPgDb, type TestPgDb } from '../../helpers/pg';
import { createTestDbFile } from '../../helpers/db';
import { runCli } from '../../helpers/spawn';

let pg: TestPgDb;
let sqlite: { file: string; dir: string };
let out: string;
beforeAll(async () => {
  pg = await createTestPgDb({ migrated: true });
  sqlite = createTestDbFile();
  out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-export-pg-')), 'wave.csv');
});
afterAll(async () => {
  await pg.drop();
  fs.rmSync(sqlite.dir, { recursive: true, force: true });
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
});

it('refuses on PostgreSQL with one line naming why and what works, writing no file', async () => {
  for (const args of [['--wave', '1', '--format', 'csv'], ['--run', '1', '--format', 'csv']]) {
    const r = await runCli(['export', ...args, '--out', out], { KELISIM_DATABASE_URL: pg.url, KELISIM_DB: sqlite.file });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('SQLite database file');
    expect(r.stderr).toContain('KELISIM_DATABASE_URL');
    expect(fs.existsSync(out)).toBe(false);
  }
});
