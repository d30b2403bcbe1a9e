/**
 * Waiting for a run to end (`?wait=true`): a run queued in this process settles its waiter when its
 * execution here ends; on a shared queue the run may execute in another process, so the store is
 * watched instead (`RunWatch`: one read per beat for every run waited on).
 *
 * @internal
 * @module
 */
import type { RunWatch } from './run-watch.js';

/** The waiters of the runs of one engine. */
export class RunWaiters {
  readonly #local = new Map<string, { done: Promise<void>; resolve: () => void }>();
  readonly #remote: RunWatch;
  readonly #shared: () => boolean;

  /** `shared()`: whether runs may execute in other processes (then `wait` watches the store). */
  constructor(remote: RunWatch, shared: () => boolean) {
    this.#remote = remote;
    this.#shared = shared;
  }

  /** Run `id` is queued here: it gets a waiter, settled when its execution here ends. */
  expect(id: string): void {
    if (this.#shared() || this.#local.has(id)) return;
    let resolve = (): void => {};
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    this.#local.set(id, { done, resolve });
  }

  /** Run `id` ended here (or will not execute here): its waiter resolves. */
  settle(id: string): void {
    this.#local.get(id)?.resolve();
    this.#local.delete(id);
  }

  /** Every waiter resolves (the engine is closing). */
  settleAll(): void {
    for (const id of [...this.#local.keys()]) this.settle(id);
  }

  /** Resolves when run `id` ends, or after `timeoutMs`, whichever comes first. */
  async wait(id: string, timeoutMs: number): Promise<void> {
    if (this.#shared()) return this.#remote.wait(id, timeoutMs);
    const waiter = this.#local.get(id);
    if (waiter === undefined) return;
    // A plain timer, cleared when the run ends first: aborting a timers/promises sleep would build an
    // AbortError (with its stack) for every run waited on.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([waiter.done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
