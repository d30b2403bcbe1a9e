/**
 * Large JSON texts as UTF-8 in one buffer that the next document reuses, to bind to SQLite (issue 14).
 *
 * better-sqlite3 binds a string by converting it to UTF-8 in memory it allocates for that call, and
 * SQLite copies it again: about 15 ms for the 7.8 MB of JSON of 5 MB of records on the development VM,
 * most of it faulting in fresh pages. `buffer.write` into memory already mapped takes about 1 ms for the
 * same text, and a blob the statement casts to text (`cast(? as text)`) is stored in about 5 ms. The
 * column holds the same TEXT either way: SQLite reads a blob cast to text in the database's encoding
 * (UTF-8), and `buffer.write` writes what better-sqlite3's conversion writes, for well-formed text. A lone
 * surrogate is written apart by the two (U+FFFD here, its own three bytes there), so a text holding one is
 * bound as the string; JSON text never does (`JSON.stringify` escapes it).
 *
 * The buffer is kept from one document to the next, and dropped after a while without one
 * (`scratch-buffer.ts`).
 *
 * @internal
 * @module
 */
import { type DocumentText, textOf } from './document-json.js';
import { ScratchBuffer } from './scratch-buffer.js';

/** Texts shorter than this are bound as strings: their conversion costs nothing worth saving. */
export const SCRATCH_FROM_CHARS = 65_536;

/** UTF-8 takes at most three bytes per UTF-16 code unit (a surrogate pair's four bytes are two units). */
const MAX_BYTES_PER_UNIT = 3;

/** The UTF-8 of large texts, written into a buffer kept from one call to the next. */
export class Utf8Scratch {
  readonly #scratch = new ScratchBuffer();

  /**
   * Each text as what to bind for it: a short one as a string (or `null`), else a view of its UTF-8 in the
   * scratch buffer (a spliced text's parts written one after the other). The views are valid until the next
   * call: bind them (SQLite copies what it is bound) before calling again.
   */
  bindable(texts: readonly (DocumentText | null)[]): (string | Buffer | null)[] {
    let capacity = 0;
    for (const text of texts) {
      if (text !== null && text.length >= SCRATCH_FROM_CHARS) capacity += text.length * MAX_BYTES_PER_UNIT;
    }
    const buffer = capacity === 0 ? undefined : this.#scratch.room(capacity);
    let offset = 0;
    return texts.map((text) => {
      if (text === null) return null;
      if (buffer === undefined || text.length < SCRATCH_FROM_CHARS || !wellFormed(text)) return textOf(text);
      const start = offset;
      if (typeof text === 'string') offset += buffer.write(text, offset, 'utf8');
      else for (const part of text.parts) offset += buffer.write(part, offset, 'utf8');
      return buffer.subarray(start, offset);
    });
  }

  /** Drops the buffer now. */
  release(): void {
    this.#scratch.release();
  }
}

/** Whether `text` holds no lone surrogate (for a one-byte string, V8 answers at once). */
function wellFormed(text: DocumentText): boolean {
  const parts = typeof text === 'string' ? [text] : text.parts;
  return parts.every((part) => (part as string & { isWellFormed(): boolean }).isWellFormed());
}
