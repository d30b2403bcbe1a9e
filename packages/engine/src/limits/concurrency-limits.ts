/**
 * Step concurrency (DESIGN §4 "Step execution"): `concurrency: N` caps the simultaneous calls of a step
 * across every run of its workflow; without it, a fanned-out step runs its items one at a time within a
 * run, and runs do not limit each other. The cap is held by the engine's {@link StepLimits}: in this
 * process ({@link ConcurrencyLimits}, the default), or across every worker on one Redis
 * (`RedisLimits`, `createEngine({ limits: { redis } })`).
 *
 * @module
 */

import { Semaphore } from './semaphore.js';
import { SlidingLog } from './sliding-log.js';
import type { RateLimitSettings, SharedSlots, StepLimits } from './step-limits.js';

/**
 * The limits of this process: a semaphore per workflow and step, and a sliding log of request times per
 * rate-limit key. Every run that shares a `ConcurrencyLimits` shares the caps; the engine keeps one per
 * process unless it has a Redis connection for its limits.
 */
export class ConcurrencyLimits implements StepLimits {
  readonly #semaphores = new Map<string, Semaphore>();
  readonly #rates = new SlidingLog();

  /**
   * The semaphore of `step` in `workflow` (its uid, else its name) with `capacity` permits. A later
   * call with another capacity (an updated workflow) changes it for everyone.
   *
   * @internal
   */
  semaphore(workflow: string, step: string, capacity: number): Semaphore {
    const key = JSON.stringify([workflow, step]);
    let semaphore = this.#semaphores.get(key);
    if (semaphore === undefined) {
      semaphore = new Semaphore(capacity);
      this.#semaphores.set(key, semaphore);
    } else if (semaphore.capacity !== capacity) {
      semaphore.capacity = capacity;
    }
    return semaphore;
  }

  /** Waits until one more request under `key` fits `limit` in this process, and counts it. @internal */
  take(key: string, limit: RateLimitSettings, signal?: AbortSignal): Promise<void> {
    return this.#rates.take(key, limit, signal);
  }
}

/** The limits shared by every run that is not given its own. */
export const processLimits: ConcurrencyLimits = new ConcurrencyLimits();

/** How a step's items run: how many at once within this run, and the shared cap, if any. */
export interface StepConcurrency {
  /** Items of this run in flight at once. */
  perRun: number;
  /** Held around each call; `undefined` when the step has no `concurrency`. */
  shared: SharedSlots | undefined;
}

/**
 * Decides how a step runs: with `concurrency: N`, up to N items of the run at once, under N slots
 * shared by all runs of the workflow; without it, one item at a time and no shared cap.
 */
export function stepConcurrency(
  limits: StepLimits,
  workflow: string,
  step: string,
  concurrency: number | undefined,
): StepConcurrency {
  if (concurrency === undefined || concurrency < 1) return { perRun: 1, shared: undefined };
  return { perRun: concurrency, shared: limits.semaphore(workflow, step, concurrency) };
}
