// What `kelisim backup` and `kelisim restore` share: one `--<flag> FILE` argument, the configured
// database (KELISIM_DB), and a BackupError (server/db/backup.ts) sorted into the caller's mistakes
// (exit 2, as runCommand reports them) and the data's (exit 1, one line on stderr).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig } from '../config';
import { BackupError } from '../db/backup';
import { runCommand, UsageError } from './database-command';

export interface BackupCommand {
  command: 'backup' | 'restore';
  /** The one option, given as `--<flag> FILE`. */
  flag: 'out' | 'from';
  usage: string;
  /** The BackupError codes that are the caller's mistake (exit 2) rather than the data's (exit 1). */
  usageCodes: ReadonlySet<BackupError['code']>;
  /** The work, on the resolved FILE and the configured database: returns the line to print. */
  run(file: string, dbFile: string): Promise<string>;
}

export async function runBackupCommand(argv: string[], c: BackupCommand): Promise<number> {
  let failure: BackupError | undefined;
  const code = await runCommand(c.command, async () => {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { [c.flag]: { type: 'string' } }, strict: true, allowPositionals: false }));
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n${c.usage}`);
    }
    const given = values[c.flag];
    if (typeof given !== 'string' || given === '') throw new UsageError(`${c.command} needs --${c.flag} FILE\n${c.usage}`);
    const config = loadConfig();
    if (config.databaseUrl !== undefined) {
      throw new UsageError(`${c.command} works on the SQLite file KELISIM_DB names, and KELISIM_DATABASE_URL points this deployment at PostgreSQL: back PostgreSQL up with its own tools (pg_dump, pg_basebackup, or your managed service's backups); unset KELISIM_DATABASE_URL to ${c.command} a SQLite file`);
    }
    const file = path.resolve(given);
    try {
      process.stdout.write(`${await c.run(file, config.dbFile)}\n`);
    } catch (err) {
      if (!(err instanceof BackupError)) throw err;
      if (c.usageCodes.has(err.code)) throw new UsageError(err.message);
      failure = err;
    }
  });
  if (failure) {
    process.stderr.write(`kelisim ${c.command}: ${failure.message}\n`);
    return 1;
  }
  return code;
}
