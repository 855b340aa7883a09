// Once per vitest run, before any test file (vite.config.ts `test.globalSetup`):
// - dist/server is rebuilt when a source is newer than it, so the tests that start the server or
//   the `kelisim` command as processes (test/helpers/spawn.ts) never run stale code;
// - the temporary directory: under `npm test` (scripts/test.ts) it is already a folder of the run's
//   own, checked for leftovers afterwards; run directly (`npx vitest run …`) this makes one and
//   removes it at the end, naming anything the tests left;
// - the migrated template database that test/helpers/db.ts copies for each test is made once here
//   (not once per worker process, where nothing removed it) and removed at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDb } from '../server/db/open';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, checkpointed SQLite file to copy (test/helpers/db.ts). */
    templateDb: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..');

export default function setup(project: TestProject): () => void {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-server.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`cannot build dist/server for the tests: ${build.stderr || build.stdout}`);
  if (build.stdout) process.stdout.write(build.stdout);

  let ownRunDir: string | undefined;
  if (!process.env.KELISIM_TEST_RUN_DIR) {
    ownRunDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-test-run-'));
    // Worker processes and the servers they spawn inherit it; os.tmpdir() reads TMPDIR.
    process.env.TMPDIR = ownRunDir;
    process.env.KELISIM_TEST_RUN_DIR = ownRunDir;
  }

  const templateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-template-'));
  const templateFile = path.join(templateDir, 'template.db');
  const db = openDb(templateFile);
  // Fold the WAL into the main file so a plain copy of template.db is complete.
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  project.provide('templateDb', templateFile);

  return () => {
    fs.rmSync(templateDir, { recursive: true, force: true });
    if (ownRunDir) {
      const left = fs.readdirSync(ownRunDir);
      if (left.length > 0) process.stderr.write(`\nthe tests left ${left.length} temporary file(s) behind: ${left.sort().join(', ')}\n`);
      fs.rmSync(ownRunDir, { recursive: true, force: true });
    }
  };
}
