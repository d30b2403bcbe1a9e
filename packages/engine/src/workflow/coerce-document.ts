/**
 * The values the Mason workflow format accepts (its pydantic v2 model, lax mode) that the schema states in
 * one spelling only, brought to that spelling before the schema runs (`validate.ts`). Pure and linear: it
 * visits the document's known fields only, and copies what it changes (never the caller's value).
 *
 * - `null` where the format says Optional (`uid`, `default_retry`; a step's `retry`, `input`, `output`;
 *   `apispec.headers`, `params`, `data`, `json_body`) is the same as leaving the field out.
 * - Booleans written as strings or as 0/1, integers and numbers written as strings, as pydantic-core
 *   coerces them ({@link coerceBool}, {@link coerceInt}, {@link coerceNumber}).
 * - `created` and `updated` as pydantic writes a naive `datetime` (`2024-05-01T12:00:00.123456`, or
 *   `str(datetime)` with a space): taken as UTC, written back as RFC 3339 ({@link coerceDateTime}).
 * - `apispec.headers` and `params` given as a string that holds a JSON object become that object; a
 *   string that is neither a JSON object nor a template is a problem here, not at run time.
 *
 * A value that does not coerce is left as written, so the schema reports it with the author's spelling.
 *
 * @internal
 * @module
 */
import { shown } from '../model/shown.js';
import { isTemplate } from '../template/scan.js';
import type { RawProblem } from './schema-problems.js';

type Json = Record<string, unknown>;

/** The document with the format's other spellings replaced, and the strings that cannot be objects. */
export interface CoercedDocument {
  value: unknown;
  problems: RawProblem[];
}

const OPTIONAL_ROOT = ['uid', 'default_retry'] as const;
const OPTIONAL_STEP = ['retry', 'input', 'output'] as const;
const OPTIONAL_APISPEC = ['headers', 'params', 'data', 'json_body'] as const;
const RETRY_INTS = ['total', 'connect', 'read', 'redirect', 'status', 'other'] as const;
const RETRY_NUMBERS = ['backoff_factor', 'backoff_max', 'backoff_jitter', 'retry_after_max'] as const;
const RETRY_BOOLS = ['raise_on_redirect', 'raise_on_status', 'respect_retry_after_header'] as const;

/** The problem a literal `headers` or `params` string that is no JSON object gets. */
const NOT_AN_OBJECT = {
  headers: 'must be an object of header names to values, or a string holding a JSON object',
  params: 'must be an object of query parameters, or a string holding a JSON object',
} as const;

/** Coerces `value` as described in the module comment. */
export function coerceDocument(value: unknown): CoercedDocument {
  const problems: RawProblem[] = [];
  if (!isObject(value)) return { value, problems };
  const doc: Json = { ...value };
  dropNulls(doc, OPTIONAL_ROOT);
  coerce(doc, 'deleted', coerceBool);
  coerce(doc, 'version', coerceInt);
  coerce(doc, 'created', coerceDateTime);
  coerce(doc, 'updated', coerceDateTime);
  if (isObject(doc.default_retry)) doc.default_retry = coerceRetry(doc.default_retry);
  if (isObject(doc.default_rate_limit)) doc.default_rate_limit = coerceRateLimit(doc.default_rate_limit);
  if (Array.isArray(doc.steps)) {
    doc.steps = doc.steps.map((step: unknown, index: number) =>
      isObject(step) ? coerceStep(step, index, problems) : step,
    );
  }
  return { value: doc, problems };
}

function coerceStep(step: Json, index: number, problems: RawProblem[]): Json {
  const out: Json = { ...step };
  dropNulls(out, OPTIONAL_STEP);
  coerce(out, 'concurrency', coerceInt);
  if (isObject(out.retry)) out.retry = coerceRetry(out.retry);
  if (isObject(out.rate_limit)) out.rate_limit = coerceRateLimit(out.rate_limit);
  if (isObject(out.apispec)) {
    const spec: Json = { ...out.apispec };
    dropNulls(spec, OPTIONAL_APISPEC);
    coerce(spec, 'timeout', coerceNumber);
    for (const field of ['headers', 'params'] as const) {
      const text = spec[field];
      if (typeof text !== 'string') continue;
      const parsed = jsonObject(text);
      if (parsed !== undefined) spec[field] = parsed;
      // A template renders to an object at run time (or to a string holding one).
      else if (!isTemplate(text)) {
        problems.push({
          path: ['steps', index, 'apispec', field],
          message: `${NOT_AN_OBJECT[field]} (got ${shown(text)})`,
        });
      }
    }
    out.apispec = spec;
  }
  return out;
}

function coerceRetry(block: Json): Json {
  const out: Json = { ...block };
  for (const field of RETRY_INTS) coerce(out, field, coerceInt);
  for (const field of RETRY_NUMBERS) coerce(out, field, coerceNumber);
  for (const field of RETRY_BOOLS) coerce(out, field, coerceBool);
  if (Array.isArray(out.status_forcelist)) {
    out.status_forcelist = out.status_forcelist.map((item: unknown) => coerceInt(item) ?? item);
  }
  return out;
}

function coerceRateLimit(block: Json): Json {
  const out: Json = { ...block };
  coerce(out, 'requests', coerceInt);
  coerce(out, 'per_seconds', coerceNumber);
  return out;
}

/** The object a string holds as JSON, or `undefined`. */
export function jsonObject(text: string): Json | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const FALSE_WORDS = new Set(['f', 'n', 'no', 'off', 'false']);
const TRUE_WORDS = new Set(['t', 'y', 'on', 'yes', 'true']);

/**
 * pydantic-core's lax `bool`: the strings `0`, `1`, and `f`, `n`, `no`, `off`, `false`, `t`, `y`, `on`,
 * `yes`, `true` in any ASCII case, not trimmed; the integers 0 and 1. `undefined` for anything else.
 */
export function coerceBool(value: unknown): boolean | undefined {
  if (value === 0 || value === 1) return value === 1;
  if (typeof value !== 'string') return undefined;
  if (value === '0') return false;
  if (value === '1') return true;
  // Only ASCII letters compare case-insensitively (`eq_ignore_ascii_case`).
  if (!/^[A-Za-z]+$/.test(value)) return undefined;
  const lower = value.toLowerCase();
  return FALSE_WORDS.has(lower) ? false : TRUE_WORDS.has(lower) ? true : undefined;
}

/**
 * pydantic-core's lax `int` from a string: whitespace around it is ignored; an optional `+` or `-`; digits,
 * single `_` between digits; a decimal part of zeros only (`12.0`). `undefined` for anything else, and for
 * values past ±2^53 (which a JSON number cannot hold exactly).
 */
export function coerceInt(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^([+-]?)(\d+(?:_\d+)*)(?:\.0+)?$/.exec(value.trim());
  if (match === null) return undefined;
  const number = Number(`${match[1]}${(match[2] as string).replaceAll('_', '')}`);
  return Number.isSafeInteger(number) ? number : undefined;
}

const DIGITS = '\\d+(?:_\\d+)*';
const FLOAT = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);

/**
 * pydantic-core's lax `float` from a string: a decimal number with an optional exponent, whitespace
 * around it ignored, single `_` between digits. (`inf` and `nan`, which pydantic also reads, are no valid
 * value of any field here, so they are left for the schema to refuse.)
 */
export function coerceNumber(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!FLOAT.test(text)) return undefined;
  const number = Number(text.replaceAll('_', ''));
  return Number.isFinite(number) ? number : undefined;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt _](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * A `datetime` as pydantic reads one (speedate): `YYYY-MM-DD`, then optionally `T`, `t`, `_` or a space and
 * `HH:MM[:SS[.ffffff]]`, then optionally `Z` or an offset `±HH[:MM]`. Without an offset it is UTC, as the
 * format's `datetime.utcnow` writes it. Returned as RFC 3339 (`2024-05-01T12:00:00.123456Z`); `undefined`
 * when the value is no such date-time or names a day or time that does not exist.
 */
export function coerceDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE_TIME.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as number[];
  const date = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  const exists =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === (mo as number) - 1 &&
    date.getUTCDate() === d &&
    (h as number) < 24 &&
    (mi as number) < 60 &&
    (s as number) < 60;
  if (!exists) return undefined;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${offset(zone)}`;
}

function offset(zone: string | undefined): string {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 'Z';
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2) || '00'}`;
}

/** Replaces `doc[key]` by what `to` makes of it, when it makes something. */
function coerce(doc: Json, key: string, to: (value: unknown) => unknown): void {
  if (!Object.hasOwn(doc, key)) return;
  const coerced = to(doc[key]);
  if (coerced !== undefined) doc[key] = coerced;
}

function dropNulls(doc: Json, keys: readonly string[]): void {
  for (const key of keys) if (Object.hasOwn(doc, key) && doc[key] === null) delete doc[key];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
