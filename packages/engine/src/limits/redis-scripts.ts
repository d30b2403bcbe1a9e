/**
 * The Lua scripts of the Redis limits. Each runs atomically on the Redis server and reads the time from
 * the server (`TIME`), so every worker uses one clock. Scores are milliseconds.
 *
 * @internal
 * @module
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The server time in ms, as the scripts compute it. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Semaphore acquire. KEYS[1]: the holders (sorted set scored by lease expiry). ARGV: capacity, holder id,
 * lease ms. Drops the expired holders, then grants (1) while fewer than `capacity` hold, else 0.
 */
export const ACQUIRE = `${NOW}
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  return 1
end
return 0
`;

/**
 * Lease renewal. KEYS[1]: the holders. ARGV: holder id, lease ms. 1 when the holder still held its slot
 * (its lease now ends `lease` ms from now), 0 when its slot was taken back.
 */
export const RENEW = `${NOW}
local lease = tonumber(ARGV[2])
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
-- Expired but still listed: nobody acquired since (an acquire drops expired holders), so it may go on.
if not expires then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return 1
`;

/** Release. KEYS[1]: the holders. ARGV: holder id, channel. Removes the holder and tells the waiters. */
export const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], KEYS[1])
return 1
`;

/**
 * Sliding-log rate limit. KEYS[1]: the request times (sorted set scored by time). ARGV: requests,
 * period ms, request id. Counts the request and returns 0 when fewer than `requests` were counted in
 * the `period` before now; else returns the ms until the one that must leave the window leaves it.
 */
export const TAKE = `${NOW}
local requests = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local count = redis.call('ZCARD', KEYS[1])
if count < requests then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], period + 1000)
  return 0
end
local leaving = redis.call('ZRANGE', KEYS[1], count - requests, count - requests, 'WITHSCORES')
local wait = tonumber(leaving[2]) + period - now
if wait < 1 then wait = 1 end
return wait
`;

/** A script called by its SHA-1 (`EVALSHA`), sent in full once when the server does not know it. */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with one key. */
  async run(redis: Redis, key: string, args: readonly (string | number)[]): Promise<number> {
    try {
      return Number(await redis.evalsha(this.#sha, 1, key, ...args));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return Number(await redis.eval(this.#source, 1, key, ...args));
    }
  }
}
