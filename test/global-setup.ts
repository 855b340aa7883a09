// Once per vitest run, before any test file (vite.config.ts `test.globalSetup`):
// - dist/server is rebuilt when a source is newer than it, so the tests that start the server or
//   the `kelisim` command as processes (test/helpers/spawn.ts) never run stale code;
// - the temporary directory: under `npm test` (scripts/test.ts) it is already a folder of the run's
//   own, checked for leftovers afterwards; run directly (`npx vitest run …`) this makes one and
//   removes it at the end, naming anything the tests left;
// - the migrated template database that test/helpers/db.ts copies for each test is made once here
//   (not once per worker process, where nothing removed it) and removed at the end;
// - a throw-away PostgreSQL cluster (test/helpers/pg-cluster.ts), started only when a test first
//   asks for it through test/helpers/pg.ts — a test file cannot tell this setup beforehand, so the
//   workers ask over a loopback HTTP endpoint of this process — and stopped and removed at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { openDb } from '../server/db/open';
import { openPg } from '../server/db/open-pg';
import { PG_TEMPLATE, startPgCluster, type PgCluster } from './helpers/pg-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, checkpointed SQLite file to copy (test/helpers/db.ts). */
    templateDb: string;
    /** Where test/helpers/pg.ts asks for the run's PostgreSQL cluster (started at the first ask). */
    pgBroker: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The migrated database that test/helpers/pg.ts copies for each test (`CREATE DATABASE … TEMPLATE`,
 * a file copy inside PostgreSQL: much faster than migrating each one). No connection may stay open
 * on a template while it is copied, so the pool is closed at once.
 */
async function makePgTemplate(clusterUrl: string): Promise<void> {
  const admin = new pg.Client(clusterUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${PG_TEMPLATE}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${PG_TEMPLATE}`;
  const db = await openPg(url.toString());
  await db.$client.end();
}

/**
 * The loopback endpoint the workers ask for the cluster: GET answers `{ url }` once the cluster is
 * up (started at the first request, shared by all), or `{ error }` with why it could not start.
 */
async function pgBroker(): Promise<{ url: string; stop: () => Promise<void> }> {
  let cluster: Promise<PgCluster> | undefined;
  const server = http.createServer((_req, res) => {
    cluster ??= startPgCluster().then(async (c) => {
      const t = performance.now();
      await makePgTemplate(c.url);
      process.stdout.write(`test PostgreSQL: initdb ${Math.round(c.startMs.initdb)} ms, start ${Math.round(c.startMs.start)} ms, migrated template ${Math.round(performance.now() - t)} ms\n`);
      return c;
    });
    cluster.then(
      (c) => res.end(JSON.stringify({ url: c.url })),
      (err: unknown) => { res.statusCode = 500; res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })); },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (cluster) await cluster.then((c) => c.stop(), () => undefined);
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
  const broker = await pgBroker();
  project.provide('pgBroker', broker.url);

  return async () => {
    await broker.stop();
    fs.rmSync(templateDir, { recursive: true, force: true });
    if (ownRunDir) {
      const left = fs.readdirSync(ownRunDir);
      if (left.length > 0) process.stderr.write(`\nthe tests left ${left.length} temporary file(s) behind: ${left.sort().join(', ')}\n`);
      fs.rmSync(ownRunDir, { recursive: true, force: true });
    }
  };
}
