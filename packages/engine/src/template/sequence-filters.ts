/**
 * Jinja2 3.1's `batch` and `slice`, computed as Jinja2 computes them (minijinja's own take neither
 * `fill_with` nor their arguments by keyword). Both iterate their input as Jinja2 does: a list by item,
 * a string by character, a dict by key.
 *
 * @internal
 * @module
 */
import { pyType } from './number-filters.js';

/** The items Jinja2 iterates over in `value`; throws a TypeError naming the filter for other values. */
function items(filter: string, value: unknown): unknown[] {
  if (typeof value === 'string') return [...value];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) return Object.keys(value);
  throw new TypeError(`${filter}: '${pyType(value)}' object is not iterable`);
}

/**
 * Jinja2 `batch`: lists of `linecount` items; the last one is filled up with `fillWith` unless that is
 * `null` (Jinja2's `None`).
 */
export function batch(value: unknown, linecount: number, fillWith: unknown): unknown[][] {
  const out: unknown[][] = [];
  let current: unknown[] = [];
  for (const item of items('batch', value)) {
    if (current.length === linecount) {
      out.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) {
    while (fillWith !== null && current.length < linecount) current.push(fillWith);
    out.push(current);
  }
  return out;
}

/**
 * Jinja2 `slice`: `slices` lists, the first `len % slices` of them one item longer; the shorter ones get
 * `fillWith` appended unless that is `null`.
 */
export function slice(value: unknown, slices: number, fillWith: unknown): unknown[][] {
  if (slices === 0) throw new TypeError('slice: integer division or modulo by zero (slices is 0)');
  const seq = items('slice', value);
  const perSlice = Math.floor(seq.length / slices);
  const withExtra = seq.length % slices;
  const out: unknown[][] = [];
  let offset = 0;
  for (let n = 0; n < slices; n++) {
    const start = offset + n * perSlice;
    if (n < withExtra) offset += 1;
    const part = seq.slice(start, offset + (n + 1) * perSlice);
    if (fillWith !== null && n >= withExtra) part.push(fillWith);
    out.push(part);
  }
  return out;
}
