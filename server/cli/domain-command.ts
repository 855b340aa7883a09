// What the compute-and-publish commands (frame, estimate, run, publish, withdraw, responses) share:
// option parsing that reports a bad option as usage (exit 2), and one mapping of failures to a
// single line on stderr — DomainError by its kind (exitCodeOf, the command line's one mapping of
// kinds), AnalysisError as bad data (1). Anything else is a fault for the command line's handler.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AnalysisError } from '../../analysis/errors';
import { ConfigError } from '../config';
import type { Db } from '../db/open';
import { DomainError, type DomainErrorKind } from '../errors';
import type { Store } from '../db/store';
import { openStoreFromEnv, UsageError } from './database-command';

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

/**
 * Calls `fn` with the configured store (SQLite or PostgreSQL: openStoreFromEnv), closing it when
 * fn has finished. `db`: the SQLite connection under the store, absent on PostgreSQL.
 */
export async function withConfiguredStore<T>(fn: (store: Store, db: Db | undefined) => Promise<T> | T): Promise<T> {
  const opened = await openStoreFromEnv();
  try {
    return await fn(opened.store, opened.db);
  } finally {
    await opened.close();
  }
}
