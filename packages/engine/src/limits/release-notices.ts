/**
 * Wakes the waiters of a Redis semaphore when a holder anywhere releases: the release script publishes
 * the semaphore's key on one channel per prefix, and one subscriber connection per engine routes it to
 * the waiters of that key here. A notice only shortens a wait: waiters also retry on a short backoff,
 * which is how they see a slot that a dead holder's expired lease freed (nobody publishes that).
 *
 * @internal
 * @module
 */
import type { Redis } from 'ioredis';
import { pause } from './abortable.js';

/** Interest in one key's releases, taken before trying to acquire so that no notice is missed. */
export interface ReleaseWatch {
  /** Resolves after `ms`, or earlier once a release of the key was published since the watch began. */
  wait(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** Stops watching. */
  close(): void;
}

interface Watcher {
  notified: boolean;
  wake: (() => void) | undefined;
}

/** The subscriber side of the release channel. */
export class ReleaseNotices {
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #watchers = new Map<string, Set<Watcher>>();
  #subscribed: Promise<unknown> | undefined;

  /** @param subscriber - a connection of its own (it enters subscriber mode). */
  constructor(subscriber: Redis, channel: string) {
    this.#subscriber = subscriber;
    this.#channel = channel;
    subscriber.on('message', (from: string, key: string) => {
      if (from !== this.#channel) return;
      for (const watcher of this.#watchers.get(key) ?? []) {
        watcher.notified = true;
        watcher.wake?.();
      }
    });
  }

  /** Watches releases of `key`. The channel is subscribed on first use (ioredis resubscribes after a reconnect). */
  watch(key: string): ReleaseWatch {
    this.#subscribed ??= this.#subscriber.subscribe(this.#channel).catch(() => {
      // Without notices waiters still retry on their backoff; try subscribing again next time.
      this.#subscribed = undefined;
    });
    const watcher: Watcher = { notified: false, wake: undefined };
    let set = this.#watchers.get(key);
    if (set === undefined) {
      set = new Set();
      this.#watchers.set(key, set);
    }
    set.add(watcher);
    return {
      wait: async (ms, signal) => {
        signal?.throwIfAborted();
        if (watcher.notified) {
          watcher.notified = false;
          return;
        }
        const timer = new AbortController();
        const onAbort = () => timer.abort(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        watcher.wake = () => timer.abort();
        try {
          await pause(ms, timer.signal).catch(() => undefined);
          signal?.throwIfAborted();
        } finally {
          signal?.removeEventListener('abort', onAbort);
          watcher.wake = undefined;
          watcher.notified = false;
        }
      },
      close: () => {
        set.delete(watcher);
        if (set.size === 0) this.#watchers.delete(key);
      },
    };
  }
}
