// Running the real `kelisim` command line and server as child processes: the compiled JavaScript
// in dist/server, started the way `npm run kelisim` and `npm start` start it (scripts/run.mjs,
// which runs the program in its own process, so a SIGKILL sent to the child reaches the server).
// test/global-setup.ts builds dist/server before the tests when a source is newer than it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './app';

export { freePort } from './free-port';

const RUN = path.join(REPO_ROOT, 'scripts/run.mjs');

/** `node scripts/run.mjs kelisim` (`npm run kelisim`), as a command and its first arguments. */
export const KELISIM_COMMAND = [process.execPath, RUN, 'kelisim'] as const;
/** `node scripts/run.mjs main` (`npm start` once the client is built). */
export const SERVER_COMMAND = [process.execPath, RUN, 'main'] as const;

/** Runs `kelisim <args>` and resolves with its exit code and output (never rejects on a non-zero exit). */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KELISIM_COMMAND[0], [...KELISIM_COMMAND.slice(1), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the compiled server with `env`; resolves once it prints its respondent link. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<{ child: ChildProcess; link: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_COMMAND[0], SERVER_COMMAND.slice(1), { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`)); }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Respondent link: (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, link: m[1]!, output: () => out }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`server exited (${code ?? signal}) before listening:\n${out}`)); });
  });
}

/** Runs the compiled server expecting it to exit by itself (a start-up failure); kills it after 30 s. */
export function runServerExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(SERVER_COMMAND[0], SERVER_COMMAND.slice(1),
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

