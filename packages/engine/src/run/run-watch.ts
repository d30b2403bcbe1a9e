/**
 * Waiting for runs that execute in other processes (`?wait=true` on an API node of a shared queue): one
 * poll of the store every `everyMs` for all the runs being waited on, however many requests wait, instead
 * of one read per waiting request.
 *
 * @internal
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { ServiceRunStore } from '../store/service-store.js';
import { isFinished } from '../store/store.js';

/** The store {@link RunWatch} reads. */
type WatchedStore = { readonly runs: Pick<ServiceRunStore, 'getRunStatuses'> };

/** Resolves waiters when their run has ended (or is gone) in the store. */
export class RunWatch {
  readonly #store: WatchedStore;
  readonly #everyMs: number;
  readonly #signal: AbortSignal;
  readonly #waiting = new Map<string, Set<() => void>>();
  #polling = false;

  constructor(store: WatchedStore, everyMs: number, signal: AbortSignal) {
    this.#store = store;
    this.#everyMs = everyMs;
    this.#signal = signal;
  }

  /** Resolves once run `id` has ended or is gone, after `timeoutMs`, or when `signal` aborts. */
  async wait(id: string, timeoutMs: number): Promise<void> {
    if (this.#signal.aborted) return;
    let done = (): void => {};
    const ended = new Promise<void>((resolve) => {
      done = resolve;
    });
    const waiters = this.#waiting.get(id) ?? new Set();
    waiters.add(done);
    this.#waiting.set(id, waiters);
    this.#start();
    const timer = new AbortController();
    await Promise.race([
      ended,
      sleepFor(timeoutMs, undefined, { signal: timer.signal }).catch(() => undefined),
    ]);
    timer.abort();
    waiters.delete(done);
    if (waiters.size === 0) this.#waiting.delete(id);
  }

  #start(): void {
    if (this.#polling) return;
    this.#polling = true;
    void this.#poll().finally(() => {
      this.#polling = false;
    });
  }

  async #poll(): Promise<void> {
    while (this.#waiting.size > 0 && !this.#signal.aborted) {
      const ids = [...this.#waiting.keys()];
      // A store that does not answer is asked again at the next beat; waits end on their timeouts.
      const statuses = await this.#store.runs.getRunStatuses(ids).catch(() => undefined);
      if (statuses !== undefined) {
        for (const id of ids) {
          const status = statuses.get(id);
          if (status !== undefined && !isFinished(status)) continue;
          for (const done of this.#waiting.get(id) ?? []) done();
          this.#waiting.delete(id);
        }
      }
      if (this.#waiting.size === 0) return;
      await sleepFor(this.#everyMs, undefined, { signal: this.#signal }).catch(() => undefined);
    }
    // Closing: every wait ends now.
    for (const waiters of this.#waiting.values()) for (const done of waiters) done();
    this.#waiting.clear();
  }
}
