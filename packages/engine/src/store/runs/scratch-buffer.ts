/**
 * A buffer kept from one large document to the next (issue 14): writing megabytes into memory already
 * mapped is several times faster than into memory allocated for the call, most of whose cost is faulting in
 * fresh pages. The buffer is dropped after {@link KEPT_MEMORY_IDLE_MS} without use, so a process that handled one large
 * input does not keep its pages for good; a request larger than {@link MAX_KEPT_BYTES} gets a buffer of its
 * own, not kept.
 *
 * @internal
 * @module
 */

import { IdleRelease, KEPT_MEMORY_IDLE_MS } from './idle-release.js';

/** The most bytes kept between uses (virtual memory: only the pages written become resident). */
export const MAX_KEPT_BYTES = 96 * 1024 * 1024;

/** One reusable buffer; what it returns is valid until the next {@link ScratchBuffer.room}. */
export class ScratchBuffer {
  #buffer: Buffer | undefined;
  readonly #idle = new IdleRelease(KEPT_MEMORY_IDLE_MS, () => {
    this.#buffer = undefined;
  });

  /**
   * A buffer of at least `bytes`, its contents undefined (not zero-filled: the caller writes what it reads):
   * the kept one, grown when too small, or one of its own when too large to keep. Its `byteOffset` is 0.
   */
  room(bytes: number): Buffer {
    if (bytes > MAX_KEPT_BYTES) return Buffer.allocUnsafeSlow(bytes);
    if (this.#buffer === undefined || this.#buffer.length < bytes)
      this.#buffer = Buffer.allocUnsafeSlow(bytes);
    this.#idle.touch();
    return this.#buffer;
  }

  /** Drops the buffer now. */
  release(): void {
    this.#idle.cancel();
    this.#buffer = undefined;
  }
}
