// A real SQLite file per test: the migrations are applied once per test process to a template
// file, which each test copies into its own temporary folder (much faster than migrating again,
// and the file is exactly what the server opens in production).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../../server/db/open';

let templateFile: string | undefined;

function template(): string {
  if (templateFile && fs.existsSync(templateFile)) return templateFile;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-template-'));
  const file = path.join(dir, 'template.db');
  const db = openDb(file);
  // Fold the WAL into the main file so a plain copy of template.db is complete.
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  templateFile = file;
  return file;
}

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
