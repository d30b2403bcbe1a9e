/**
 * The JSON text of a run's document (its input): exactly `JSON.stringify(value)`, made faster when the
 * value is a small structure holding large strings (a file's content, a base64 blob, a long text).
 *
 * `JSON.stringify` inspects a string one character at a time for what to escape, about 10 ms for 5 MB
 * here. A string with nothing to escape (no `"`, `\`, control character or lone surrogate) is its own
 * JSON between quotes, and a scan for those characters is many times faster (`json-escapes.ts`). So: a walk of at
 * most {@link WALK_LIMIT} values looks for strings of {@link LARGE_STRING} characters or more; the
 * structure is stringified with a placeholder in their place, and each is spliced back in quotes (or
 * stringified, when it has something to escape). Any value the walk cannot vouch for (more values
 * than the limit, a `toJSON`, an object that is not a plain object or an array) is stringified whole.
 *
 * A spliced text is kept as its parts ({@link SplicedJson}): joining them copies the large strings once
 * more (about 2.5 ms for 5 MB), and the document file writes the parts one after the other anyway.
 *
 * @internal
 * @module
 */
import { randomBytes } from 'node:crypto';
import { jsonEscapes } from './json-escapes.js';

/** Strings at least this long are spliced in rather than stringified. */
export const LARGE_STRING = 65_536;

/** The most values (objects, arrays, leaves) the walk looks at before it stringifies the whole value. */
const WALK_LIMIT = 256;

/**
 * JSON text as the parts it was spliced from, in order. Where it is stored, its parts are written one after
 * the other; {@link SplicedJson.toString} joins them for a consumer that needs one string.
 */
export class SplicedJson {
  readonly parts: readonly string[];
  /** The text's length in UTF-16 code units, as the joined string's `length`. */
  readonly length: number;

  constructor(parts: readonly string[]) {
    this.parts = parts;
    let length = 0;
    for (const part of parts) length += part.length;
    this.length = length;
  }

  /** The whole text, joined. */
  toString(): string {
    return this.parts.join('');
  }
}

/** A document's JSON text: a string, or the parts of a spliced one. */
export type DocumentText = string | SplicedJson;

/** `text` as one string. */
export function textOf(text: DocumentText): string {
  return typeof text === 'string' ? text : text.toString();
}

/**
 * `JSON.stringify(value)`, through the splice described above when the value allows it; a spliced text
 * as its parts.
 */
export function documentJson(value: unknown): DocumentText | undefined {
  const large = largeStrings(value);
  if (large === undefined) return JSON.stringify(value);
  const nonce = randomBytes(12).toString('hex');
  const placeholder = (i: number) => `sluice-large-string:${nonce}:${i}`;
  const strings: string[] = [];
  const skeleton = withPlaceholders(value, (text) => {
    strings.push(text);
    return placeholder(strings.length - 1);
  });
  const text = JSON.stringify(skeleton);
  const parts: string[] = [];
  let from = 0;
  for (const [i, string] of strings.entries()) {
    // The structure is stringified in the order the walk met the strings, each placeholder once.
    const quoted = `"${placeholder(i)}"`;
    const at = text.indexOf(quoted, from);
    if (jsonEscapes(string)) {
      parts.push(text.slice(from, at), JSON.stringify(string));
      from = at + quoted.length;
    } else {
      // Its own part between the placeholder's quotes: quoting it would copy it whole.
      parts.push(text.slice(from, at + 1), string);
      from = at + quoted.length - 1;
    }
  }
  parts.push(text.slice(from));
  return new SplicedJson(parts);
}

/**
 * Whether `value` is a small structure with large strings in it: `undefined` when it holds none, or more
 * than {@link WALK_LIMIT} values, or anything but plain objects, arrays and primitives.
 */
function largeStrings(value: unknown): true | undefined {
  const pending: unknown[] = [value];
  let seen = 0;
  let found = false;
  while (pending.length > 0) {
    if (++seen > WALK_LIMIT) return undefined;
    const v = pending.pop();
    if (typeof v === 'string') {
      if (v.length >= LARGE_STRING) found = true;
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (!plain(v)) return undefined;
    // Counted before listed: a list of 65,000 records would be copied whole only to be given up on.
    const inner = Array.isArray(v) ? v : Object.values(v);
    if (seen + pending.length + inner.length > WALK_LIMIT) return undefined;
    for (const each of inner) pending.push(each);
  }
  return found ? true : undefined;
}

/** A plain object (no `toJSON`) or an array: what `JSON.stringify` writes as its own entries. */
function plain(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return (
    (proto === Object.prototype || proto === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** A copy of `value` (known to be small and plain) with each large string replaced by `swap(string)`. */
function withPlaceholders(value: unknown, swap: (text: string) => string): unknown {
  if (typeof value === 'string') return value.length >= LARGE_STRING ? swap(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((inner) => withPlaceholders(inner, swap));
  // No prototype, so a key `__proto__` (JSON.parse makes one) stays an own entry of the copy.
  const copy: Record<string, unknown> = Object.create(null);
  for (const [key, inner] of Object.entries(value)) copy[key] = withPlaceholders(inner, swap);
  return copy;
}
