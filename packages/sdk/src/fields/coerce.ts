/**
 * Light coercion of values by their fields: numeric strings to numbers, `"true"`/`"false"` to booleans,
 * dates to ISO strings. {@link coerceOutput} applies it to action output; input validation reuses the
 * scalar rules.
 *
 * @module
 */
import type { Field, FieldType } from './field.js';
import { isPlainObject } from './kind-of.js';

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * The rules input and output share: a numeric string of an `integer` or `number` field as a number, and
 * `"true"`/`"false"` of a `boolean` field as a boolean. Values of other types are returned unchanged.
 *
 * @internal
 */
export function coerceScalar(type: FieldType, value: unknown): unknown {
  switch (type) {
    case 'integer':
      return numberFromString(value, true);
    case 'number':
      return numberFromString(value, false);
    case 'boolean':
      return booleanFromString(value);
    default:
      return value;
  }
}

/**
 * A numeric string (`"42"`, `" -1.5 "`, `"1e3"`; no hex, no `Infinity`) as a number; anything else unchanged.
 * With `integer`, only strings of safe integers convert, so `"4.5"` and `"9007199254740993"` stay strings.
 */
function numberFromString(value: unknown, integer: boolean): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!NUMERIC.test(text)) return value;
  const n = Number(text);
  return (integer ? Number.isSafeInteger(n) : Number.isFinite(n)) ? n : value;
}

/** `"true"` / `"false"` (any case, blanks around ignored) as a boolean; anything else unchanged. */
function booleanFromString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : value;
}

/** A valid `Date` as an ISO string (`YYYY-MM-DD` in UTC for `date`); anything else unchanged. @internal */
export function isoFromDate(value: unknown, type: 'date' | 'date_time'): unknown {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return value;
  const iso = value.toISOString();
  return type === 'date' ? iso.slice(0, 10) : iso;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const ISO_LIKE =
  /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EXPLICIT_ZONE = /(?:\b(?:GMT|UTC)|[+-]\d{2}:?\d{2})$/i;

/** True when `YYYY-MM-DD` names a real day (`Date.parse` would roll `2024-02-30` over to March). */
function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

/** Normalises an output `date` string: the date part of an ISO date-time; others unchanged. */
function dateFromString(text: string): string {
  if (DATE_ONLY.test(text)) return text;
  const match = ISO_LIKE.exec(text.trim());
  const date = match?.[1];
  return match?.[2] !== undefined && date !== undefined && isCalendarDate(date) ? date : text;
}

/** Normalises an output `date_time` string to RFC 3339; strings it cannot read safely are unchanged. */
function dateTimeFromString(text: string): string {
  if (RFC_3339.test(text)) return text;
  const trimmed = text.trim();
  const match = ISO_LIKE.exec(trimmed);
  let candidate: string | undefined;
  if (match) {
    const [, date = '', hm, seconds, zone] = match;
    if (!isCalendarDate(date)) return text;
    const offset = zone === undefined ? 'Z' : zone.toUpperCase() === 'Z' ? 'Z' : normaliseOffset(zone);
    candidate = `${date}T${hm ?? '00:00'}${seconds ?? ':00'}${offset}`;
  } else if (EXPLICIT_ZONE.test(trimmed)) {
    candidate = trimmed;
  }
  if (candidate === undefined) return text;
  const time = Date.parse(candidate);
  return Number.isNaN(time) ? text : new Date(time).toISOString();
}

function normaliseOffset(zone: string): string {
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/**
 * Sets an own, enumerable, writable data property, even one named `__proto__`. On a plain object
 * the caller made, an assignment does that (at a fraction of the cost of `Object.defineProperty`)
 * for every key Object.prototype does not have; those (`__proto__`, `toString`, ...) are defined.
 *
 * @internal
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key in Object.prototype) {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function coerceOutputItem(type: FieldType, properties: unknown, value: unknown): unknown {
  switch (type) {
    case 'date':
      return typeof value === 'string' ? dateFromString(value) : isoFromDate(value, 'date');
    case 'date_time':
    case 'timestamp':
      return typeof value === 'string' ? dateTimeFromString(value) : isoFromDate(value, 'date_time');
    case 'object':
      return Array.isArray(properties) && isPlainObject(value)
        ? coerceOutputObject(properties, value)
        : value;
    default:
      return coerceScalar(type, value);
  }
}

function coerceOutputObject(
  fields: readonly unknown[],
  value: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const field of fields) {
    if (!isPlainObject(field) || typeof field.name !== 'string' || !Object.hasOwn(value, field.name))
      continue;
    const type = (field.type ?? 'string') as FieldType;
    const current = value[field.name];
    const coerced =
      type === 'array'
        ? Array.isArray(current)
          ? current.map((item: unknown) =>
              coerceOutputItem((field.of ?? 'string') as FieldType, field.properties, item),
            )
          : current
        : coerceOutputItem(type, field.properties, current);
    if (coerced !== current) setOwn(out, field.name, coerced);
  }
  return out;
}

/**
 * Coerces an action's (or trigger's) output by its output fields, and never throws. Rules, per field type:
 * - `integer`: a string holding a safe integer (`"42"`, `" 7 "`, `"1e3"`) becomes a number;
 * - `number`: a numeric string (`"-1.5"`, `".5"`, `"2e-3"`; no hex, no `Infinity`) becomes a number;
 * - `boolean`: `"true"` / `"false"` (any case) become booleans; `1`/`0` stay numbers;
 * - `date`: a `Date` becomes `YYYY-MM-DD` (UTC), an ISO date-time string its date part as written;
 * - `date_time` (and `timestamp`): a `Date` becomes an ISO string (`toISOString()`, UTC); an RFC 3339 string is kept as it is;
 *   an ISO-like string (space instead of `T`, no seconds, `+0200`, or no zone, read as UTC) or a string with
 *   an explicit zone (`Fri, 05 Jan 2024 10:00:00 GMT`) becomes `toISOString()`; numbers are kept (seconds
 *   and milliseconds cannot be told apart);
 * - `string`: kept as it is (numbers are not turned into strings, since `type` defaults to `string`);
 * - `object`: coerced recursively by its `properties`; `array`: each item by `of` (and `properties`).
 *
 * Anything that does not match a rule is kept as it is: `null`, `undefined`, invalid dates, unreadable
 * strings, a non-object where an object is expected, and keys the fields do not name. The result is a new
 * object; the value passed in is never changed. A value that is not a plain object is returned unchanged.
 *
 * @example
 * coerceOutput([{ name: 'id', type: 'integer' }, { name: 'at', type: 'date_time' }],
 *   { id: '42', at: new Date(0), extra: 'kept' });
 * // { id: 42, at: '1970-01-01T00:00:00.000Z', extra: 'kept' }
 */
export function coerceOutput(fields: readonly Field[], value: unknown): unknown {
  return isPlainObject(value) && Array.isArray(fields) ? coerceOutputObject(fields, value) : value;
}
