// Server configuration, parsed once at start from the environment. A bad value stops the server
// with a message naming the variable, the value and what is expected — never a silent default.
import path from 'node:path';
import { z } from 'zod';
import { isPostgresUrl, redactUrl } from './db/pg-url';

export interface Config {
  /** TCP port to listen on (0 = any free port, used by tests). */
  port: number;
  /** Interface to bind; undefined = Node's default (all interfaces, IPv4 and IPv6). */
  host: string | undefined;
  /** Absolute path of the SQLite database file (unused when `databaseUrl` is set). */
  dbFile: string;
  /**
   * KELISIM_DATABASE_URL: a PostgreSQL database (postgres://…) instead of the SQLite file
   * (decision 027); undefined = SQLite at `dbFile`.
   */
  databaseUrl: string | undefined;
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
  /** A client must have sent all request headers within this many ms, or its connection is closed. */
  headersTimeoutMs: number;
  /** A client must have sent the whole request (headers and body) within this many ms, or it gets 408 and is closed. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this many ms. */
  keepAliveTimeoutMs: number;
  /**
   * KELISIM_ANTIBOT (default on): the open link's per-address limits and proof of work
   * (server/antibot/, docs/decisions/021). Off only for load tests and benchmarks.
   */
  antibot: boolean;
}

/**
 * Defaults suited to respondents' phones on slow mobile networks. A full body (the 256 KB limit)
 * takes ~40 s at 50 kbit/s (EDGE), so 60 s for a whole request refuses no real respondent; the
 * headers (~1 KB) arrive within a second even there, and 20 s leaves room for a radio waking up.
 * The client saves 1.5 s after typing stops, so 10 s of keep-alive spares it a new connection per
 * save while a page is being answered, without holding idle sockets (a file descriptor each) long.
 */
export const DEFAULT_TIMEOUTS = { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 10_000 } as const;

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

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Parses "20s", "500ms", "2m" or "20" (seconds) into milliseconds. */
function parseDuration(raw: string): number | null {
  const m = /^(\d+)\s*(ms|s|m)?$/i.exec(raw.trim());
  if (!m) return null;
  const ms = Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]!;
  return Number.isSafeInteger(ms) && ms > 0 && ms <= 3_600_000 ? ms : null;
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

  const databaseUrl = get('KELISIM_DATABASE_URL');
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    problems.push(`KELISIM_DATABASE_URL="${redactUrl(databaseUrl)}" is not a PostgreSQL URL; use postgres://user:password@host:5432/database, or leave it unset for the SQLite file KELISIM_DB`);
  }

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

  const timeouts: Record<keyof typeof DEFAULT_TIMEOUTS, number> = { ...DEFAULT_TIMEOUTS };
  for (const [key, name] of [['headersTimeoutMs', 'KELISIM_HEADERS_TIMEOUT'], ['requestTimeoutMs', 'KELISIM_REQUEST_TIMEOUT'], ['keepAliveTimeoutMs', 'KELISIM_KEEP_ALIVE_TIMEOUT']] as const) {
    const raw = get(name);
    if (raw === undefined) continue;
    const parsed = parseDuration(raw);
    if (parsed === null) problems.push(`${name}="${raw}" is not a duration; use e.g. 20s, 500ms or 2m (at most 1 hour; default ${DEFAULT_TIMEOUTS[key] / 1000}s)`);
    else timeouts[key] = parsed;
  }
  // Node refuses a header timeout longer than the whole request's.
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    problems.push(`KELISIM_HEADERS_TIMEOUT (${timeouts.headersTimeoutMs} ms) must not be longer than KELISIM_REQUEST_TIMEOUT (${timeouts.requestTimeoutMs} ms)`);
  }

  let antibot = true;
  const rawAntibot = get('KELISIM_ANTIBOT');
  if (rawAntibot !== undefined) {
    if (rawAntibot === 'on' || rawAntibot === 'off') antibot = rawAntibot === 'on';
    else problems.push(`KELISIM_ANTIBOT="${rawAntibot}" must be "on" (default: the open link's limits and proof of work) or "off" (load tests and benchmarks only)`);
  }

  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { port, host, dbFile, databaseUrl, dbSynchronous, bodyLimitBytes, staticDir, surveysDir, baseUrl, ...timeouts, antibot };
}
