// Server configuration, parsed once at start from the environment. A bad value stops the server
// with a message naming the variable, the value and what is expected — never a silent default.
import path from 'node:path';
import { z } from 'zod';

export interface Config {
  /** TCP port to listen on (0 = any free port, used by tests). */
  port: number;
  /** Interface to bind; undefined = Node's default (all interfaces, IPv4 and IPv6). */
  host: string | undefined;
  /** Absolute path of the SQLite database file. */
  dbFile: string;
  /**
   * 'full' (default): every acknowledged write has been fsync'd, so it survives kill -9 and a
   * power loss. 'normal': it has been written to the OS before the answer, so it survives kill -9
   * but the last acknowledged writes may be lost if the machine itself goes down.
   */
  dbSynchronous: 'full' | 'normal';
  /** Maximum JSON request body, in bytes (larger bodies get 413 payload_too_large). */
  bodyLimitBytes: number;
  /** Absolute path of the built client (vite build output). */
  staticDir: string;
  /** Absolute path of the folder holding official/ (survey.json, scoring.json) and targets.json. */
  surveysDir: string;
  /** Public base URL used when printing links, without trailing slash; undefined = http://localhost:<port>. */
  baseUrl: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses "512kb", "1mb", "2048" or "2048b" into bytes. */
function parseSize(raw: string): number | null {
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration from `env` (process.env by default), resolving relative paths against
 * `cwd`. Throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  let port = 3000;
  const rawPort = get('PORT');
  if (rawPort !== undefined) {
    const parsed = z.coerce.number().int().min(0).max(65535).safeParse(rawPort);
    if (parsed.success && /^\d+$/.test(rawPort)) port = parsed.data;
    else problems.push(`PORT="${rawPort}" is not a TCP port; use an integer from 0 to 65535 (default 3000)`);
  }

  const host = get('HOST');
  if (host !== undefined && /\s|\//.test(host)) {
    problems.push(`HOST="${host}" is not a host name or IP address (e.g. 127.0.0.1 or ::); leave it unset to listen on all interfaces`);
  }

  let bodyLimitBytes = 256 * 1024;
  const rawLimit = get('KELISIM_BODY_LIMIT');
  if (rawLimit !== undefined) {
    const parsed = parseSize(rawLimit);
    if (parsed === null) problems.push(`KELISIM_BODY_LIMIT="${rawLimit}" is not a size; use e.g. 256kb, 1mb or a number of bytes`);
    else bodyLimitBytes = parsed;
  }

  const dbFile = path.resolve(cwd, get('KELISIM_DB') ?? 'data/kelisim.db');
  if (dbFile.endsWith(path.sep)) problems.push(`KELISIM_DB="${env.KELISIM_DB}" names a folder; give a file path such as data/kelisim.db`);

  let dbSynchronous: Config['dbSynchronous'] = 'full';
  const rawSync = get('KELISIM_DB_SYNC');
  if (rawSync !== undefined) {
    if (rawSync === 'full' || rawSync === 'normal') dbSynchronous = rawSync;
    else problems.push(`KELISIM_DB_SYNC="${rawSync}" must be "full" (default: acknowledged answers survive power loss) or "normal" (they survive a killed server only)`);
  }

  const staticDir = path.resolve(cwd, get('KELISIM_STATIC_DIR') ?? 'dist/client');
  const surveysDir = path.resolve(cwd, get('KELISIM_SURVEYS_DIR') ?? 'surveys');

  let baseUrl: string | undefined;
  const rawBase = get('KELISIM_BASE_URL');
  if (rawBase !== undefined) {
    const parsed = z.url({ protocol: /^https?$/ }).safeParse(rawBase);
    if (parsed.success) baseUrl = rawBase.replace(/\/+$/, '');
    else problems.push(`KELISIM_BASE_URL="${rawBase}" is not an http(s) URL; use e.g. https://survey.example.kz`);
  }

  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { port, host, dbFile, dbSynchronous, bodyLimitBytes, staticDir, surveysDir, baseUrl };
}
