// The open link's limits (docs/decisions/021), counted by rate-limiter-flexible in the database
// (its SQLite store over our better-sqlite3 connection, table `rate_limits` created by our
// migration), so several servers on one database would share them. Keys carry only the wave id
// and the keyed address hash, never an address.
import { RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
import type { Db } from '../db/open';
import { DomainError } from '../errors';

/** How many, per how long (seconds). */
export interface Limit {
  points: number;
  durationSeconds: number;
}

export interface OpenLinkLimits {
  /** New responses started through a wave's open link from one address. */
  newPerAddress: Limit;
  /** Completions through a wave's open link from one address. */
  completePerAddress: Limit;
  /** New responses started through a wave's open link from all addresses together. */
  newPerWave: Limit;
}

/**
 * The defaults, justified in docs/decisions/021: 20 interviews per address in 10 minutes is more
 * than a family, an office or a carrier's shared address produces in a quarterly survey of ~1,500
 * people (each interview takes ~15 minutes), and 600 new interviews a wave in 10 minutes (one a
 * second, sustained) is ~40 times the busiest hour a wave of that size has seen.
 */
export const DEFAULT_LIMITS: OpenLinkLimits = {
  newPerAddress: { points: 20, durationSeconds: 600 },
  completePerAddress: { points: 20, durationSeconds: 600 },
  newPerWave: { points: 600, durationSeconds: 600 },
};

export interface Limiters {
  /** Counts one new response (per address and per wave). @throws DomainError rate_limited, after calling `retryAfter` with the seconds to wait */
  newResponse(waveId: number, addressHash: string, retryAfter: (seconds: number) => void): Promise<void>;
  /** Counts one completion from the address. @throws DomainError rate_limited, as newResponse */
  completion(waveId: number, addressHash: string, retryAfter: (seconds: number) => void): Promise<void>;
}

function limiter(db: Db, keyPrefix: string, limit: Limit): RateLimiterSQLite {
  return new RateLimiterSQLite({
    storeClient: db.$client, storeType: 'better-sqlite3', tableName: 'rate_limits', tableCreated: true,
    keyPrefix, points: limit.points, duration: limit.durationSeconds,
    // Once a key is over its limit, the verdict is kept in this process's memory until its window
    // ends (the library's DoS guard): a flood's refused requests then cost no database write.
    // The counters themselves stay in the database.
    inMemoryBlockOnConsumed: limit.points + 1,
  });
}

/** The error a refused request gets. A rejection that is not the limiter's verdict is a store failure: rethrown (500). */
function overLimit(res: unknown, code: 'too_many_responses' | 'wave_busy', retryAfter: (s: number) => void): never {
  if (!(res instanceof RateLimiterRes)) throw res;
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  retryAfter(seconds);
  const minutes = Math.ceil(seconds / 60);
  throw code === 'too_many_responses'
    ? new DomainError('rate_limited', code, `Too many survey answers were started or sent from your network in a short time. Please try again in ${minutes} minute(s); the answers on your device are kept.`, { retryAfterSeconds: seconds })
    : new DomainError('rate_limited', code, `The survey is receiving very many answers right now. Please try again in ${minutes} minute(s); the answers on your device are kept.`, { retryAfterSeconds: seconds });
}

export function createLimiters(db: Db, limits: OpenLinkLimits): Limiters {
  const perAddress = limiter(db, 'new-addr', limits.newPerAddress);
  const perWave = limiter(db, 'new-wave', limits.newPerWave);
  const completes = limiter(db, 'done-addr', limits.completePerAddress);
  return {
    async newResponse(waveId, addressHash, retryAfter) {
      // The address first: a flood from one address then never uses up the wave's ceiling.
      await perAddress.consume(`${waveId}:${addressHash}`).catch((res: unknown) => overLimit(res, 'too_many_responses', retryAfter));
      await perWave.consume(String(waveId)).catch((res: unknown) => overLimit(res, 'wave_busy', retryAfter));
    },
    async completion(waveId, addressHash, retryAfter) {
      await completes.consume(`${waveId}:${addressHash}`).catch((res: unknown) => overLimit(res, 'too_many_responses', retryAfter));
    },
  };
}
