// The throw-away PostgreSQL of a test run (test/helpers/pg-cluster.ts): a real server from Debian's
// package, run as an unprivileged user in a folder of the temporary directory, reachable on
// loopback only, and gone — process and folder — once stopped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { startPgCluster } from '../helpers/pg-cluster';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('starts in the temporary directory, as an unprivileged user, and leaves nothing when stopped', async () => {
  const cluster = await startPgCluster();
  try {
    expect(path.dirname(cluster.dir)).toBe(os.tmpdir());
    expect(fs.existsSync(path.join(cluster.dir, 'data', 'PG_VERSION'))).toBe(true);
    expect(alive(cluster.pid)).toBe(true);
    // The postmaster's owner: never root (initdb and postgres refuse it; we run them as another user).
    const owner = fs.statSync(`/proc/${cluster.pid}`).uid;
    if (process.getuid?.() === 0) expect(owner).not.toBe(0);
    expect(new URL(cluster.url).hostname).toBe('127.0.0.1');

    const client = new pg.Client(cluster.url);
    await client.connect();
    const r = await client.query<{ listen: string; socket: string }>("SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS socket");
    await client.end();
    expect(r.rows[0]).toEqual({ listen: '127.0.0.1', socket: cluster.dir });
    process.stdout.write(`pg-cluster: initdb ${Math.round(cluster.startMs.initdb)} ms, start ${Math.round(cluster.startMs.start)} ms\n`);
  } finally {
    await cluster.stop();
  }
  expect(alive(cluster.pid)).toBe(false);
  expect(fs.existsSync(cluster.dir)).toBe(false);
  await cluster.stop(); // idempotent
}, 120_000);
