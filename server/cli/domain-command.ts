// What the compute-and-publish commands (frame, estimate, run, publish, withdraw, responses) share:
// option parsing that reports a bad option as usage (exit 2), and one mapping of failures to a
// single line on stderr — DomainError by its kind (exitCodeOf, the command line's one mapping of
// kinds), AnalysisError as bad data (1). Anything else is a fault for the command line's handler.
import fs from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AnalysisError } from '../../analysis/errors';
import { ConfigError, loadConfig } from '../config';
import { openDb, type Db } from '../db/open';
import { openPg, redactUrl } from '../db/open-pg';
import type { Store } from '../db/store';
import { createPgStore } from '../db/store-pg';
import { createSqliteStore } from '../db/store-sqlite';
import { DomainError, type DomainErrorKind } from '../errors';
import { UsageError } from './database-command';

const EXIT_CODE: Record<DomainErrorKind, 1 | 2> = {
  bad_data: 1,
  conflict: 1,
  bad_usage: 2,
  not_found: 2,
  rate_limited: 1,
  refused: 1,
};

/** The exit code of the command line for a domain error: 1 for bad data or a conflict with the stored state, 2 for bad usage or an unknown id. */
export function exitCodeOf(err: DomainError): 1 | 2 {
  return EXIT_CODE[err.kind];
}

export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

/** Runs a command body; returns its exit code. */
export async function runDomainCommand(command: string, body: () => Promise<void> | void): Promise<number> {
  try {
    await body();
    return 0;
  } catch (err) {
    const say = (m: string) => process.stderr.write(`kelisim ${command}: ${oneLine(m)}\n`);
    if (err instanceof UsageError || err instanceof ConfigError) { say(err.message); return 2; }
    if (err instanceof DomainError) { say(err.message); return exitCodeOf(err); }
    if (err instanceof AnalysisError) { say(err.message); return 1; }
    throw err;
  }
}

/** parseArgs with strict options; a mistake becomes a UsageError carrying `usage`. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string): { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return r as unknown as { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] };
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. ${usage}`);
  }
}

/** A whole number > 0 given as option `name`, or a UsageError. */
export function positiveInt(name: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a whole number of 1 or more, got "${value ?? ''}"`);
  return Number(value);
}

/** Calls `fn` with the configured database (which must exist), closing it when fn has finished. */
export async function withConfiguredDb<T>(fn: (db: Db, dbFile: string) => Promise<T> | T): Promise<T> {
  const config = loadConfig();
  if (!fs.existsSync(config.dbFile)) {
    throw new UsageError(`no database at ${config.dbFile}; start the server once (npm start) or set KELISIM_DB`);
  }
  const db = openDb(config.dbFile);
  try {
    return await fn(db, config.dbFile);
  } finally {
    db.$client.close();
  }
}

/**
 * Calls `fn` with the store of the configured database (decision 027): PostgreSQL when
 * KELISIM_DATABASE_URL is set, else the SQLite file (which must exist); closed when fn has finished.
 */
export async function withConfiguredStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  let store: Store;
  if (config.databaseUrl !== undefined) {
    const url = config.databaseUrl;
    const db = await openPg(url).catch((err: unknown) => {
      throw new UsageError(`could not open the PostgreSQL database ${redactUrl(url)} (${err instanceof Error ? err.message : String(err)}); check KELISIM_DATABASE_URL and that the server is running`);
    });
    store = createPgStore(db.$client);
  } else {
    if (!fs.existsSync(config.dbFile)) throw new UsageError(`no database at ${config.dbFile}; start the server once (npm start) or set KELISIM_DB`);
    store = createSqliteStore(openDb(config.dbFile));
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
