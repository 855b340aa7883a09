// `kelisim db copy --from FILE --to postgres://…`: moves a deployment from its SQLite file into an
// empty PostgreSQL database and verifies the copy (server/db/copy-pg.ts, docs/decisions/026).
// Prints one line per table (rows, content hash, equal on both sides) and a total.
// Exit codes as the other commands: 0 done, 1 refused or failed (a non-empty target, a source that
// is not a current Kelisim database, a row PostgreSQL cannot hold), 2 a usage mistake (an option,
// a missing file, a URL that does not reach a database).
import path from 'node:path';
import { loadConfig } from '../config';
import { isPostgresUrl, redactUrl } from '../db/open-pg';
import { UsageError } from './database-command';
import { parseOptions, positiveInt, runDomainCommand } from './domain-command';

const USAGE = 'usage: npm run -s kelisim -- db copy --to postgres://user:password@host:port/database [--from FILE (default KELISIM_DB)] [--batch ROWS]';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'copy') {
    process.stderr.write(`kelisim db: ${sub ? `unknown subcommand "${sub}"` : 'needs a subcommand'}\n${USAGE}\n`);
    return 2;
  }
  return runDomainCommand('db copy', async () => {
    const { values, positionals } = parseOptions(rest, { from: { type: 'string' }, to: { type: 'string' }, batch: { type: 'string' } }, USAGE);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". ${USAGE}`);
    if (!values.to) throw new UsageError(`db copy needs --to, the PostgreSQL database to copy into. ${USAGE}`);
    if (!isPostgresUrl(values.to)) throw new UsageError(`--to must be a postgres:// or postgresql:// URL, got "${redactUrl(values.to)}"`);
    const batchRows = values.batch === undefined ? undefined : positiveInt('batch', values.batch);
    const from = values.from ? path.resolve(values.from) : loadConfig().dbFile;
    const { copySqliteToPg } = await import('../db/copy-pg');
    const out = (s: string) => process.stdout.write(s + '\n');
    let first = true;
    const report = await copySqliteToPg(from, values.to, {
      ...(batchRows ? { batchRows } : {}),
      onTable: (t) => {
        if (first) {
          first = false;
          out(`copying ${from} to ${redactUrl(values.to!)} in one transaction (nothing is kept unless every table matches)`);
          out(`${'table'.padEnd(20)} ${'rows'.padStart(10)}  sha-256 of the rows (SQLite = PostgreSQL)`);
        }
        out(`${t.name.padEnd(20)} ${t.rows.toLocaleString('en').padStart(10)}  ${t.hash}  ok`);
      },
    });
    const seconds = report.ms / 1000;
    out(`copied ${report.tables.length} tables, ${report.rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s (${Math.round(report.rows / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s); `
      + `row counts and content hashes equal on both sides; PostgreSQL migrations applied: ${report.migrationsApplied}; committed`);
  });
}
