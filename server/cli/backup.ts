// `kelisim backup --out FILE`: a consistent copy of the configured database (KELISIM_DB), made
// while the server keeps running and accepting answers (server/db/backup.ts).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig } from '../config';
import { backupDatabase, BackupError } from '../db/backup';
import { runCommand, UsageError } from './database-command';

const USAGE = 'usage: npm run -s kelisim -- backup --out FILE    (a new file; the database is KELISIM_DB)';

/** Whether a backup failure is the caller's mistake (exit 2) rather than the data's (exit 1). */
const USAGE_CODES = new Set<BackupError['code']>(['no_database', 'target_exists']);

export async function run(argv: string[]): Promise<number> {
  let failure: BackupError | undefined;
  const code = await runCommand('backup', async () => {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { out: { type: 'string' } }, strict: true, allowPositionals: false }));
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
    if (!values.out) throw new UsageError(`backup needs --out FILE\n${USAGE}`);
    const config = loadConfig();
    const out = path.resolve(values.out);
    try {
      const r = await backupDatabase(config.dbFile, out);
      process.stdout.write(`backed up ${config.dbFile} to ${out} (${(r.bytes / 1048576).toFixed(1)} MB in ${(r.ms / 1000).toFixed(2)} s)\n`);
    } catch (err) {
      if (!(err instanceof BackupError)) throw err;
      if (USAGE_CODES.has(err.code)) throw new UsageError(err.message);
      failure = err;
    }
  });
  if (failure) {
    process.stderr.write(`kelisim backup: ${failure.message}\n`);
    return 1;
  }
  return code;
}
