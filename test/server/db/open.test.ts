// The database is opened with the durability settings the server relies on, and migrated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDb, walSyncer } from '../../../server/db/open';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-open-')); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

it('creates the folder, migrates, and sets WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
  const file = path.join(dir, 'nested', 'folder', 'k.db');
  const db = openDb(file);
  const pragma = (name: string) => db.$client.pragma(name, { simple: true });
  expect(pragma('journal_mode')).toBe('wal');
  expect(pragma('synchronous')).toBe(2); // FULL
  expect(pragma('foreign_keys')).toBe(1);
  expect(pragma('busy_timeout')).toBe(5000);
  const tables = db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => (r as { name: string }).name);
  expect(tables).toEqual(expect.arrayContaining(['invitations', 'responses', 'survey_versions', 'target_sets', 'waves']));
  // Foreign keys are enforced: a response cannot point at a wave that does not exist.
  expect(() => db.$client.prepare("INSERT INTO responses (id, wave_id, survey_version_id, locale, status, data, started_at, updated_at) VALUES ('x', 999, 999, 'kk', 'partial', '{}', '', '')").run()).toThrow(/FOREIGN KEY/);
  db.$client.close();

  // Opening again applies nothing twice; 'normal' is honoured when asked for.
  const again = openDb(file, { synchronous: 'normal' });
  expect(again.$client.pragma('synchronous', { simple: true })).toBe(1);
  again.$client.close();
});

it('walSyncer keeps the WAL open between syncs and notices when the file was replaced', async () => {
  const file = path.join(dir, 'k.db');
  fs.writeFileSync(`${file}-wal`, 'frames');
  const sync = walSyncer(file);
  await Promise.all([sync(), sync(), sync()]);
  fs.rmSync(`${file}-wal`);
  // Within the second after a check, the open descriptor (of the deleted file) is still used.
  await sync();
  await new Promise((r) => setTimeout(r, 1100));
  await expect(sync()).rejects.toThrow(/ENOENT/);
  fs.writeFileSync(`${file}-wal`, 'new frames');
  await sync();
});
