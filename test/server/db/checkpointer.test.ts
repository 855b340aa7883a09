// WAL checkpoints on a worker thread: the server's connection stops checkpointing itself, the
// worker keeps the log bounded, and stopping (or losing) the worker hands checkpoints back.
import fs from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CHECKPOINT_MS, startCheckpointer } from '../../../server/db/checkpointer';
import { openDb } from '../../../server/db/open';
import { createTestDb, type TestDb } from '../../helpers/db';

let tdb: TestDb;
beforeEach(() => {
  tdb = createTestDb();
  tdb.db.$client.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)');
});
afterEach(() => tdb.cleanup());

const autocheckpoint = () => tdb.db.$client.pragma('wal_autocheckpoint', { simple: true });
const walBytes = () => fs.statSync(`${tdb.file}-wal`).size;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;
/** Writes `mb` MB in 1 MB rows (one commit each), as the server's connection. */
const write = (mb: number) => {
  const insert = tdb.db.$client.prepare('INSERT INTO blobs (b) VALUES (?)');
  for (let i = 0; i < mb; i++) insert.run(Buffer.alloc(MB, i));
};

it('keeps the WAL bounded while the connection itself never checkpoints', async () => {
  const cp = startCheckpointer(tdb.db);
  expect(autocheckpoint()).toBe(0);
  // 12 rounds of 2 MB with a pause longer than the worker's interval: without checkpoints the
  // log would hold all 24 MB; with them the writer restarts it from the beginning each round.
  for (let round = 0; round < 12; round++) {
    write(2);
    await sleep(CHECKPOINT_MS * 3);
  }
  expect(walBytes()).toBeLessThan(8 * MB);
  await cp.stop();
  expect(autocheckpoint()).toBe(1000);
  // Everything is in the database (read through a fresh connection).
  const fresh = openDb(tdb.file, { migrateSchema: false });
  expect((fresh.$client.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n).toBe(24);
  fresh.$client.close();
});

it('without the worker the same writes leave the whole log in place (the test can fail)', async () => {
  tdb.db.$client.pragma('wal_autocheckpoint = 0');
  for (let round = 0; round < 12; round++) {
    write(2);
    await sleep(5);
  }
  expect(walBytes()).toBeGreaterThan(20 * MB);
});

it('does nothing for an in-memory database', async () => {
  const mem = openDb(':memory:');
  const cp = startCheckpointer(mem);
  expect(mem.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  await cp.stop();
  mem.$client.close();
});
