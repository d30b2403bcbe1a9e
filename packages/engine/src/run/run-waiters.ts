/**
 * Waiting for a run to end (`?wait=true`): a run queued in this process settles its waiter when its
 * execution here ends; on a shared queue the run may execute in another process, so the store is
 * watched instead (`RunWatch`: one read per beat for every run waited on). A run that ended here may
 * settle with its rows as its execution wrote them (`recorded-run.ts`), so the answer needs no read.
 *
 * @internal
 * @module
 */
import type { Store } from '../store/store.js';
import type { RunWatch } from './run-watch.js';

/** The waiters of the runs of one engine. */
export class RunWaiters {
  readonly #local = new Map<
    string,
    { done: Promise<Store | undefined>; resolve: (ended: Store | undefined) => void }
  >();
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
    let resolve = (_ended: Store | undefined): void => {};
    const done = new Promise<Store | undefined>((r) => {
      resolve = r;
    });
    this.#local.set(id, { done, resolve });
  }

  /**
   * Run `id` ended here (or will not execute here): its waiter resolves, with `ended`, the run's rows as
   * its execution wrote them, when it has them.
   */
  settle(id: string, ended?: Store): void {
    this.#local.get(id)?.resolve(ended);
    this.#local.delete(id);
  }

  /** Every waiter resolves (the engine is closing). */
  settleAll(): void {
    for (const id of [...this.#local.keys()]) this.settle(id);
  }

  /**
   * Resolves when run `id` ends, or after `timeoutMs`, whichever comes first: with the run's rows as its
   * execution here wrote them when it ended here with them, else `undefined` (read the store).
   */
  async wait(id: string, timeoutMs: number): Promise<Store | undefined> {
    if (this.#shared()) {
      await this.#remote.wait(id, timeoutMs);
      return undefined;
    }
    const waiter = this.#local.get(id);
    if (waiter === undefined) return undefined;
    // A plain timer, cleared when the run ends first: aborting a timers/promises sleep would build an
    // AbortError (with its stack) for every run waited on.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([waiter.done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
