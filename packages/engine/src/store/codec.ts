/**
 * Value codecs: how a JSON value and a time are stored (`database.ts`); every dialect stores them alike.
 * The row codecs of each domain build on them (`runs/run-codec.ts`, ...).
 *
 * - A JSON value is stored as `JSON.stringify` text, so it reads back exactly (key order, unicode,
 *   numbers as JS prints them). An absent value (`undefined`) is SQL `NULL` and reads back absent;
 *   `null` is the text `null` and reads back `null`. A value JSON cannot hold (a `BigInt`, a cycle)
 *   is refused, naming the column.
 * - A time is stored in canonical form (`new Date(value).toISOString()`): a value the executor made
 *   with `toISOString()` reads back unchanged; any other ISO string reads back as the same instant in
 *   that form. An unparseable time is refused.
 *
 * @internal
 * @module
 */

import { isCanonicalIsoTime } from '../model/iso-time.js';
import type { IsoText, JsonText } from './database.js';

/** A value the store cannot write; the store wraps it in `SLUICE_STORE`. */
export class StoreValueError extends Error {}

/**
 * `undefined` → `NULL`; anything else → its JSON text, by `stringify` (which must give what
 * `JSON.stringify` gives: `runs/document-json.ts` does, faster for large strings).
 */
export function toJson(value: unknown, column: string): JsonText | null;
export function toJson<T extends { length: number }>(
  value: unknown,
  column: string,
  stringify: (value: unknown) => T | undefined,
): T | null;
export function toJson(
  value: unknown,
  column: string,
  stringify: (value: unknown) => unknown = JSON.stringify,
): unknown {
  let text: unknown;
  try {
    text = stringify(value);
  } catch (err) {
    throw new StoreValueError(`${column} is not JSON-serializable (${(err as Error).message})`, {
      cause: err,
    });
  }
  return text === undefined ? null : text;
}

/** `NULL` → `undefined`. */
export function fromJson(text: JsonText | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** A time in canonical ISO form; `null`/`undefined` → `NULL`. */
export function toTime(value: string | null | undefined, column: string): IsoText | null {
  if (value == null) return null;
  // The times the engine makes are canonical already: checked without parsing (a run writes dozens).
  if (isCanonicalIsoTime(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new StoreValueError(`${column} is not an ISO time: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}
