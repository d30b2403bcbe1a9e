/**
 * A step's `concurrency` across every worker on one Redis: a counter with leases. The holders of a slot
 * are a sorted set scored by lease expiry; Lua scripts acquire (drop the expired holders, grant while
 * fewer than the capacity hold) and release (remove the holder, publish a release notice). A holder
 * renews its lease every third of it while its call lasts, so a holder whose process or connection is
 * gone frees its slot once its lease expires. Waiters retry on a short backoff and are woken early by
 * release notices.
 *
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@sluice/sdk';
import type { Redis } from 'ioredis';
import { untilItWorks } from './redis-calls.js';
import { ACQUIRE, LuaScript, RELEASE, RENEW } from './redis-scripts.js';
import type { ReleaseNotices } from './release-notices.js';
import type { SharedSlots } from './step-limits.js';

const acquireScript = new LuaScript(ACQUIRE);
const renewScript = new LuaScript(RENEW);
const releaseScript = new LuaScript(RELEASE);

/** The first and the longest pause between tries of a waiter, in ms. */
const FIRST_RETRY_MS = 10;
const LONGEST_RETRY_MS = 250;

/** What a {@link RedisSemaphore} needs from its engine. */
export interface RedisSemaphoreOptions {
  redis: Redis;
  /** The sorted set of holders. */
  key: string;
  capacity: number;
  /** How long a slot stays held without a renewal, in ms. */
  leaseMs: number;
  /** The channel release notices are published on. */
  channel: string;
  notices: ReleaseNotices;
  logger: Logger;
}

/** The slots of one step, shared by every engine on the same Redis and prefix. */
export class RedisSemaphore implements SharedSlots {
  readonly #options: RedisSemaphoreOptions;
  #capacity: number;

  constructor(options: RedisSemaphoreOptions) {
    this.#options = options;
    this.#capacity = Math.max(1, options.capacity);
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Changes the capacity for the next acquires (an updated workflow). */
  set capacity(value: number) {
    this.#capacity = Math.max(1, value);
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    const { redis, key, leaseMs, notices, logger } = this.#options;
    const holder = randomUUID();
    const watch = notices.watch(key);
    let retryMs = FIRST_RETRY_MS;
    try {
      for (;;) {
        const granted = await untilItWorks(
          () => acquireScript.run(redis, key, [this.#capacity, holder, leaseMs]),
          `acquire ${key}`,
          logger,
          signal,
        );
        if (granted === 1) return this.#held(holder);
        // Jitter, so the waiters of many workers do not retry in step.
        await watch.wait(retryMs * (0.5 + Math.random()), signal);
        retryMs = Math.min(LONGEST_RETRY_MS, retryMs * 2);
      }
    } finally {
      watch.close();
    }
  }

  /** Renews the lease of `holder` while its call lasts; the returned function releases it. */
  #held(holder: string): () => void {
    const { redis, key, leaseMs, channel, logger } = this.#options;
    const renew = setInterval(
      () => {
        renewScript.run(redis, key, [holder, leaseMs]).then(
          (kept) => {
            if (kept === 0) {
              // Renewals came too late (a stalled process, Redis unreachable): the slot went to another.
              logger.warn({ key }, 'a concurrency slot lease expired while its call still ran');
              clearInterval(renew);
            }
          },
          // Redis unreachable: the next renewal tries again before the lease ends.
          () => undefined,
        );
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    renew.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      // If this fails, the lease frees the slot when it expires.
      releaseScript.run(redis, key, [holder, channel]).catch((err: unknown) => {
        logger.debug({ err, key }, 'releasing a concurrency slot failed; its lease frees it');
      });
    };
  }
}
