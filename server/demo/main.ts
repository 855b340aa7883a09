// `npm run demo`: (re)creates the demonstration database (data/demo.db, or KELISIM_DEMO_DB) filled
// with synthetic respondents and published runs, then starts the app on it exactly as `npm start`
// does. Every API answer says `demo: true`: the database itself carries the marker. KELISIM_DB is
// deliberately not read: the demo must never replace the real database (and refuses any existing
// file without the demo marker).
import path from 'node:path';
import { buildDemoDatabase } from './build';

const file = path.resolve(process.env.KELISIM_DEMO_DB?.trim() || 'data/demo.db');
process.env.KELISIM_DB = file;
const surveysDir = path.resolve(process.env.KELISIM_SURVEYS_DIR?.trim() || 'surveys');
process.stdout.write(`Building the demonstration database ${file} (synthetic data, recreated on every run)…\n`);
try {
  const s = await buildDemoDatabase({ file, surveysDir, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`Demo data: ${s.waves} quarterly waves, ${s.respondents} synthetic respondents, ${s.runs} published runs in ${s.seconds.toFixed(1)} s.\n\n`);
} catch (err) {
  process.stderr.write(`kelisim demo: cannot build ${file}: ${(err as Error).message}\n`);
  process.exit(1);
}
// The server itself, as `npm start` runs it, on the demo database.
await import('../main');
