// The decision `npm test` takes about the programs tests need (scripts/tools.ts), on fake machines:
// which path it picks, when it installs, and the message when it cannot.
import { describe, expect, it } from 'vitest';
import { locateTool, missingMessage, planTools, requiredTools, TOOLS, type Machine } from '../../scripts/tools';

const chromium = TOOLS.find((t) => t.env === 'CHROMIUM_PATH')!;
// Found by package, and its variable never spelt out in this file: `npm test` requires a tool when a
// file under test/ names its variable, so this file does not by itself make PSPP required.
const pspp = TOOLS.find((t) => t.debianPackage === 'pspp')!;

function machine(executables: string[], options: { env?: Record<string, string>; root?: boolean } = {}): Machine {
  const files = new Set(executables);
  return { env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...options.env }, isExecutable: (f) => files.has(f), isRoot: options.root ?? false };
}

describe('locateTool', () => {
  it('takes CHROMIUM_PATH first, even when a usual location exists', () => {
    const found = locateTool(chromium, machine(['/opt/my/chrome', '/usr/bin/chromium'], { env: { CHROMIUM_PATH: '/opt/my/chrome' } }));
    expect(found).toMatchObject({ status: 'found', path: '/opt/my/chrome', from: 'env' });
  });

  it('reports a CHROMIUM_PATH that is not an executable instead of looking elsewhere', () => {
    const found = locateTool(chromium, machine(['/usr/bin/chromium'], { env: { CHROMIUM_PATH: '/nowhere/chrome' } }));
    expect(found).toMatchObject({ status: 'bad-env', value: '/nowhere/chrome' });
  });

  it('tries the usual locations in order: chromium, chromium-browser, google-chrome', () => {
    expect(locateTool(chromium, machine(['/usr/bin/google-chrome', '/usr/bin/chromium-browser']))).toMatchObject({ path: '/usr/bin/chromium-browser', from: 'usual' });
    expect(locateTool(chromium, machine(['/usr/bin/google-chrome']))).toMatchObject({ path: '/usr/bin/google-chrome', from: 'usual' });
  });

  it('then looks the program names up on PATH, in PATH order', () => {
    const m = machine(['/home/me/bin/chromium', '/usr/local/bin/google-chrome'], { env: { PATH: '/home/me/bin:/usr/local/bin' } });
    expect(locateTool(chromium, m)).toMatchObject({ status: 'found', path: '/home/me/bin/chromium', from: 'PATH' });
    expect(locateTool(chromium, machine([], { env: { PATH: '/home/me/bin' } }))).toMatchObject({ status: 'missing' });
  });
});

describe('requiredTools', () => {
  it('requires a tool only when a test file names its variable', () => {
    const sources = ['const b = process.env.CHROMIUM_PATH;', 'it("adds", () => {})'];
    expect(requiredTools(TOOLS, sources)).toEqual([chromium]);
    expect(requiredTools(TOOLS, [...sources, `spawn(process.env.${pspp.env}!, [...])`])).toEqual([chromium, pspp]);
    expect(requiredTools(TOOLS, ['nothing here'])).toEqual([]);
  });
});

describe('planTools', () => {
  it('runs with what it found and installs nothing', () => {
    const plan = planTools([chromium], machine(['/usr/bin/chromium', '/usr/bin/apt-get'], { root: true }));
    expect(plan).toMatchObject({ install: [], error: null });
    expect(plan.tools[0]).toMatchObject({ status: 'found', path: '/usr/bin/chromium' });
  });

  it('installs the Debian packages of what is missing when root with apt-get', () => {
    const plan = planTools([chromium, pspp], machine(['/usr/bin/apt-get'], { root: true }));
    expect(plan.install).toEqual(['chromium', 'pspp']);
    expect(plan.error).toBeNull();
  });

  it('installs only what is missing', () => {
    const plan = planTools([chromium, pspp], machine(['/usr/bin/apt-get', '/usr/bin/pspp'], { root: true }));
    expect(plan.install).toEqual(['chromium']);
  });

  it('does not install without root, or without apt-get: one message naming the package and the variable', () => {
    for (const m of [machine(['/usr/bin/apt-get'], { root: false }), machine([], { root: true })]) {
      const plan = planTools([chromium], m);
      expect(plan.install).toEqual([]);
      expect(plan.error).toBe('npm test needs Chromium (for the end-to-end tests of the respondent page) and found none: install it with "sudo apt-get install -y chromium" (Debian/Ubuntu), or set CHROMIUM_PATH to the program\'s path.');
    }
  });

  it('names every missing tool in the one message', () => {
    const message = missingMessage([chromium, pspp]);
    expect(message).toContain('Chromium (for the end-to-end tests of the respondent page) and PSPP (for the tests that read SPSS files back)');
    expect(message).toContain('sudo apt-get install -y chromium pspp');
    expect(message).toContain(`CHROMIUM_PATH / ${pspp.env}`);
    expect(message).not.toContain('\n');
  });

  it('refuses a wrong explicit variable rather than installing over it', () => {
    const plan = planTools([chromium], machine(['/usr/bin/apt-get'], { root: true, env: { CHROMIUM_PATH: '/tmp/not-here' } }));
    expect(plan.install).toEqual([]);
    expect(plan.error).toBe('npm test: CHROMIUM_PATH=/tmp/not-here is not an executable file (it should be Chromium, for the end-to-end tests of the respondent page); fix or unset it.');
  });

  it('needs nothing when no test needs a tool', () => {
    expect(planTools([], machine([]))).toEqual({ tools: [], install: [], error: null });
  });
});

describe('PostgreSQL (the tests\' throw-away cluster)', () => {
  const postgresql = TOOLS.find((t) => t.env === 'INITDB_PATH')!;

  it('finds initdb in Debian\'s per-version folder, the newest first, then on PATH', () => {
    expect(locateTool(postgresql, machine(['/usr/lib/postgresql/15/bin/initdb', '/usr/lib/postgresql/16/bin/initdb']))).toMatchObject({ path: '/usr/lib/postgresql/16/bin/initdb', from: 'usual' });
    expect(locateTool(postgresql, machine(['/usr/local/bin/initdb']))).toMatchObject({ path: '/usr/local/bin/initdb', from: 'PATH' });
  });

  it('is installed from the postgresql package when missing', () => {
    expect(planTools([postgresql], machine(['/usr/bin/apt-get'], { root: true })).install).toEqual(['postgresql']);
    expect(planTools([postgresql], machine([])).error).toContain('sudo apt-get install -y postgresql');
  });
});

describe('npm test on a machine without the browser', () => {
  it('stops before typechecking or any test, with the one message', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/test.ts'], {
      // tsx would otherwise keep its compile cache in the temporary folder, which the run checks.
      encoding: 'utf8', env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', TSX_DISABLE_CACHE: '1' },
    });
    expect(r.stderr).toBe('npm test: CHROMIUM_PATH=/nonexistent/chromium is not an executable file (it should be Chromium, for the end-to-end tests of the respondent page); fix or unset it.\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
  });
});
