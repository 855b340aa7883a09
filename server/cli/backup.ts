// `kelisim backup --out FILE`: a consistent copy of the configured database (KELISIM_DB), made
// while the server keeps running and accepting answers (server/db/backup.ts).
import { backupDatabase } from '../db/backup';
import { runBackupCommand } from './backup-command';

export function run(argv: string[]): Promise<number> {
  return runBackupCommand(argv, {
    command: 'backup',
    flag: 'out',
    usage: 'usage: npm run -s kelisim -- backup --out FILE    (a new file; the database is KELISIM_DB)',
    usageCodes: new Set(['no_database', 'target_exists']),
    run: async (out, dbFile) => {
      const r = await backupDatabase(dbFile, out);
      return `backed up ${dbFile} to ${out} (${(r.bytes / 1048576).toFixed(1)} MB in ${(r.ms / 1000).toFixed(2)} s)`;
    },
  });
}
