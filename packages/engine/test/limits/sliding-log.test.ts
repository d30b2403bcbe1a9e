/**
 * The in-process rate limit: a sliding log per key lets at most `requests` through in any window of
 * `per_seconds`, says how long the next one waits, keeps keys apart, and gives up waiting on abort.
 */
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimits } from '../../src/limits/concurrency-limits.js';
import { SlidingLog } from '../../src/limits/sliding-log.js';
import { shortestSpan } from './counting-server.js';

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

  it('spreads takes in real time through ConcurrencyLimits, and stops waiting on abort', async () => {
    const limits = new ConcurrencyLimits();
    const fast = { requests: 2, per_seconds: 0.2 };
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        await limits.take('acme:host:api.test', fast);
        granted.push(Date.now());
      }),
    );
    // Granted times are read after each take resolves, a few ms after the log counted them.
    expect(shortestSpan(granted, 2)).toBeGreaterThanOrEqual(190);
    const controller = new AbortController();
    const waiting = limits.take('acme:host:api.test', { requests: 1, per_seconds: 60 }, controller.signal);
    const second = limits.take('acme:host:api.test', { requests: 1, per_seconds: 60 }, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(Promise.all([waiting, second])).rejects.toThrow('cancelled');
  });
});
