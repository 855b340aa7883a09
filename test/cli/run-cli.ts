// Runs `kelisim` as a child process the way users do, returning exit code, stdout and stderr.
import { spawnSync } from 'node:child_process';
import { KELISIM_COMMAND } from '../helpers/spawn';

export interface CliResult { status: number | null; stdout: string; stderr: string }

/** `node scripts/run.mjs kelisim ...args` from the repository root (what `npm run kelisim` runs). */
export function kelisim(args: string[]): CliResult {
  const r = spawnSync(KELISIM_COMMAND[0], [...KELISIM_COMMAND.slice(1), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The exact public command: `npm run -s kelisim -- ...args`. */
export function npmKelisim(args: string[]): CliResult {
  const r = spawnSync('npm', ['run', '-s', 'kelisim', '--', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
