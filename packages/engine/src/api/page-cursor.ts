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

/** How many rows a page of a list route holds: `limit` may ask for 1 to `max`. */
export interface PageLimits {
  default: number;
  max: number;
}

/** The querystring schema of a list route: its own filters (`properties`), then `limit` and `cursor`. */
export function pageQuerySchema(limits: PageLimits, properties: Record<string, object> = {}) {
  return {
    type: 'object',
    properties: {
      ...properties,
      limit: { type: 'integer', minimum: 1, maximum: limits.max, default: limits.default },
      cursor: { type: 'string', maxLength: 1024 },
    },
    additionalProperties: false,
  } as const;
}

/**
 * The page of `rows` (fetched with one more than `limit`, which tells whether there is a next page) and
 * the cursor of the next page, from the sort key of its last row.
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => readonly string[],
): { page: T[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    next_cursor: rows.length > limit && last !== undefined ? encodePageCursor(keyOf(last)) : null,
  };
}
