// The lock file that says a program uses a database (server/db/lock.ts).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { claimDatabase, DatabaseLockError, lockFileOf, lockHolder } from '../../../server/db/lock';

let dir: string;
let db: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-lock-')); db = path.join(dir, 'data/kelisim.db'); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

it('writes the pid beside the database and removes the file on release, once', () => {
  const lock = claimDatabase(db, 'a test');
  expect(fs.readFileSync(lockFileOf(db), 'utf8')).toBe(`${process.pid}\na test\n`);
  lock.release();
  expect(fs.existsSync(lockFileOf(db))).toBe(false);
  lock.release();
  // Claimable again afterwards.
  claimDatabase(db, 'a test').release();
});

it('refuses while another live process holds it, naming who', async () => {
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => other.once('spawn', r));
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(lockFileOf(db), `${other.pid}\na Kelisim server\n`);
    expect(lockHolder(db)).toBe(other.pid);
    expect(() => claimDatabase(db, 'a test')).toThrow(new DatabaseLockError('database_in_use', `${db} is in use by a Kelisim server (process ${other.pid}); stop it first`, other.pid!));
    expect(fs.readFileSync(lockFileOf(db), 'utf8')).toBe(`${other.pid}\na Kelisim server\n`);
  } finally {
    other.kill('SIGKILL');
  }
});

it('takes over a lock whose process is gone (a server killed with SIGKILL)', () => {
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  fs.mkdirSync(path.dirname(db), { recursive: true });
  fs.writeFileSync(lockFileOf(db), `${gone.stdout}\na Kelisim server\n`);
  expect(lockHolder(db)).toBeNull();
  const lock = claimDatabase(db, 'a test');
  expect(fs.readFileSync(lockFileOf(db), 'utf8')).toBe(`${process.pid}\na test\n`);
  lock.release();
});
