/**
 * A counting semaphore whose waiters are served first come, first served, and whose capacity can change.
 *
 * @internal
 * @module
 */

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Limits how many holders run at once. `acquire()` resolves to a release function. */
export class Semaphore {
  #capacity: number;
  #held = 0;
  readonly #waiters: Waiter[] = [];

  /** @param capacity - at least 1; `Infinity` never blocks. */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Permits currently held. */
  get held(): number {
    return this.#held;
  }

  /** The largest number of holders at once. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Changes the capacity; waiters are let in when it grows. */
  set capacity(value: number) {
    this.#capacity = Math.max(1, value);
    this.#drain();
  }

  /**
   * Waits for a permit. Aborting `signal` while waiting rejects with `signal.reason` and gives up the
   * place in the queue.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#held < this.#capacity && this.#waiters.length === 0) {
      this.#held += 1;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held -= 1;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#held < this.#capacity && this.#waiters.length > 0) {
      const waiter = this.#waiters.shift() as Waiter;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.#held += 1;
      waiter.resolve();
    }
  }
}
