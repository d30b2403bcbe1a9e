/**
 * The in-process request rate limit: a sliding log of the request times of each key. A request may go
 * when fewer than `requests` were counted in the `per_seconds` before it; otherwise it waits until the
 * oldest of those leaves the window. So any `requests + 1` requests of a key span at least
 * `per_seconds`: the limit holds in every window, not only in fixed ones.
 *
 * @module
 */
import { pause } from './abortable.js';
import type { RateLimitSettings } from './step-limits.js';

/** Request times per key, in this process. The clock is the real one (`Date.now`), shared by all runs. */
export class SlidingLog {
  readonly #log = new Map<string, number[]>();

  /** Waits until a request under `key` stays within `limit`, then counts it. */
  async take(key: string, limit: RateLimitSettings, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.tryTake(key, limit, Date.now());
      if (wait === 0) return;
      await pause(wait, signal);
    }
  }

  /**
   * Counts a request at `now` when it fits and returns 0; else counts nothing and returns how many ms
   * until it would fit. @internal
   */
  tryTake(key: string, limit: RateLimitSettings, now: number): number {
    const period = limit.per_seconds * 1000;
    const times = this.#log.get(key) ?? [];
    let first = 0;
    while (first < times.length && (times[first] as number) <= now - period) first += 1;
    if (first > 0) times.splice(0, first);
    if (times.length < limit.requests) {
      times.push(now);
      this.#log.set(key, times);
      return 0;
    }
    // The request that must leave the window before one more fits.
    const leaving = times[times.length - limit.requests] as number;
    return Math.max(1, Math.ceil(leaving + period - now));
  }
}
