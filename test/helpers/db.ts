// A real SQLite file per test: the migrations are applied once per test run to a template file
// (test/global-setup.ts, which also removes it), and each test copies it into its own temporary
// folder (much faster than migrating again, and the file is exactly what the server opens).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openDb, type Db } from '../../server/db/open';

const template = (): string => inject('templateDb');

export interface TestDb {
  db: Db;
  file: string;
  dir: string;
  /** Closes the connection and deletes the folder. */
  cleanup: () => void;
}

/** A fresh migrated database file of its own in a new temporary folder. */
export function createTestDbFile(): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-test-'));
  const file = path.join(dir, 'kelisim.db');
  fs.copyFileSync(template(), file);
  return { file, dir };
}

/** Opens a fresh migrated database (a copy of the template) with the production pragmas. */
export function createTestDb(): TestDb {
  const { file, dir } = createTestDbFile();
  const db = openDb(file);
  return {
    db, file, dir,
    cleanup: () => {
      if (db.$client.open) db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
