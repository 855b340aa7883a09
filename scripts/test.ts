// `npm test`: the whole gate, on a fresh machine too.
//   1. the programs tests need (scripts/tools.ts): found, installed with a notice, or one message
//      saying what to install — before anything else runs;
//   2. typecheck, lint, build (client and dist/server, which the process tests run);
//   3. every test, with the tools' paths in their variables and the temporary directory pointed at
//      a folder of this run's own; anything a test leaves there fails the run;
//   4. the suites of test/postgres-suites.ts once more against PostgreSQL (KELISIM_TEST_DB=postgres,
//      decision 027), each test on a database of its own on a throw-away cluster.
// Arguments go to vitest: `npm test -- test/tooling` still checks, builds and cleans the same way,
// and runs the given files on SQLite only (KELISIM_TEST_DB=postgres runs them on PostgreSQL).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POSTGRES_SUITES } from '../test/postgres-suites';
import { aptInstall, describeMachine, planTools, requiredTools, TOOLS, locateTool } from './tools';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'node_modules/.bin');

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function testSources(): string[] {
  return fs.readdirSync(path.join(ROOT, 'test'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mjs|js)$/.test(e.name))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'));
}

/** The environment for the tests: every tool found, in its variable. Exits when a required one is missing. */
function ensureTools(): Record<string, string> {
  const required = requiredTools(TOOLS, testSources());
  let plan = planTools(required, describeMachine());
  if (plan.error) fail(plan.error);
  if (plan.install.length > 0) {
    const why = plan.tools.filter((p) => p.status === 'missing').map((p) => `${p.tool.name} for ${p.tool.neededFor}; set ${p.tool.env} to use another`).join('; ');
    process.stdout.write(`npm test: installing ${plan.install.join(' ')} with apt-get (${why})…\n`);
    const failed = aptInstall(plan.install);
    if (failed) fail(`npm test: ${failed}; install ${plan.install.join(' ')} yourself or set ${required.map((t) => t.env).join(' / ')}.`);
    plan = planTools(required, describeMachine());
    if (plan.error || plan.install.length > 0) fail(plan.error ?? `npm test: apt-get installed ${plan.install.join(' ')} but the program is still not found; set ${required.map((t) => t.env).join(' / ')}.`);
  }
  // Tools that are present but not required yet are passed on as well.
  const env: Record<string, string> = {};
  for (const tool of TOOLS) {
    const found = locateTool(tool, describeMachine());
    if (found.status === 'found') env[tool.env] = found.path;
  }
  return env;
}

function step(label: string, command: string, args: string[], options: SpawnSyncOptions = {}): void {
  process.stdout.write(`\n> ${label}\n`);
  const r = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (r.status !== 0) fail(`npm test: ${label} failed`, r.status ?? 1);
}

const toolEnv = ensureTools();
step('tsc --noEmit -p tsconfig.json', path.join(BIN, 'tsc'), ['--noEmit', '-p', 'tsconfig.json']);
step('eslint .', path.join(BIN, 'eslint'), ['.']);
step('vite build', path.join(BIN, 'vite'), ['build']);
step('build dist/server', process.execPath, [path.join(ROOT, 'scripts/build-server.mjs')]);

/**
 * One vitest run over `args`. Everything the tests put in the temporary directory (databases,
 * browser profiles, spawned servers' files, the PostgreSQL cluster) lands in a folder of the run's
 * own; test/global-setup.ts sees the variable and uses it; anything left there fails the run.
 */
function vitestRun(title: string, args: string[], env: NodeJS.ProcessEnv): void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-test-run-'));
  let vitest;
  try {
    process.stdout.write(`\n> ${title}\n`);
    vitest = spawnSync(path.join(BIN, 'vitest'), ['run', ...args], {
      cwd: ROOT,
      stdio: 'inherit',
      // tsx (the estimate worker in development mode, spawned tools) would keep a cache in TMPDIR.
      env: { ...process.env, ...toolEnv, ...env, TMPDIR: runDir, KELISIM_TEST_RUN_DIR: runDir, TSX_DISABLE_CACHE: '1' },
    });
  } finally {
    const left = fs.readdirSync(runDir);
    fs.rmSync(runDir, { recursive: true, force: true });
    if (left.length > 0) {
      fail(`npm test: the tests left ${left.length} temporary file(s) behind, so a test does not clean up after itself: ${left.sort().join(', ')}`);
    }
  }
  if (vitest.status !== 0) process.exit(vitest.status ?? 1);
}

const args = process.argv.slice(2);
if (args.length > 0) {
  vitestRun(`vitest run (${process.env.KELISIM_TEST_DB ?? 'sqlite'})`, args, {});
} else {
  vitestRun('vitest run (SQLite)', [], { KELISIM_TEST_DB: 'sqlite' });
  vitestRun('vitest run (PostgreSQL: test/postgres-suites.ts)', [...POSTGRES_SUITES], { KELISIM_TEST_DB: 'postgres' });
}
