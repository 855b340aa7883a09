// The store a feature service is given (decision 027): reads through an executor, writes as
// transactions that settle once durable. server/db/store-sqlite.ts is the SQLite store; the
// PostgreSQL store follows the same contract.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Dialect, Sql } from './sql';

export interface Store {
  readonly dialect: Dialect;
  /** Reads outside any write transaction. */
  readonly sql: Sql;
  /**
   * Runs `fn` as one transaction (all of it or nothing) and resolves with its value once the
   * transaction is durable; a rejected `fn` leaves nothing behind and rejects with its error.
   * `fn` awaits nothing but `tx` (no files, no network): on SQLite it shares a transaction with
   * the other writes of the same moment.
   */
  write<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * The driver's own handle under the store, for a library that talks to the engine itself
   * (rate-limiter-flexible's SQLite and PostgreSQL stores: server/antibot/limits.ts). Services use
   * `sql` and `write`.
   */
  readonly driver?: { dialect: 'sqlite'; connection: Database.Database } | { dialect: 'postgres'; pool: pg.Pool };
}

/** A write job let other work of the event loop run inside its open transaction (store-sqlite.ts). */
export class WriteJobYieldedError extends Error {
  override name = 'WriteJobYieldedError';
  constructor() {
    super('a write job awaited something other than the database inside its transaction (files, network, timers); do that before or after the write');
  }
}
