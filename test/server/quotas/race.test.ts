// The quota race (issue 8, Tests): 50 respondents, each its own HTTP client (own connection), ask
// at the same moment for the last 5 places of a cell on the real server process. Exactly 5 get a
// place, the other 45 are stored as screened out with `quota_full`, and a reader on its own
// connection, in its own thread, polling the cell all along, never sees it over its target.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, type Db } from '../../../server/db/open';
import { createInvitations } from '../../../server/invitations/service';
import { quotaFill, setQuotas } from '../../../server/quotas/service';
import { storeOf } from '../../helpers/db-store';
import { miniAnswers } from '../../helpers/answers';
import { MINI_SURVEYS_DIR, REPO_ROOT } from '../../helpers/app';
import { respondentClient } from '../../helpers/respondent-client';
import { freePort, startServerProcess } from '../../helpers/spawn';

let dir: string;
let child: ChildProcess;
let base: string;
let slug: string;
let versionId: number;
let waveId: number;
let db: Db;
let dbFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-quota-race-'));
  dbFile = path.join(dir, 'kelisim.db');
  const port = await freePort();
  const server = await startServerProcess({
    PORT: String(port), HOST: '127.0.0.1', KELISIM_DB: dbFile, KELISIM_SURVEYS_DIR: MINI_SURVEYS_DIR,
    KELISIM_STATIC_DIR: path.join(dir, 'no-client'),
    // Open links get proof-of-work and per-address limits in a parallel change; 50 respondents
    // from one address are a load test, not an attack.
    KELISIM_ANTIBOT: 'off',
  });
  child = server.child;
  slug = server.link.split('/s/')[1]!;
  base = `http://127.0.0.1:${port}`;
  const state = await (await fetch(`${base}/api/links/${slug}`)).json() as { wave: { id: number }; survey: { versionId: number } };
  versionId = state.survey.versionId;
  waveId = state.wave.id;
  db = openDb(dbFile);
}, 120_000);

afterAll(() => {
  db?.$client.close();
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One respondent's browser: its own keep-alive connection to the server, on the open link or an invitation. */
const respondent = (link = slug) => respondentClient(base, link, versionId);

/**
 * Polls the places taken in one cell from another thread with its own SQLite connection (what any
 * reader can see committed), as fast as it can, until stopped: the largest count and how many reads.
 */
function watchCell(cell: { region: string; sex: string; lo: number; hi: number }) {
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.betterSqlite);
    const db = new Database(workerData.file, { readonly: true });
    db.pragma('busy_timeout = 5000');
    const count = db.prepare("SELECT count(*) FROM quota_reservations WHERE wave_id = ? AND region = ? AND sex = ? AND age BETWEEN ? AND ? AND state IN ('held', 'counted')").pluck();
    let max = 0, reads = 0, stop = false;
    parentPort.on('message', () => { stop = true; });
    const loop = () => {
      const until = Date.now() + 20;
      while (Date.now() < until) { const n = count.get(workerData.waveId, workerData.region, workerData.sex, workerData.lo, workerData.hi); if (n > max) max = n; reads++; }
      if (stop) { parentPort.postMessage({ max, reads }); db.close(); } else setImmediate(loop);
    };
    parentPort.postMessage('ready');
    loop();
  `, { eval: true, workerData: { ...cell, waveId, file: dbFile, betterSqlite: path.join(REPO_ROOT, 'node_modules/better-sqlite3') } });
  const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return {
    ready,
    stop: () => new Promise<{ max: number; reads: number }>((resolve, reject) => {
      worker.on('message', (m: { max: number; reads: number }) => { void worker.terminate(); resolve(m); });
      worker.once('error', reject);
      worker.postMessage('stop');
    }),
  };
}

const placing = (age: number) => ({ adult: true, resident: true, consent: true, region: 'KZ-75', settlement: 'urban', sex: 'f', age, ethnicity: 'kazakh' });

it('50 respondents at once for the last 5 places of a cell: exactly 5 counted, 45 screened out quota_full, never over target', async () => {
  await setQuotas(storeOf(db), waveId, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 10 }, { region: 'KZ-75', sex: 'm', ageBand: '30-44', target: 10 }], 'test', new Date());
  // 5 of the 10 places are taken already.
  for (let i = 0; i < 5; i++) {
    const r = respondent();
    expect((await r.complete(miniAnswers({ age: 30 + i }))).status).toBe(201);
    r.close();
  }
  expect((await quotaFill(storeOf(db).sql, waveId)).cells.find((c) => c.sex === 'f')).toMatchObject({ target: 10, completed: 5, reserved: 0 });

  // Half come through the open link, half through invitations of their own: both count.
  const invitations = await storeOf(db).write((tx) => createInvitations(tx, waveId, 25));
  const crowd = Array.from({ length: 50 }, (_, i) => respondent(i % 2 === 0 ? slug : invitations[i >> 1]!.token));
  // Each respondent has its page open (its connection made) before the race starts.
  await Promise.all(crowd.map((r) => r.open()));
  const watch = watchCell({ region: 'KZ-75', sex: 'f', lo: 30, hi: 44 });
  await watch.ready;

  // All 50 send the page with region, sex and age at the same moment.
  const saves = await Promise.all(crowd.map((r, i) => r.save(placing(30 + (i % 15)))));
  expect(saves.map((s) => s.status)).toEqual(Array(50).fill(200));
  const admitted = crowd.filter((_, i) => saves[i]!.body.status === 'partial');
  const refused = crowd.filter((_, i) => saves[i]!.body.status === 'screened_out');
  expect(admitted).toHaveLength(5);
  expect(refused).toHaveLength(45);
  for (const i of refused.map((r) => crowd.indexOf(r))) expect(saves[i]!.body).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });

  // Everyone then tries to finish, again all at once.
  const completions = await Promise.all(crowd.map((r, i) => r.complete(miniAnswers({ age: 30 + (i % 15) }))));
  const { max, reads } = await watch.stop();
  for (const r of admitted) expect(completions[crowd.indexOf(r)]).toMatchObject({ status: 201, body: { status: 'complete' } });
  for (const r of refused) expect(completions[crowd.indexOf(r)]).toMatchObject({ status: 200, body: { status: 'screened_out', screenReason: 'quota_full' } });
  crowd.forEach((r) => r.close());
  // Each invitation was used, admitted or refused.
  expect(db.$client.prepare('SELECT count(*) FROM invitations WHERE wave_id = ? AND completed_at IS NOT NULL').pluck().get(waveId)).toBe(25);

  expect(reads).toBeGreaterThan(1000);
  expect(max).toBe(10);
  expect((await quotaFill(storeOf(db).sql, waveId)).cells.find((c) => c.sex === 'f')).toMatchObject({ target: 10, reserved: 0, completed: 10, refused: 45, overshoot: 0 });
  const stored = db.$client.prepare("SELECT status, count(*) AS n FROM responses WHERE wave_id = ? AND region IS NULL AND status = 'screened_out'").get(waveId) as { n: number };
  expect(stored.n).toBe(45);
  expect(db.$client.prepare("SELECT count(*) FROM responses WHERE wave_id = ? AND status = 'complete' AND sex = 'f'").pluck().get(waveId)).toBe(10);
}, 120_000);

it('50 completions at once, without partial saves, for the last 5 places: exactly 5 complete', async () => {
  // The other cell: 5 of 10 taken by partial saves that stay open (they hold their places).
  for (let i = 0; i < 5; i++) {
    const r = respondent();
    expect((await r.save({ ...placing(40), sex: 'm' })).body.status).toBe('partial');
    r.close();
  }
  const crowd = Array.from({ length: 50 }, () => respondent());
  await Promise.all(crowd.map((r) => r.open()));
  const watch = watchCell({ region: 'KZ-75', sex: 'm', lo: 30, hi: 44 });
  await watch.ready;
  const results = await Promise.all(crowd.map((r) => r.complete(miniAnswers({ sex: 'm', age: 35 }))));
  const { max } = await watch.stop();
  crowd.forEach((r) => r.close());
  expect(results.filter((r) => r.status === 201 && r.body.status === 'complete')).toHaveLength(5);
  expect(results.filter((r) => r.status === 201 && r.body.status === 'screened_out' && r.body.screenReason === 'quota_full')).toHaveLength(45);
  expect(max).toBe(10);
  expect((await quotaFill(storeOf(db).sql, waveId)).cells.find((c) => c.sex === 'm')).toMatchObject({ target: 10, reserved: 5, completed: 5, refused: 45, overshoot: 0 });
}, 120_000);
