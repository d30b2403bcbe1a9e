/**
 * Waits between attempts (backoff and Retry-After, computed by the SDK's retry policy).
 *
 * A short wait sleeps, abortably. A long one (at least `longWaitMs`, default 5 s) is first announced
 * to `onLongWait` with the time to resume, which the run layer stores as the run's `resume_at`
 * (DESIGN §4 "Durability": long waits are stored times). In this version the process still sleeps
 * until then and clears the time afterwards; the durable service of issue 5 can instead throw from
 * `onLongWait` to end the execution and resume the run from its rows at `resume_at` (the item runs
 * again with the same idempotency key).
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';

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

/** Options of {@link createWaiter}. */
export interface WaiterOptions {
  sleep: Sleep;
  now: () => number;
  /** @default 5000 */
  longWaitMs?: number;
  /** Told about a long wait before it starts (`resumeAt`) and after it ends (`undefined`). */
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
