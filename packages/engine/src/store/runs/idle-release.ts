/**
 * Lets memory kept for large documents go after a while without use (issue 14): the scratch buffers and the
 * WebAssembly escape scan keep what they grew to from one document to the next, and drop it once
 * {@link IdleRelease} has not been touched for its idle time.
 *
 * @internal
 * @module
 */

/** How long memory kept for large documents stays after its last use, in ms. */
export const KEPT_MEMORY_IDLE_MS = 30_000;

/** Calls `release` once `idleMs` passed without a {@link IdleRelease.touch}; its timer keeps no process alive. */
export class IdleRelease {
  readonly #idleMs: number;
  readonly #release: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(idleMs: number, release: () => void) {
    this.#idleMs = idleMs;
    this.#release = release;
  }

  /** The memory was just used: `release` waits for another `idleMs`. */
  touch(): void {
    if (this.#timer !== undefined) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#release();
    }, this.#idleMs);
    this.#timer.unref();
  }

  /** No release pending (the owner let go of its memory itself). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
