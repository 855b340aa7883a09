// `kelisim restore --from FILE`: replaces the configured database (KELISIM_DB) with a checked
// backup, keeping the old file as <database>.before-restore-<time>; refused while a server uses
// the database (server/db/backup.ts, server/db/lock.ts).
import { restoreDatabase } from '../db/backup';
import { runBackupCommand } from './backup-command';

export function run(argv: string[]): Promise<number> {
  return runBackupCommand(argv, {
    command: 'restore',
    flag: 'from',
    usage: 'usage: npm run -s kelisim -- restore --from FILE    (replaces KELISIM_DB; stop the server first)',
    usageCodes: new Set(['no_database', 'same_file']),
    run: async (from, dbFile) => {
      const r = await restoreDatabase(from, dbFile);
      const schema = r.applied < r.known ? `; its schema is ${r.known - r.applied} migration(s) older and is brought up to date when the server starts` : '';
      const kept = r.previous ? `; the previous database is kept as ${r.previous}` : '';
      return `restored ${dbFile} from ${from}${schema}${kept}`;
    },
  });
}
