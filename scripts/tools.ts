// The programs outside node that tests need (a browser, PSPP, PostgreSQL), and how
// `npm test` finds them before any test runs (docs/decisions/009-test-tools-and-clean-runs.md).
//
// Each tool has an environment variable the tests read for its path. A tool is *required* when a
// file under test/ names that variable — so adding a test that needs PSPP (reading PSPP_PATH) makes
// PSPP required, and nothing else has to change. For every required tool the finder takes, in
// order: the variable if set (an explicit path that is wrong is an error, never silently replaced),
// the usual absolute locations, then the program names on PATH. What is still missing is installed
// from Debian's packages when this machine can (root and apt-get), with a one-line notice;
// otherwise `npm test` stops with one message naming exactly what to install.
//
// The decision (`planTools`) is pure over a description of the machine, so it is unit-tested with
// fake paths (test/tooling/tools.test.ts); `describeMachine` reads the real one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Tool {
  /** What a person calls it, in messages. */
  name: string;
  /** The environment variable that holds its path, set by `npm test` for the tests to read. */
  env: string;
  /** The usual absolute locations, tried in order after the variable. */
  paths: string[];
  /** Program names looked up on PATH after those. */
  programs: string[];
  /** The Debian package that provides it. */
  debianPackage: string;
  /** What it is needed for, in messages. */
  neededFor: string;
}

export const TOOLS: Tool[] = [
  {
    name: 'Chromium',
    env: 'CHROMIUM_PATH',
    paths: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium', '/opt/google/chrome/chrome'],
    programs: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
    debianPackage: 'chromium',
    neededFor: 'the end-to-end tests of the respondent page',
  },
  {
    name: 'PSPP',
    env: 'PSPP_PATH',
    // The syntax runner: the tests read a .sav back with GET FILE / DISPLAY DICTIONARY / LIST.
    paths: ['/usr/bin/pspp', '/usr/local/bin/pspp'],
    programs: ['pspp'],
    debianPackage: 'pspp',
    neededFor: 'the tests that read SPSS files back',
  },
  {
    name: 'PostgreSQL',
    env: 'INITDB_PATH',
    // Debian keeps the server programs out of PATH, per major version; initdb's folder also holds
    // postgres, which test/helpers/pg-cluster.ts starts (a throw-away cluster per test run).
    paths: ['/usr/lib/postgresql/17/bin/initdb', '/usr/lib/postgresql/16/bin/initdb', '/usr/lib/postgresql/15/bin/initdb'],
    programs: ['initdb'],
    debianPackage: 'postgresql',
    neededFor: 'the tests that run on PostgreSQL (a throw-away cluster per test run)',
  },
];

/** What the finder may know about the machine; everything it decides depends only on this. */
export interface Machine {
  env: Record<string, string | undefined>;
  /** Whether `file` is an executable regular file. */
  isExecutable: (file: string) => boolean;
  /** Running as root (uid 0): apt-get can install. */
  isRoot: boolean;
}

export type ToolPlan =
  | { tool: Tool; status: 'found'; path: string; from: 'env' | 'usual' | 'PATH' }
  | { tool: Tool; status: 'bad-env'; value: string }
  | { tool: Tool; status: 'missing' };

export interface Plan {
  tools: ToolPlan[];
  /** Debian packages to install now (empty when nothing is missing or this machine cannot). */
  install: string[];
  /** Why the tests cannot run (one message), or null. */
  error: string | null;
}

/** The first file named `program` in a PATH folder that is executable, or null. */
export function onPath(program: string, machine: Machine): string | null {
  for (const dir of (machine.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, program);
    if (machine.isExecutable(file)) return file;
  }
  return null;
}

/** Where `tool` is on this machine, without installing anything. */
export function locateTool(tool: Tool, machine: Machine): ToolPlan {
  const value = machine.env[tool.env];
  if (value !== undefined && value.trim() !== '') {
    return machine.isExecutable(value) ? { tool, status: 'found', path: value, from: 'env' } : { tool, status: 'bad-env', value };
  }
  const usual = tool.paths.find((p) => machine.isExecutable(p));
  if (usual) return { tool, status: 'found', path: usual, from: 'usual' };
  for (const program of tool.programs) {
    const found = onPath(program, machine);
    if (found) return { tool, status: 'found', path: found, from: 'PATH' };
  }
  return { tool, status: 'missing' };
}

/** The tools whose variable some test file names (`testSources` are the files' contents). */
export function requiredTools(tools: Tool[], testSources: string[]): Tool[] {
  return tools.filter((t) => testSources.some((source) => source.includes(t.env)));
}

/**
 * What `npm test` must do about `required`: run, install some Debian packages first, or stop with
 * one message. A wrong explicit variable is never "fixed" by installing: the person set it.
 */
export function planTools(required: Tool[], machine: Machine): Plan {
  const tools = required.map((t) => locateTool(t, machine));
  const bad = tools.filter((p): p is Extract<ToolPlan, { status: 'bad-env' }> => p.status === 'bad-env');
  if (bad.length > 0) {
    const what = bad.map((p) => `${p.tool.env}=${p.value} is not an executable file (it should be ${p.tool.name}, for ${p.tool.neededFor})`).join('; ');
    return { tools, install: [], error: `npm test: ${what}; fix or unset it.` };
  }
  const missing = tools.filter((p) => p.status === 'missing').map((p) => p.tool);
  if (missing.length === 0) return { tools, install: [], error: null };
  const packages = missing.map((t) => t.debianPackage);
  const canInstall = machine.isRoot && onPath('apt-get', machine) !== null;
  if (canInstall) return { tools, install: packages, error: null };
  return { tools, install: [], error: missingMessage(missing) };
}

/** The one message for tools that are missing and cannot be installed here. */
export function missingMessage(missing: Tool[]): string {
  const needs = missing.map((t) => `${t.name} (for ${t.neededFor})`).join(' and ');
  const packages = missing.map((t) => t.debianPackage).join(' ');
  const vars = missing.map((t) => t.env).join(' / ');
  return `npm test needs ${needs} and found none: install it with "sudo apt-get install -y ${packages}" (Debian/Ubuntu), or set ${vars} to the program's path.`;
}

/** The real machine. */
export function describeMachine(env: Record<string, string | undefined> = process.env): Machine {
  return {
    env,
    isExecutable: (file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    isRoot: process.getuid?.() === 0,
  };
}

/**
 * Installs Debian `packages` with apt-get (update, then install without recommends); returns null,
 * or a message saying what failed. Needs root; `npm test` and the PostgreSQL test cluster call it.
 */
export function aptInstall(packages: string[]): string | null {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...packages]]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (r.status !== 0) return `${r.stdout ?? ''}${r.stderr ?? ''}\n"apt-get ${args.join(' ')}" failed (exit ${r.status ?? r.signal})`;
  }
  return null;
}

/**
 * The path of `tool` on this machine, installing its Debian package first when it is missing and
 * this machine can (root with apt-get), with a one-line notice on stderr. For a test run started
 * without `npm test` (`npx vitest run <file>`), which does the same before vitest starts.
 * Throws one message saying what to install or fix when it cannot.
 */
export function ensureTool(tool: Tool, machine: Machine = describeMachine()): string {
  let plan = planTools([tool], machine);
  if (plan.error) throw new Error(plan.error);
  if (plan.install.length > 0) {
    process.stderr.write(`installing ${plan.install.join(' ')} with apt-get (${tool.name}, for ${tool.neededFor}; set ${tool.env} to use another)…\n`);
    const failed = aptInstall(plan.install);
    if (failed) throw new Error(`${failed}; install ${plan.install.join(' ')} yourself or set ${tool.env}.`);
    plan = planTools([tool], describeMachine(machine.env));
    if (plan.error || plan.install.length > 0) throw new Error(plan.error ?? `apt-get installed ${plan.install.join(' ')} but ${tool.name} is still not found; set ${tool.env}.`);
  }
  const found = plan.tools[0]!;
  if (found.status !== 'found') throw new Error(`${tool.name} not found; set ${tool.env}.`);
  return found.path;
}
