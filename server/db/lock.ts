// How a program says it is using a database file: a lock file beside it, `<database>.lock`, holding
// the process id. The server (server/main.ts) claims it at start and removes it when it stops;
// `kelisim restore` claims it while it replaces the file, and refuses while someone else holds it.
//
// A lock whose process no longer exists (a server killed with SIGKILL, a machine that went down)
// is stale and is taken over. Liveness is `kill(pid, 0)` on this machine: a database on a shared
// network folder used from another machine is not protected (and SQLite over NFS is not advised).
import fs from 'node:fs';
import path from 'node:path';

export type LockErrorCode = 'database_in_use';

/** The database is held by another live process. */
export class DatabaseLockError extends Error {
  override name = 'DatabaseLockError';
  constructor(readonly code: LockErrorCode, message: string, readonly pid: number) {
    super(message);
  }
}

export const lockFileOf = (dbFile: string): string => `${dbFile}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The id of the live process holding `dbFile`'s lock, or null when none does. */
export function lockHolder(dbFile: string): number | null {
  let text;
  try {
    text = fs.readFileSync(lockFileOf(dbFile), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim().split('\n')[0]);
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
}

export interface DatabaseLock {
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

/**
 * Claims `dbFile` for this process (`holder` says who, for the message another process gets).
 * Throws DatabaseLockError when another live process holds it. The lock is also released when the
 * process exits normally (process.exit included).
 */
export function claimDatabase(dbFile: string, holder: string): DatabaseLock {
  const file = lockFileOf(dbFile);
  const content = `${process.pid}\n${holder}\n`;
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx': created only if absent, so two processes starting together cannot both win.
      fs.writeFileSync(file, content, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = lockHolder(dbFile);
      if (pid !== null) {
        const who = fs.readFileSync(file, 'utf8').split('\n')[1]?.trim() || 'another program';
        throw new DatabaseLockError('database_in_use', `${dbFile} is in use by ${who} (process ${pid}); stop it first`, pid);
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (fs.readFileSync(file, 'utf8') === content) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return { release };
}
