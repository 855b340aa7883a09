// Compiles the server and the `kelisim` command line once, into plain JavaScript that node runs
// without a TypeScript loader (docs/decisions/008-compiled-server-and-commands.md).
//
//   node scripts/build-server.mjs             build dist/server/
//   node scripts/build-server.mjs --if-stale  build only when a source is newer than the build
//
// One esbuild bundle per entry (server/main.ts → dist/server/main.js, server/cli/main.ts →
// dist/server/kelisim.js) with code splitting, so a command's module still loads only when that
// command runs. The npm packages are bundled too, except native ones (better-sqlite3), which node
// loads from node_modules: resolving and loading drizzle-orm's and zod's hundreds of small files
// cost ~0.1 s more at every start than one bundle (measured: `wave list` 0.25 s → 0.14 s above
// `node -e 0`). Every output file lives in dist/server/ itself, so server/db/open.ts's
// `import.meta.url` points there from whichever chunk holds it, and the migrations are copied
// beside it.
//
// dist/server/build-info.json lists every source file the bundle was made from and when the build
// began: a build is stale when any of them changed since (or is gone). scripts/run.mjs checks that
// before every start, so an edited checkout never runs old code silently.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = path.join(ROOT, 'dist/server');
export const BUILD_INFO = path.join(OUT_DIR, 'build-info.json');
/** The programs, by name: what scripts/run.mjs starts. */
export const ENTRIES = { main: 'server/main.ts', kelisim: 'server/cli/main.ts', demo: 'server/demo/main.ts' };
/**
 * Worker-thread entries, loaded by file name from the bundle (server/runs/worker-pool.ts starts
 * `new URL('./worker.js', import.meta.url)`), so each must be its own output file in dist/server.
 */
const WORKERS = {
  worker: 'server/runs/worker.ts', 'export-worker': 'server/exports/worker.ts', 'input-worker': 'server/runs/input-worker.ts', 'domain-worker': 'server/runs/domain-worker.ts',
};
const MIGRATIONS = 'server/db/migrations';
/** PostgreSQL's migrations (server/db/open-pg.ts reads them beside its chunk, as open.ts does SQLite's). */
const MIGRATIONS_PG = 'server/db/migrations-pg';
/**
 * Packages node must load from node_modules: native addons cannot be bundled, and exceljs (loaded
 * only by the commands that read or write XLSX) still calls `new Buffer()`, which node reports as a
 * deprecation warning on stderr unless the call comes from inside node_modules. `pg` is bundled; its
 * optional native binding `pg-native` (loaded only if asked for, which we never do) is not installed.
 */
const EXTERNAL = ['better-sqlite3', 'exceljs', 'pg-native'];

/**
 * Every file a build depends on beyond the bundled sources: this script, the migrations, and the
 * lock files (npm rewrites node_modules/.package-lock.json at every install that changes a package,
 * so an upgraded dependency makes the bundle that contains it stale).
 */
function extraInputs() {
  const migrations = [MIGRATIONS, MIGRATIONS_PG].flatMap((folder) => fs.readdirSync(path.join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name))));
  const locks = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'].filter((f) => fs.existsSync(path.join(ROOT, f)));
  return [path.relative(ROOT, fileURLToPath(import.meta.url)), ...locks, ...migrations];
}

/**
 * Why the build in dist/server cannot be used as it is (a sentence naming the file), or null when
 * it is up to date. Costs one stat per source file (about 1 ms).
 */
export function staleReason() {
  let info;
  try {
    info = JSON.parse(fs.readFileSync(BUILD_INFO, 'utf8'));
  } catch {
    return 'dist/server has not been built';
  }
  for (const name of [...Object.keys(ENTRIES), ...Object.keys(WORKERS)]) {
    if (!fs.existsSync(path.join(OUT_DIR, `${name}.js`))) return `dist/server/${name}.js is missing`;
  }
  for (const input of info.inputs) {
    let stat;
    try {
      stat = fs.statSync(path.join(ROOT, input));
    } catch {
      return `${input} is gone`;
    }
    if (stat.mtimeMs > info.startedAt) return `${input} changed`;
  }
  // A migration added since the build is not among the recorded inputs.
  const known = new Set(info.inputs);
  const added = extraInputs().find((f) => !known.has(f));
  return added ? `${added} is new` : null;
}

/**
 * Builds dist/server (esbuild is a development dependency, loaded only here). The new build is made
 * in a folder of its own and then swapped in, so a program starting meanwhile finds the old build
 * or the new one, whole.
 */
export async function buildServer() {
  const { build } = await import('esbuild');
  // Sources saved while the build runs must make it stale: compare mtimes with the start.
  const startedAt = Date.now();
  const next = `${OUT_DIR}.new-${process.pid}`;
  const previous = `${OUT_DIR}.old-${process.pid}`;
  fs.rmSync(next, { recursive: true, force: true });
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: Object.entries({ ...ENTRIES, ...WORKERS }).map(([out, source]) => ({ in: source, out })),
      outdir: next,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      // CommonJS packages inside an ES module bundle still call require() for node's own modules.
      banner: { js: "import { createRequire as __kelisimCreateRequire } from 'node:module'; const require = __kelisimCreateRequire(import.meta.url);" },
      chunkNames: '[name]-[hash]',
      // Not minified and without source maps: a stack trace names readable code (each module is
      // headed by its source path), and the build stays quick.
      metafile: true,
      logLevel: 'warning',
    });
    fs.cpSync(path.join(ROOT, MIGRATIONS), path.join(next, 'migrations'), { recursive: true });
    fs.cpSync(path.join(ROOT, MIGRATIONS_PG), path.join(next, 'migrations-pg'), { recursive: true });
    // Our own sources; the packages' files are covered by the lock files.
    const bundled = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
    const inputs = [...new Set([...bundled, ...extraInputs()])].sort();
    fs.writeFileSync(path.join(next, 'build-info.json'), JSON.stringify({ startedAt, inputs }, null, 1) + '\n');
    try {
      if (fs.existsSync(OUT_DIR)) fs.renameSync(OUT_DIR, previous);
      fs.renameSync(next, OUT_DIR);
    } catch (err) {
      // Another process built and swapped at the same moment: its build is as good as ours.
      if (staleReason() !== null) throw err;
    }
  } finally {
    fs.rmSync(next, { recursive: true, force: true });
    fs.rmSync(previous, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const reason = staleReason();
  if (!ifStale || reason) {
    const t0 = performance.now();
    await buildServer();
    process.stdout.write(`built dist/server in ${Math.round(performance.now() - t0)} ms${ifStale ? ` (${reason})` : ''}\n`);
  }
}
