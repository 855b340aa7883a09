// Starts a compiled program of dist/server in this very process: `node scripts/run.mjs kelisim …`
// (what `npm run kelisim` runs) or `node scripts/run.mjs main` (`npm start`).
//
// It rebuilds first when the build is missing or older than a source (scripts/build-server.mjs),
// so `npm ci` followed by a command just works and an edited or freshly pulled checkout never runs
// old code. The check is one stat per source file; the program then runs as plain JavaScript.
// Being the same process matters: a signal sent to it (Ctrl-C, SIGTERM, SIGKILL) reaches the server.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildServer, ENTRIES, OUT_DIR, staleReason } from './build-server.mjs';

const [name, ...args] = process.argv.slice(2);
if (!name || !Object.hasOwn(ENTRIES, name)) {
  process.stderr.write(`usage: node scripts/run.mjs <${Object.keys(ENTRIES).join('|')}> [arguments]\n`);
  process.exit(2);
}
const reason = staleReason();
if (reason) {
  try {
    await buildServer();
  } catch (err) {
    process.stderr.write(`kelisim: cannot build dist/server (${reason}): ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
// The program reads its arguments from process.argv.slice(2), as if started directly.
process.argv = [process.argv[0], path.join(OUT_DIR, `${name}.js`), ...args];
await import(pathToFileURL(path.join(OUT_DIR, `${name}.js`)).href);
