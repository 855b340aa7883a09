// Backup and restore of the SQLite database (`kelisim backup`, `kelisim restore`).
//
// A backup is SQLite's online backup of the live database through a connection of its own: one
// step that copies every page inside one read transaction, i.e. a consistent snapshot of every
// transaction committed before it began. In WAL mode a reader never blocks the server's writer,
// so the server keeps acknowledging answers meanwhile (a file copy could catch a page mid-write
// and would miss what is still in the WAL). The copy is checked, made a single self-contained file
// (rollback journal instead of WAL), fsync'd and only then given its name.
//
// A restore checks the file (SQLite's integrity check; its applied migrations must be a prefix of
// ours: an older schema is migrated when the server starts, a newer or unknown one is refused),
// holds the database's lock meanwhile (server/db/lock.ts: refused while a server uses it), copies
// the backup into a temporary file in the database's folder, fsyncs it and renames it over the
// database — so the database is at every moment either the old one, whole, or the new one. The
// old file stays as `<database>.before-restore-<time>`.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { claimDatabase, DatabaseLockError } from './lock';
import { MIGRATIONS_DIR } from './open';

export type BackupErrorCode =
  | 'no_database' // the file to back up or restore from does not exist
  | 'target_exists' // the backup file exists already (never overwritten)
  | 'same_file' // restoring a database onto itself
  | 'not_a_database' // not an SQLite database
  | 'damaged' // PRAGMA integrity_check found problems
  | 'schema_unknown' // not a Kelisim database, or migrations we do not have
  | 'schema_newer' // made by a newer Kelisim (more migrations than ours)
  | 'database_in_use'; // a server (or another restore) holds the database

export class BackupError extends Error {
  override name = 'BackupError';
  constructor(readonly code: BackupErrorCode, message: string) {
    super(message);
  }
}

/** Pages per backup step: all of them, so the copy is one snapshot (a step never restarts). */
const ALL_PAGES = 0x7fffffff;

function fsyncPath(target: string): void {
  const fd = fs.openSync(target, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function sqliteCode(err: unknown): string {
  return String((err as { code?: unknown }).code ?? '');
}

/** Copies the database open on `source` into `target` (a new file) with SQLite's online backup. */
async function snapshot(source: Database.Database, target: string): Promise<void> {
  await source.backup(target, { progress: () => ALL_PAGES });
}

export interface BackupResult { bytes: number; ms: number }

/** Backs `dbFile` (which a server may be using) up into the new file `outFile`. */
export async function backupDatabase(dbFile: string, outFile: string): Promise<BackupResult> {
  const started = performance.now();
  if (!fs.existsSync(dbFile)) throw new BackupError('no_database', `no database at ${dbFile}`);
  if (fs.existsSync(outFile)) throw new BackupError('target_exists', `${outFile} exists already; give a new file name (a backup never overwrites)`);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const partial = `${outFile}.partial-${process.pid}`;
  let source;
  try {
    source = new Database(dbFile, { fileMustExist: true });
  } catch (err) {
    throw new BackupError('not_a_database', `cannot open ${dbFile}: ${(err as Error).message}`);
  }
  try {
    source.pragma('busy_timeout = 5000');
    await snapshot(source, partial);
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const problems = integrityProblems(copy);
      if (problems) throw new BackupError('damaged', `the copy of ${dbFile} fails SQLite's integrity check (${problems}); the database itself may be damaged`);
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fsyncPath(partial);
    // A hard link gives the file its name only if no file has it (no overwrite, even in a race).
    fs.linkSync(partial, outFile);
    fsyncPath(path.dirname(outFile));
    return { bytes: fs.statSync(outFile).size, ms: performance.now() - started };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError('target_exists', `${outFile} exists already; give a new file name (a backup never overwrites)`);
    throw err;
  } finally {
    source.close();
    fs.rmSync(partial, { force: true });
  }
}

/** The integrity check's findings in one line, or null when it says "ok". */
function integrityProblems(db: Database.Database): string | null {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  const found = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
  if (found.length === 0) return null;
  return found.slice(0, 3).join('; ').replace(/\s+/g, ' ') + (found.length > 3 ? `; and ${found.length - 3} more` : '');
}

export interface BackupCheck {
  /** Migrations the backup has applied. */
  applied: number;
  /** Migrations this version of Kelisim has. */
  known: number;
}

/**
 * Checks that `file` is an undamaged Kelisim database whose schema this version can open: its
 * applied migrations (drizzle's __drizzle_migrations, in order) must be the first of ours.
 * Opens the file read-only: the backup is never changed.
 */
export function checkBackup(file: string, migrationsDir: string = MIGRATIONS_DIR): BackupCheck {
  if (!fs.existsSync(file)) throw new BackupError('no_database', `no file at ${file}`);
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError('not_a_database', `${file} cannot be opened as an SQLite database: ${(err as Error).message}`);
  }
  try {
    let problems;
    try {
      problems = integrityProblems(db);
    } catch (err) {
      const code = sqliteCode(err);
      if (code === 'SQLITE_NOTADB') throw new BackupError('not_a_database', `${file} is not an SQLite database`);
      throw new BackupError('damaged', `${file} is damaged: ${(err as Error).message} (${code})`);
    }
    if (problems) throw new BackupError('damaged', `${file} fails SQLite's integrity check: ${problems}`);

    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
    if (!hasTable) throw new BackupError('schema_unknown', `${file} is an SQLite database but not a Kelisim one (it has no __drizzle_migrations table)`);
    const applied = db.prepare('SELECT hash, created_at AS createdAt FROM __drizzle_migrations ORDER BY created_at, id').all() as { hash: string; createdAt: number }[];
    const ours = readMigrationFiles({ migrationsFolder: migrationsDir });
    for (let i = 0; i < applied.length; i++) {
      const mine = ours[i];
      if (!mine) {
        throw new BackupError('schema_newer', `${file} was made by a newer Kelisim: it has ${applied.length} schema migrations, this version knows ${ours.length}; restore it with that version or newer`);
      }
      if (mine.hash !== applied[i]!.hash || mine.folderMillis !== Number(applied[i]!.createdAt)) {
        throw new BackupError('schema_unknown', `${file} has schema migration ${i + 1} of ${applied.length} that this version of Kelisim does not have (hash ${applied[i]!.hash.slice(0, 12)}…); it was not made by this line of Kelisim`);
      }
    }
    return { applied: applied.length, known: ours.length };
  } finally {
    db.close();
  }
}

/** `2026-11-29T13-20-05Z`: a time for file names (no colons). */
export function fileTimestamp(when: Date): string {
  return when.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

export interface RestoreResult extends BackupCheck {
  /** Where the database that was replaced now is (null when there was none). */
  previous: string | null;
}

/** Replaces `dbFile` with the checked backup `from`, keeping the old file beside it. */
export async function restoreDatabase(from: string, dbFile: string, now: Date = new Date()): Promise<RestoreResult> {
  if (path.resolve(from) === path.resolve(dbFile)) throw new BackupError('same_file', `${from} is the database itself; restore from a backup file`);
  let lock;
  try {
    lock = claimDatabase(dbFile, 'kelisim restore');
  } catch (err) {
    if (err instanceof DatabaseLockError) throw new BackupError('database_in_use', `refusing to restore: ${err.message}`);
    throw err;
  }
  const incoming = `${dbFile}.restoring-${process.pid}`;
  try {
    const check = checkBackup(from);
    const source = new Database(from, { readonly: true, fileMustExist: true });
    try {
      await snapshot(source, incoming);
    } finally {
      source.close();
    }
    fsyncPath(incoming);

    let previous: string | null = null;
    if (fs.existsSync(dbFile)) {
      previous = `${dbFile}.before-restore-${fileTimestamp(now)}`;
      foldWal(dbFile);
      // The old file keeps its contents under the new name (a second name for the same file);
      // a log SQLite could not fold in goes with it, so the old database stays whole.
      fs.linkSync(dbFile, previous);
      if (fs.existsSync(`${dbFile}-wal`)) fs.renameSync(`${dbFile}-wal`, `${previous}-wal`);
      fs.rmSync(`${dbFile}-shm`, { force: true });
    }
    fs.renameSync(incoming, dbFile);
    fsyncPath(path.dirname(dbFile));
    return { ...check, previous };
  } finally {
    fs.rmSync(incoming, { force: true });
    lock.release();
  }
}

/** Checkpoints `dbFile`'s WAL into it and closes, which removes the WAL; a damaged file is left as it is. */
function foldWal(dbFile: string): void {
  if (!fs.existsSync(`${dbFile}-wal`)) return;
  try {
    const db = new Database(dbFile, { fileMustExist: true });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch {
    // Not foldable (damaged or not a database): the caller moves the log along with the file.
  }
}
