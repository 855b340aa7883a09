// `npm run bench:startup`: how long the public commands take to start, next to npm's own cost.
//
//   - `npm run -s bench:noop` (a script that is just `node -e 0`) and `npm run -s kelisim -- wave list`
//     on a database with one wave, alternating, ROUNDS times each; the goal is that the command adds
//     at most 0.2 s to the no-op (issue 10);
//   - `npm start`: from the moment its build prints "built in" to the first answered request
//     (GET /api/links/<slug>), polling every 10 ms; the goal is 1 s.
// For reference it also times `node -e 0` and the development command (`npm run -s kelisim:dev`,
// tsx). Figures are medians on this machine; a shared machine makes them vary. ROUNDS (default 7)
// and START_ROUNDS (default 3; 0 skips npm start) set the number of runs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/spawn';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const START_ROUNDS = Number(process.env.START_ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

/** Runs `npm start`; resolves with the ms from "built in" to the first answered request. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<{ afterBuild: number; total: number; slug: string }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let builtAt: number | undefined;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (builtAt === undefined && /built in/.test(out)) builtAt = performance.now();
  });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited:\n${out}`);
      if (performance.now() - t0 > 180_000) throw new Error(`npm start did not answer within 180 s:\n${out}`);
      const slug = /\/s\/([A-Za-z0-9_-]+)/.exec(out)?.[1] ?? 'bench-probe';
      if (builtAt !== undefined) {
        const res = await fetch(`http://127.0.0.1:${port}/api/links/${slug}`).catch(() => undefined);
        if (res) {
          await res.body?.cancel();
          const now = performance.now();
          return { afterBuild: now - builtAt, total: now - t0, slug };
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    // npm, its shell and node form one process group: stop them all, gracefully.
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-startup-'));
  const env = { ...process.env, KELISIM_DB: path.join(dir, 'kelisim.db') };
  try {
    process.stdout.write(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    // The build is part of `npm start`, not of a command: make sure it is done before timing one.
    spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'ignore' });

    process.stdout.write(`npm start (${START_ROUNDS} runs; the first creates the database):\n`);
    const starts: number[] = [];
    for (let i = 0; i < START_ROUNDS; i++) {
      const r = await npmStart(env);
      starts.push(r.afterBuild);
      process.stdout.write(`  first request answered ${s(r.afterBuild)} after the build finished (${s(r.total)} in all)\n`);
    }

    if (starts.length === 0) {
      // The command needs a database with a wave: one untimed start makes it.
      const r = await npmStart(env);
      process.stdout.write(`  (one untimed start made the database; its first request came ${s(r.afterBuild)} after the build)\n`);
    }

    const noop: number[] = [];
    const command: number[] = [];
    const nodeOnly: number[] = [];
    timed('npm', ['run', '-s', 'kelisim', '--', 'wave', 'list'], env); // warm the file cache
    for (let i = 0; i < ROUNDS; i++) {
      noop.push(timed('npm', ['run', '-s', 'bench:noop'], env));
      command.push(timed('npm', ['run', '-s', 'kelisim', '--', 'wave', 'list'], env));
      nodeOnly.push(timed(process.execPath, ['-e', '0'], env));
    }
    const dev = [0, 1, 2].map(() => timed('npm', ['run', '-s', 'kelisim:dev', '--', 'wave', 'list'], env));

    const added = median(command) - median(noop);
    process.stdout.write([
      `medians of ${ROUNDS} alternating runs:`,
      `  node -e 0                                 ${s(median(nodeOnly))}`,
      `  npm run -s bench:noop (node -e 0)         ${s(median(noop))}`,
      `  npm run -s kelisim -- wave list           ${s(median(command))}   adds ${s(added)} (goal ≤ 0.200 s: ${added <= 200 ? 'met' : 'NOT met'})`,
      `  npm run -s kelisim:dev -- wave list (tsx) ${s(median(dev))}   (3 runs, development only)`,
      starts.length === 0 ? '  npm start: not timed (START_ROUNDS=0)'
        : `  npm start: first request ${s(median(starts))} after the build (median of ${START_ROUNDS}; goal ≤ 1 s: ${median(starts) <= 1000 ? 'met' : 'NOT met'})`,
      '',
    ].join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
