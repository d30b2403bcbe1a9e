/**
 * The in-process rate limit: a sliding log per key lets at most `requests` through in any window of
 * `per_seconds`, says how long the next one waits, keeps keys apart, and gives up waiting on abort.
 */
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimits } from '../../src/limits/concurrency-limits.js';
import { SlidingLog } from '../../src/limits/sliding-log.js';
import { grantedOf } from './counting-server.js';

const limit = { requests: 3, per_seconds: 1 };

describe('SlidingLog', () => {
  it('lets `requests` through per window and says when the next fits', () => {
    const log = new SlidingLog();
    expect([0, 100, 200].map((at) => log.tryTake('k', limit, at))).toEqual([0, 0, 0]);
    // The request at 0 leaves the window at 1000.
    expect(log.tryTake('k', limit, 300)).toBe(700);
    expect(log.tryTake('other', limit, 300)).toBe(0);
    expect(log.tryTake('k', limit, 1000)).toBe(0);
    expect(log.tryTake('k', limit, 1050)).toBe(50);
    expect(log.tryTake('k', limit, 1100)).toBe(0);
  });

  it('holds a lowered limit: waits until enough requests left the window', () => {
    const log = new SlidingLog();
    for (const at of [0, 10, 20]) log.tryTake('k', limit, at);
    expect(log.tryTake('k', { requests: 1, per_seconds: 1 }, 30)).toBe(990);
  });

  it('grants `requests` takes through ConcurrencyLimits and holds the rest until aborted', async () => {
    const limits = new ConcurrencyLimits();
    const hourly = { requests: 2, per_seconds: 3600 };
    const controller = new AbortController();
    const takes = Array.from({ length: 6 }, () =>
      limits.take('acme:host:api.test', hourly, controller.signal),
    );
    expect(await grantedOf(takes, 2)).toEqual({ granted: 2, waiting: 4 });
    // Another host has its own log.
    await limits.take('acme:host:other.test', hourly);
    controller.abort(new Error('cancelled'));
    const outcomes = await Promise.allSettled(takes);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason))).toEqual(
      Array(4).fill('Error: cancelled'),
    );
  });

  it('lets the waiting takes go as the earlier ones leave the window', async () => {
    const limits = new ConcurrencyLimits();
    // 20 ms windows: that each is granted is checked, never how long it took (waiters are not FIFO).
    const tiny = { requests: 1, per_seconds: 0.02 };
    const granted: number[] = [];
    await Promise.all([0, 1, 2].map((n) => limits.take('k', tiny).then(() => granted.push(n))));
    expect(granted.sort()).toEqual([0, 1, 2]);
  });
});
