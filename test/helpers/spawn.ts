// Running the real `kelisim` command line and server as child processes (through tsx, as npm does).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './app';

export const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');

/**
 * Node with tsx's loader, in one process: the `tsx` binary would run the script in a child
 * process, and a SIGKILL sent to it could not reach the server itself.
 */
export const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;

/** Runs `kelisim <args>` and resolves with its exit code and output (never rejects on a non-zero exit). */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [path.join(REPO_ROOT, 'server/cli/main.ts'), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `tsx server/main.ts` with `env`; resolves once it prints its respondent link. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<{ child: ChildProcess; link: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), path.join(REPO_ROOT, 'server/main.ts')], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Runs `server/main.ts` expecting it to exit by itself (a start-up failure); kills it after 30 s. */
export function runServerExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(NODE_TSX[0], [...NODE_TSX.slice(1), path.join(REPO_ROOT, 'server/main.ts')],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}
