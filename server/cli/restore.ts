// `kelisim restore --from FILE`: replaces the configured database (KELISIM_DB) with a checked
// backup, keeping the old file as <database>.before-restore-<time>; refused while a server uses
// the database (server/db/backup.ts, server/db/lock.ts).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig } from '../config';
import { BackupError, restoreDatabase } from '../db/backup';
import { runCommand, UsageError } from './database-command';

const USAGE = 'usage: npm run -s kelisim -- restore --from FILE    (replaces KELISIM_DB; stop the server first)';

const USAGE_CODES = new Set<BackupError['code']>(['no_database', 'same_file']);

export async function run(argv: string[]): Promise<number> {
  let failure: BackupError | undefined;
  const code = await runCommand('restore', async () => {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { from: { type: 'string' } }, strict: true, allowPositionals: false }));
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
    if (!values.from) throw new UsageError(`restore needs --from FILE\n${USAGE}`);
    const config = loadConfig();
    const from = path.resolve(values.from);
    try {
      const r = await restoreDatabase(from, config.dbFile);
      const schema = r.applied < r.known ? `; its schema is ${r.known - r.applied} migration(s) older and is brought up to date when the server starts` : '';
      const kept = r.previous ? `; the previous database is kept as ${r.previous}` : '';
      process.stdout.write(`restored ${config.dbFile} from ${from}${schema}${kept}\n`);
    } catch (err) {
      if (!(err instanceof BackupError)) throw err;
      if (USAGE_CODES.has(err.code)) throw new UsageError(err.message);
      failure = err;
    }
  });
  if (failure) {
    process.stderr.write(`kelisim restore: ${failure.message}\n`);
    return 1;
  }
  return code;
}
