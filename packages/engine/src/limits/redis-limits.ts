/**
 * The limits of an engine on Redis: step `concurrency` and `rate_limit` hold across every engine (API
 * node or worker) on the same Redis and prefix. Why not BullMQ's own limits: BullMQ's concurrency is
 * per worker (or global per queue) and its rate limiter is per queue, while a Sluice job is "continue
 * run X" and one queue carries every workflow; a cap per step of a workflow, or per third-party host,
 * would need a queue per step or BullMQ Pro's group limits. So the limits are their own keys, taken
 * around each call. See docs/engine.md (Concurrency and rate limits).
 *
 * Keys, under `<prefix>:limits:`: `concurrency:<workflow uid>:<step>` (sorted set of holders, by lease
 * expiry), `rate:<workspace>:host:<host>` or `rate:<workspace>:connector:<name>` (sorted set of request
 * times), and the channel `released` (release notices).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { type Logger, silentLogger } from '@sluice/sdk';
import type { Redis } from 'ioredis';
import { pause } from './abortable.js';
import { untilItWorks } from './redis-calls.js';
import { LuaScript, TAKE } from './redis-scripts.js';
import { RedisSemaphore } from './redis-semaphore.js';
import { ReleaseNotices } from './release-notices.js';
import type { RateLimitSettings, StepLimits } from './step-limits.js';

/** Options of {@link RedisLimits} (`createEngine({ limits })`). */
export interface RedisLimitsOptions {
  /**
   * `redis://[user:password@]host:port[/db]`, or a connection to use (it is not closed by `close()`;
   * a duplicate of it subscribes to release notices).
   */
  redis: string | Redis;
  /** Prefix of every key, so that several Sluice deployments (or tests) share one Redis. @default 'sluice' */
  prefix?: string;
  /**
   * How long a concurrency slot stays held without a renewal, in ms: after a holder died, its slot is
   * free again at most this long after its last renewal. Renewed every third of it. @default 10000
   */
  leaseMs?: number;
  /** Warns when Redis does not answer. @default silent */
  logger?: Logger;
}

/** The defaults of {@link RedisLimitsOptions}. */
export const REDIS_LIMITS_DEFAULTS = Object.freeze({ prefix: 'sluice', leaseMs: 10_000 } as const);

const takeScript = new LuaScript(TAKE);

/**
 * ioredis, loaded when an engine first uses Redis limits: a process that never talks to Redis
 * (`sluice run`, a SQLite `sluice serve`) does not pay for loading it. CommonJS, so it loads in place.
 */
function loadIoredis(): typeof import('ioredis') {
  return createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
}

/** Step limits shared through Redis by every engine with the same Redis and prefix. */
export class RedisLimits implements StepLimits {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #subscriber: Redis;
  readonly #notices: ReleaseNotices;
  readonly #semaphores = new Map<string, RedisSemaphore>();
  readonly #prefix: string;
  readonly #channel: string;
  readonly #leaseMs: number;
  readonly #logger: Logger;

  constructor(options: RedisLimitsOptions) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'limits' });
    this.#ownsRedis = typeof options.redis === 'string';
    // A failed command fails soon (and is tried again by the waiter) instead of queuing for long.
    this.#redis =
      typeof options.redis === 'string'
        ? new (loadIoredis().Redis)(options.redis, { maxRetriesPerRequest: 2, lazyConnect: true })
        : options.redis;
    this.#subscriber = this.#redis.duplicate({ lazyConnect: true });
    for (const connection of [this.#redis, this.#subscriber]) {
      // ioredis reconnects by itself; without a listener it would print each error to stderr.
      connection.on('error', (err: unknown) => this.#logger.debug({ err }, 'Redis connection error'));
    }
    this.#prefix = `${options.prefix ?? REDIS_LIMITS_DEFAULTS.prefix}:limits:`;
    this.#channel = `${this.#prefix}released`;
    this.#leaseMs = Math.max(30, options.leaseMs ?? REDIS_LIMITS_DEFAULTS.leaseMs);
    this.#notices = new ReleaseNotices(this.#subscriber, this.#channel);
  }

  semaphore(workflow: string, step: string, capacity: number): RedisSemaphore {
    const key = `${this.#prefix}concurrency:${workflow}:${step}`;
    let semaphore = this.#semaphores.get(key);
    if (semaphore === undefined) {
      semaphore = new RedisSemaphore({
        redis: this.#redis,
        key,
        capacity,
        leaseMs: this.#leaseMs,
        channel: this.#channel,
        notices: this.#notices,
        logger: this.#logger,
      });
      this.#semaphores.set(key, semaphore);
    } else if (semaphore.capacity !== capacity) {
      semaphore.capacity = capacity;
    }
    return semaphore;
  }

  async take(key: string, limit: RateLimitSettings, signal?: AbortSignal): Promise<void> {
    const redisKey = `${this.#prefix}rate:${key}`;
    const period = Math.max(1, Math.round(limit.per_seconds * 1000));
    const id = randomUUID();
    for (;;) {
      const wait = await untilItWorks(
        () => takeScript.run(this.#redis, redisKey, [limit.requests, period, id]),
        `rate limit ${key}`,
        this.#logger,
        signal,
      );
      if (wait === 0) return;
      // A little later than due, spread out, so the waiters of many workers do not all retry at once.
      await pause(wait + Math.floor(Math.random() * 10), signal);
    }
  }

  /** Closes the connections this object opened. Slots still held are freed by their leases. */
  async close(): Promise<void> {
    const own = this.#ownsRedis ? [this.#redis, this.#subscriber] : [this.#subscriber];
    await Promise.all(
      own.map(async (connection) => {
        if (connection.status === 'ready') await connection.quit().catch(() => undefined);
        connection.disconnect();
      }),
    );
  }
}
