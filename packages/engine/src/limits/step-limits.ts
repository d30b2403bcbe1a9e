/**
 * What the executor asks of the engine-wide limits around each call: a step's `concurrency` (a slot
 * held while a call lasts) and a host's `rate_limit` (a token per attempt). Two implementations: in
 * this process (`ConcurrencyLimits`, the default) and across every worker on one Redis
 * (`RedisLimits`). See docs/engine.md (Concurrency and rate limits).
 *
 * @module
 */
import type { RateLimit } from '../model/workflow.js';

/** A step's shared cap: at most `capacity` holders at once. */
export interface SharedSlots {
  /** The largest number of holders at once. */
  readonly capacity: number;
  /**
   * Waits for a slot and resolves to the function that gives it back (calling it twice is a no-op).
   * Aborting `signal` while waiting rejects with `signal.reason`.
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

/** `rate_limit` of a step (or `default_rate_limit` of a workflow): at most `requests` in any `per_seconds`. */
export type RateLimitSettings = RateLimit;

/** The limits every run of an engine shares (`RunWorkflowOptions.limits`). */
export interface StepLimits {
  /**
   * The slots of `step` in `workflow` (its uid, else its name) with `capacity` holders at once. A later
   * call with another capacity (an updated workflow) changes it.
   */
  semaphore(workflow: string, step: string, capacity: number): SharedSlots;
  /**
   * Waits until one more request under `key` (see `rateLimitKey`) stays within `limit`, and counts it.
   * Waiting is not a failure: it ends when a request may go, or rejects with `signal.reason`.
   */
  take(key: string, limit: RateLimitSettings, signal?: AbortSignal): Promise<void>;
  /** Lets go of connections and timers, if any. */
  close?(): Promise<void>;
}
