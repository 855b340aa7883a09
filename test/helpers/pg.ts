// A fresh PostgreSQL database for a test file, on the run's throw-away cluster (test/helpers/pg-cluster.ts,
// started by test/global-setup.ts at the first ask): CREATE DATABASE with a name of its own, DROP
// afterwards. The cluster is the real server from Debian's `postgresql` package (INITDB_PATH).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { PG_TEMPLATE } from './pg-cluster';

let clusterUrl: Promise<string> | undefined;

/** The superuser URL of the run's cluster (its `postgres` database); starts the cluster if nobody has yet. */
export function pgClusterUrl(): Promise<string> {
  clusterUrl ??= (async () => {
    const res = await fetch(inject('pgBroker'));
    const body = await res.json() as { url?: string; error?: string };
    if (!body.url) throw new Error(`the test PostgreSQL could not be started: ${body.error ?? res.status}`);
    return body.url;
  })();
  return clusterUrl;
}

/** Runs `sql` on the cluster's `postgres` database as the superuser. */
export async function onCluster<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client(await pgClusterUrl());
  await client.connect();
  try {
    return await client.query<T>(sql, params);
  } finally {
    await client.end();
  }
}

export interface TestPgDb {
  /** postgres://postgres@127.0.0.1:<port>/<name> */
  url: string;
  name: string;
  /** Drops the database, ending any connection still open on it. */
  drop: () => Promise<void>;
}

/**
 * A new database of its own: empty (no schema: openPg migrates it), or with `migrated` a copy of
 * the run's migrated template (test/global-setup.ts), ready at once.
 */
export async function createTestPgDb(options: { migrated?: boolean } = {}): Promise<TestPgDb> {
  const name = `kelisim_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onCluster(options.migrated ? `CREATE DATABASE "${name}" TEMPLATE "${PG_TEMPLATE}"` : `CREATE DATABASE "${name}"`);
  const url = new URL(await pgClusterUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(), name,
    drop: () => onCluster(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}
