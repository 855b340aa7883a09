// A throw-away PostgreSQL cluster for a test run (issue 11, docs/decisions/026), started by
// test/global-setup.ts the first time a test asks for it (test/helpers/pg.ts) and stopped and
// removed when the run ends. The real server from Debian's `postgresql` package, found like the
// other programs tests need (scripts/tools.ts, INITDB_PATH) and installed when missing; no mock.
//
// - `initdb` into a new folder in the temporary directory (under `npm test`, the run's own folder,
//   checked for leftovers), as an unprivileged user when we are root: initdb and postgres refuse to
//   run as root. That user is the package's `postgres` (else `nobody`); the folder is made theirs.
// - The database's default collation is ICU's en-US, as on a typical server, not byte order: code
//   that needs byte order (the copy's hashes, ordered like SQLite) must say COLLATE "C", and a test
//   here shows it when it does not.
// - `postgres` listens on a free port of 127.0.0.1 only (the Unix socket goes in the folder too),
//   trust authentication for its superuser `postgres`: nothing outside this machine reaches it.
// - fsync, full-page writes and synchronous commit off: a test cluster has no data to keep, and
//   this makes CREATE DATABASE and commits cheap. (openPg sets synchronous_commit = on for its own
//   connections, which test/server/db/open-pg.test.ts checks against this default.)
// - Stopped with a fast shutdown, then the folder is removed — after failing tests too. Should the
//   test process die without its teardown, removing the folder (scripts/test.ts does) is enough:
//   postgres checks its data folder's lock file every minute and shuts down when it is gone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureTool, TOOLS } from '../../scripts/tools';
import { freePort } from './free-port';

/** The migrated database each test's PostgreSQL database is copied from (test/global-setup.ts makes it). */
export const PG_TEMPLATE = 'kelisim_template';

export interface PgCluster {
  /** Superuser URL of the cluster's `postgres` database (postgres://postgres@127.0.0.1:<port>/postgres). */
  url: string;
  /** The folder holding the data, the socket and the log. */
  dir: string;
  /** The postmaster's process id. */
  pid: number;
  /** How long initdb and the start took (ms), for the record. */
  startMs: { initdb: number; start: number };
  /** Fast shutdown, then the folder is removed. Idempotent. */
  stop(): Promise<void>;
}

const POSTGRESQL = TOOLS.find((t) => t.env === 'INITDB_PATH')!;

/** The unprivileged account to run the cluster as when we are root (uid, gid), or null when we are not root. */
function clusterUser(): { uid: number; gid: number; name: string } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const row = passwd.find((f) => f[0] === name);
    if (row) return { name, uid: Number(row[2]), gid: Number(row[3]) };
  }
  throw new Error('running as root, and there is no "postgres" or "nobody" account to run the test PostgreSQL as (initdb refuses root)');
}

/**
 * Every folder above `dir` must let `user` pass through. The run's own temporary folder is made
 * 0700 by mkdtemp: it gets o+x (pass through, not list). Another folder that does not let others
 * through is reported rather than changed.
 */
function makeReachable(dir: string): void {
  const own = process.env.KELISIM_TEST_RUN_DIR;
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if (mode & 0o001) continue;
    if (own && path.resolve(d) === path.resolve(own)) fs.chmodSync(d, (mode & 0o7777) | 0o001);
    else throw new Error(`the test PostgreSQL runs as an unprivileged user, who cannot enter ${d} (mode ${(mode & 0o777).toString(8)}); point TMPDIR at a folder others can pass through`);
  }
}

function asUser(user: ReturnType<typeof clusterUser>, program: string, args: string[]): [string, string[]] {
  if (!user) return [program, args];
  // setpriv execs the program (no process in between): the child's pid is postgres itself.
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', program, ...args]];
}

async function waitUntilReady(url: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the test PostgreSQL exited (${child.exitCode ?? child.signalCode}) while starting:\n${readTail(log)}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the test PostgreSQL did not accept connections within ${timeoutMs} ms:\n${readTail(log)}`);
      await new Promise((r) => setTimeout(r, 25));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}


function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * initdb and start a cluster; see the head of this file. Tests skip the cluster's fsyncs (their
 * databases are thrown away); `durable` keeps them, as a production server does (benchmarks that
 * compare with SQLite's fsync before acknowledging).
 */
export async function startPgCluster(options: { durable?: boolean } = {}): Promise<PgCluster> {
  const initdb = ensureTool(POSTGRESQL); // INITDB_PATH first (set by npm test), else found or installed
  const bin = path.dirname(fs.realpathSync(initdb));
  const postgres = path.join(bin, 'postgres');
  const user = clusterUser();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  let child: ChildProcess | undefined;
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.mkdirSync(data, { mode: 0o700 });
    if (user) {
      makeReachable(dir);
      fs.chmodSync(dir, 0o755);
      fs.chownSync(dir, user.uid, user.gid);
      fs.chownSync(data, user.uid, user.gid);
    }

    let t = performance.now();
    const [initCmd, initArgs] = asUser(user, initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en-US', '--no-sync', '--no-instructions']);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status ?? init.signal}${user ? `, as ${user.name}` : ''}):\n${init.stdout}${init.stderr}`);
    const initdbMs = performance.now() - t;

    t = performance.now();
    // A port free a moment ago; should another program take it meanwhile, postgres exits and we retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const logFd = fs.openSync(log, 'a');
      if (user) fs.fchownSync(logFd, user.uid, user.gid);
      const [cmd, args] = asUser(user, postgres, [
        '-D', data, '-k', dir, '-h', '127.0.0.1', '-p', String(port),
        ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off']),
        '-c', 'max_connections=200', '-c', 'log_min_messages=warning',
      ]);
      child = spawn(cmd, args, { stdio: ['ignore', logFd, logFd] });
      fs.closeSync(logFd);
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      try {
        await waitUntilReady(url, child, log, 30_000);
      } catch (err) {
        if (attempt < 3 && child.exitCode !== null && /could not bind|Address already in use/.test(readTail(log))) continue;
        throw err;
      }
      const running = child;
      let stopped: Promise<void> | undefined;
      const stopSync = () => { if (running.exitCode === null) running.kill('SIGQUIT'); remove(); };
      process.once('exit', stopSync);
      return {
        url, dir, pid: running.pid!, startMs: { initdb: initdbMs, start: performance.now() - t },
        stop: () => stopped ??= (async () => {
          process.removeListener('exit', stopSync);
          if (running.exitCode === null && running.signalCode === null) {
            const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
            running.kill('SIGINT'); // fast shutdown: ends sessions, no waiting for clients
            const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timer);
          }
          remove();
        })(),
      };
    }
  } catch (err) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    remove();
    throw err;
  }
}
