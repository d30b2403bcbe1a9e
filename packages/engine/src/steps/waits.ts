/**
 * Waits between attempts (backoff and Retry-After, computed by the SDK's retry policy).
 *
 * A short wait sleeps, abortably. A long one (at least `longWaitMs`, default 5 s) is first announced
 * to `onLongWait` with the time to resume. Run alone (`runWorkflow`, `sluice run`), the run layer
 * stores that time as the run's `resume_at`, sleeps until then and clears it. In the engine service
 * (DESIGN §4 "Durability": long waits are stored times, not timers) `onLongWait` throws
 * {@link RunSuspended} instead: the item's attempts so far are committed, the execution ends, and the
 * service resumes the run from its rows at `resume_at` (same idempotency key, remaining retry budget).
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AttemptEntry } from '../store/store.js';

/** Waits `ms` milliseconds; rejects with `signal.reason` when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A wait between two attempts of one step item. */
export type Waiter = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The default {@link Sleep}: `setTimeout` from `node:timers/promises`, with the signal. */
export const defaultSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal === undefined ? undefined : { signal });
};

/** A wait is long from this many milliseconds on. */
export const LONG_WAIT_MS = 5000;

/**
 * Thrown from a long wait to end the run's execution until `resumeAt` (a stored wait). Not a failure:
 * the run stays unfinished. `sendCall` adds the attempts the item has sent so far (`attempts`), so
 * they can be committed before the execution ends.
 *
 * @internal
 */
export class RunSuspended extends Error {
  override readonly name = 'RunSuspended';
  readonly resumeAt: Date;
  /** The attempts of the suspended item so far, oldest first (set by `sendCall`). */
  readonly attempts: readonly AttemptEntry[];
  /**
   * What the item had done before the wait that it must not do again (the pages of a paginated call),
   * committed as its output while it is unfinished and given back as `ItemTask.previousProgress`.
   */
  readonly progress: unknown;

  constructor(resumeAt: Date, attempts: readonly AttemptEntry[] = [], progress: unknown = null) {
    super(`the run waits until ${resumeAt.toISOString()}`);
    this.resumeAt = resumeAt;
    this.attempts = attempts;
    this.progress = progress;
  }

  /** The same suspension carrying the item's attempts. */
  withAttempts(attempts: readonly AttemptEntry[]): RunSuspended {
    return new RunSuspended(this.resumeAt, attempts, this.progress);
  }

  /** The same suspension carrying the item's attempts and progress. */
  withProgress(attempts: readonly AttemptEntry[], progress: unknown): RunSuspended {
    return new RunSuspended(this.resumeAt, attempts, progress);
  }
}

/** Options of {@link createWaiter}. */
export interface WaiterOptions {
  sleep: Sleep;
  now: () => number;
  /** @default 5000 */
  longWaitMs?: number;
  /**
   * Told about a long wait before it starts (`resumeAt`) and after it ends (`undefined`). Throwing
   * (e.g. {@link RunSuspended}) ends the wait without sleeping.
   */
  onLongWait?: ((resumeAt: Date | undefined) => Promise<void>) | undefined;
}

/** Builds the waiter of one step item. */
export function createWaiter(options: WaiterOptions): Waiter {
  const longWaitMs = options.longWaitMs ?? LONG_WAIT_MS;
  return async (ms, signal) => {
    signal?.throwIfAborted();
    if (ms < longWaitMs || options.onLongWait === undefined) {
      await options.sleep(ms, signal);
      return;
    }
    await options.onLongWait(new Date(options.now() + ms));
    await options.sleep(ms, signal);
    await options.onLongWait(undefined);
  };
}
