/**
 * `RedisLimits` against the real Redis (`SLUICE_TEST_REDIS_URL`), each test under its own key prefix:
 * step slots shared by several connections never exceed their capacity, a holder that renews keeps its
 * slot past one lease, a holder whose connection is gone frees its slot once its lease expires, and the
 * sliding-log rate limit lets no more than `requests` through in a window, counted in Redis.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisLimits } from '../../src/limits/redis-limits.js';
import { grantedOf } from './counting-server.js';
import { dropPrefix, REDIS_URL, testPrefix } from './redis-test-prefix.js';

describe.skipIf(REDIS_URL === undefined)('RedisLimits', () => {
  const url = REDIS_URL as string;
  let prefix: string;
  const opened: RedisLimits[] = [];
  const limits = (options: { leaseMs?: number; redis?: Redis } = {}) => {
    const made = new RedisLimits({ redis: options.redis ?? url, prefix, ...options });
    opened.push(made);
    return made;
  };

  beforeEach(() => {
    prefix = testPrefix();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((l) => l.close()));
    await dropPrefix(url, prefix);
  });

  it('never lets more than the capacity hold a step slot across connections', async () => {
    const engines = [limits(), limits(), limits()];
    let inFlight = 0;
    let most = 0;
    const calls = Array.from({ length: 24 }, async (_, i) => {
      const slots = (engines[i % engines.length] as RedisLimits).semaphore('wf-uid', 'notify', 2);
      const release = await slots.acquire();
      inFlight += 1;
      most = Math.max(most, inFlight);
      await sleep(10);
      inFlight -= 1;
      release();
    });
    await Promise.all(calls);
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBeGreaterThan(0);
  });

  it('keeps a slot past its lease while the holder renews it', async () => {
    const [a, b] = [limits({ leaseMs: 150 }), limits({ leaseMs: 150 })];
    const order: string[] = [];
    const release = await a.semaphore('wf', 'step', 1).acquire();
    const waiting = b
      .semaphore('wf', 'step', 1)
      .acquire()
      .then((r) => {
        order.push('b acquired');
        return r;
      });
    // Three leases long: without renewals b would get the slot meanwhile.
    await sleep(450);
    order.push('a released');
    release();
    (await waiting)();
    expect(order).toEqual(['a released', 'b acquired']);
  });

  it('frees the slot of a holder whose connection is gone once its lease expires', async () => {
    const dying = new Redis(url, { maxRetriesPerRequest: 0, lazyConnect: true });
    dying.on('error', () => undefined);
    const a = limits({ redis: dying, leaseMs: 1_000 });
    await a.semaphore('wf', 'step', 1).acquire();
    // Gone without a release: nobody renews its lease any more.
    dying.disconnect();
    const b = limits({ leaseMs: 1_000 });
    let acquired = false;
    const waiting = b
      .semaphore('wf', 'step', 1)
      .acquire()
      .then((r) => {
        acquired = true;
        return r;
      });
    await sleep(100);
    expect(acquired).toBe(false);
    const release = await waiting;
    const check = new Redis(url);
    const holders = await check.zrange(`${prefix}:limits:concurrency:wf:step`, 0, -1);
    check.disconnect();
    expect(holders).toHaveLength(1);
    release();
  });

  it('rejects a waiter with the signal reason when the run is aborted', async () => {
    const [a, b] = [limits(), limits()];
    const release = await a.semaphore('wf', 'step', 1).acquire();
    const controller = new AbortController();
    const waiting = b.semaphore('wf', 'step', 1).acquire(controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled')), 30);
    await expect(waiting).rejects.toThrow('cancelled');
    const rate = b.take('acme:host:api.test', { requests: 1, per_seconds: 60 });
    await rate;
    const stopped = new AbortController();
    stopped.abort(new Error('stopped'));
    await expect(
      b.take('acme:host:api.test', { requests: 1, per_seconds: 60 }, stopped.signal),
    ).rejects.toThrow('stopped');
    release();
  });

  it('lets at most `requests` through in a window, across connections, and counts only those', async () => {
    const engines = [limits(), limits(), limits()];
    const controller = new AbortController();
    // Fifteen takes wait on it at once, as a run's calls wait on the run's signal (which has no limit either).
    setMaxListeners(0, controller.signal);
    const hourly = { requests: 5, per_seconds: 3600 };
    const takes = Array.from({ length: 15 }, (_, i) =>
      (engines[i % 3] as RedisLimits).take('acme:host:api.test', hourly, controller.signal),
    );
    expect(await grantedOf(takes, 5)).toEqual({ granted: 5, waiting: 10 });
    controller.abort(new Error('cancelled'));
    expect((await Promise.allSettled(takes)).filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    // The log in Redis holds the five granted, and nothing of the ten that waited.
    const redis = new Redis(url);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      const logs = await Promise.all(
        keys.map(async (key) => ((await redis.type(key)) === 'zset' ? redis.zcard(key) : 0)),
      );
      expect(logs.filter((size) => size > 0)).toEqual([5]);
    } finally {
      redis.disconnect();
    }
  });
});
