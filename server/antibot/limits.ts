// The open link's limits (docs/decisions/021), counted by rate-limiter-flexible in the database,
// so every app server on one database counts into the same counters (decision 027): its SQLite
// store over the store's better-sqlite3 connection, or its PostgreSQL store over the store's `pg`
// pool, both on the table `rate_limits` that our migrations create in both schemas (the columns
// the library's own CREATE TABLE would make: key, points, expire), so the library never creates
// or alters a table (`tableCreated`) and `kelisim db copy` and the schema parity test know it.
// The counter update is the library's one atomic statement (INSERT … ON CONFLICT DO UPDATE …
// RETURNING), so concurrent requests on several servers never lose a count. Keys carry only the
// wave id and the keyed address hash, never an address.
import { RateLimiterPostgres, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Store } from '../db/store';
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

function limiter(store: Store, keyPrefix: string, limit: Limit): RateLimiterAbstract {
  const common = {
    tableName: 'rate_limits', tableCreated: true,
    keyPrefix, points: limit.points, duration: limit.durationSeconds,
    // Once a key is over its limit, the verdict is kept in this process's memory until its window
    // ends (the library's DoS guard): a flood's refused requests then cost no database write.
    // The counters themselves stay in the database.
    inMemoryBlockOnConsumed: limit.points + 1,
  };
  const { driver } = store;
  if (!driver) throw new Error('the open link\'s limits need a store with its driver (server/db/store.ts: `driver`)');
  if (driver.dialect === 'sqlite') return new RateLimiterSQLite({ ...common, storeClient: driver.connection, storeType: 'better-sqlite3' });
  // The expired counters are deleted by claimPow (pow.ts), not by a timer of the library's.
  return new RateLimiterPostgres({ ...common, storeClient: driver.pool, storeType: 'pool', clearExpiredByTimeout: false });
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

export function createLimiters(store: Store, limits: OpenLinkLimits): Limiters {
  const perAddress = limiter(store, 'new-addr', limits.newPerAddress);
  const perWave = limiter(store, 'new-wave', limits.newPerWave);
  const completes = limiter(store, 'done-addr', limits.completePerAddress);
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
