/**
 * Keyset cursors of the list routes: the sort key of a page's last row as base64url JSON, opaque to
 * callers (`next_cursor`, passed back as `cursor`).
 *
 * @internal
 * @module
 */
import { EngineError } from '../errors.js';

/** The cursor of a row whose sort key is `key`. */
export function encodePageCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A character no cursor of ours holds, and PostgreSQL refuses in a query. */
const NUL = '\u0000';

/**
 * The sort key in `text`: `size` strings.
 *
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST` when `text` is not a cursor of that shape.
 */
export function decodePageCursor(text: string, size: number): string[] {
  try {
    const key = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    const parts = Array.isArray(key) && key.length === size ? (key as unknown[]) : [];
    if (parts.length === size && parts.every((part) => typeof part === 'string' && !part.includes(NUL))) {
      return parts as string[];
    }
  } catch {
    // fall through
  }
  throw new EngineError('SLUICE_API_BAD_REQUEST', 'cursor is not a cursor this API returned', {
    hint: 'pass next_cursor from the previous page as it is',
  });
}
