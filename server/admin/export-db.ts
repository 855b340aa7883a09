// The console's downloads (a wave's responses, a run's results) are written by the export worker,
// which reads a SQLite file (server/exports): on PostgreSQL they are refused before any byte is
// sent, naming what works instead (decision 027, step 2).
import type { Db } from '../db/open';
import type { Store } from '../db/store';
import { DomainError } from '../errors';

/** The SQLite connection a console export reads, or a DomainError conflict export_unavailable on another engine. */
export function exportDb(store: Store, db: Db | undefined, what: string): Db {
  if (store.dialect === 'sqlite' && db) return db;
  throw new DomainError('conflict', 'export_unavailable', `${what} is written from a SQLite database file in this version (decision 027, step 2); on PostgreSQL the console shows the wave's counts, invitations and quotas and the run's estimates, and the public API serves published results, but files cannot be downloaded yet.`);
}
