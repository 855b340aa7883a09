// `npm run demo`: (re)creates the demonstration database (data/demo.db, or KELISIM_DEMO_DB) filled
// with synthetic respondents and published runs, then starts the app on it exactly as `npm start`
// does. Every API answer says `demo: true`: the database itself carries the marker. KELISIM_DB is
// deliberately not read: the demo must never replace the real database (and refuses any existing
// file without the demo marker). With KELISIM_DATABASE_URL the demo is built into that PostgreSQL
// database, which must be empty or a demo already (anything else is refused, unchanged).
import path from 'node:path';
import { redactUrl } from '../db/pg-url';
import { buildDemoDatabase, buildDemoDatabasePg } from './build';

const url = process.env.KELISIM_DATABASE_URL?.trim() || undefined;
const file = path.resolve(process.env.KELISIM_DEMO_DB?.trim() || 'data/demo.db');
if (!url) process.env.KELISIM_DB = file;
const where = url ? `${redactUrl(url)} (KELISIM_DATABASE_URL)` : file;
const surveysDir = path.resolve(process.env.KELISIM_SURVEYS_DIR?.trim() || 'surveys');
process.stdout.write(`Building the demonstration database ${where} (synthetic data, recreated on every run)…\n`);
try {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const s = url ? await buildDemoDatabasePg({ url, surveysDir, log }) : await buildDemoDatabase({ file, surveysDir, log });
  process.stdout.write(`Demo data: ${s.waves} quarterly waves, ${s.respondents} synthetic respondents, ${s.runs} published runs in ${s.seconds.toFixed(1)} s.\n\n`);
} catch (err) {
  process.stderr.write(`kelisim demo: cannot build ${where}: ${(err as Error).message}\n`);
  process.exit(1);
}
// The server itself, as `npm start` runs it, on the demo database.
await import('../main');
