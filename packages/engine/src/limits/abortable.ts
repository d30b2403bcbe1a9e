/**
 * Waits that end early when a run's signal aborts, rejecting with its reason (what the executor expects
 * of an aborted run), not with an `AbortError`.
 *
 * @internal
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Sleeps `ms`, or rejects with `signal.reason` (not an `AbortError`) when it aborts first. */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) {
    await sleep(ms);
    return;
  }
  signal.throwIfAborted();
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  }
}
