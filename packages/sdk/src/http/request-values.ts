/**
 * Pure helpers of the request builder: checking chain-method arguments and building the frozen
 * copies a builder keeps.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { findHeader } from './build-wire-request.js';
import { isXmlName } from './formats/xml.js';
import { describe, isRecord } from './values.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Where a value was given, for error messages (`params() of GET /v1/x`); a function when the text is
 * built only for an error.
 */
export type Where = string | (() => string);

function placeOf(where: Where): string {
  return typeof where === 'string' ? where : where();
}

/** An `SLUICE_HTTP_OPTION` error: a chain method or client option got a bad argument. */
export function optionError(message: string, hint: string): SdkError {
  return new SdkError('SLUICE_HTTP_OPTION', message, { hint });
}

/**
 * Copies plain records and arrays deeply and freezes the copies; other values (dates, bytes, Blobs,
 * class instances) are kept as they are. The caller's objects are neither frozen nor kept.
 */
export function frozenCopy<V>(value: V, seen?: Map<object, unknown>): V {
  if (!Array.isArray(value) && !isRecord(value)) return value;
  const known = seen?.get(value);
  if (known !== undefined) return known as V;
  // The map that guards against cycles is made only once there is a nested record to visit.
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  seen?.set(value, copy);
  const inner = (item: unknown): unknown => {
    if (!Array.isArray(item) && !isRecord(item)) return item;
    seen ??= new Map([[value, copy]]);
    return frozenCopy(item, seen);
  };
  if (Array.isArray(value) && Array.isArray(copy)) for (const item of value) copy.push(inner(item));
  else {
    const record = copy as Record<string, unknown>;
    for (const key of Object.keys(value)) {
      const item = inner((value as Record<string, unknown>)[key]);
      // Plain assignment of `__proto__` would set the prototype instead of a key.
      if (key === '__proto__') Object.defineProperty(record, key, { value: item, enumerable: true });
      else record[key] = item;
    }
  }
  return Object.freeze(copy) as V;
}

/** An object merges over an object, an array is appended to an array, anything else replaces. */
export function mergePayload(before: unknown, values: unknown): unknown {
  if (isRecord(before) && isRecord(values)) return frozenCopy({ ...before, ...values });
  if (Array.isArray(before) && Array.isArray(values)) return frozenCopy([...before, ...values]);
  return frozenCopy(values);
}

/** One signal that aborts when either does. */
export function combineSignals(
  a: AbortSignal | undefined,
  b: AbortSignal | undefined,
): AbortSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return AbortSignal.any([a, b]);
}

/** Checks a plain-object argument. */
export function checkRecord(value: unknown, where: Where, example: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  throw optionError(
    `${placeOf(where)}: expected an object, got ${describe(value)}`,
    `pass an object, e.g. ${example}`,
  );
}

/** Checks a function argument (hooks). */
export function checkFunction(value: unknown, where: string): void {
  if (typeof value !== 'function') {
    throw optionError(`${where}: expected a function, got ${describe(value)}`, 'pass a function');
  }
}

/**
 * Merges `values` over `headers`, replacing a header of the same name whatever its case.
 *
 * @throws {SdkError} `SLUICE_HTTP_OPTION` for an invalid name, a value that is not a string, number
 * or boolean, or a value with CR, LF or NUL in it.
 */
export function mergeHeaders(
  headers: Readonly<Record<string, string>>,
  values: unknown,
  where: Where,
): Readonly<Record<string, string>> {
  const merged: Record<string, string> = { ...headers };
  for (const [name, value] of Object.entries(checkRecord(values, where, "{ 'X-Api-Key': key }"))) {
    if (!HEADER_NAME.test(name)) {
      throw optionError(
        `${placeOf(where)}: ${JSON.stringify(name)} is not a valid header name`,
        'use letters, digits and -',
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw optionError(
        `${placeOf(where)}: the value of ${name} is ${describe(value)}`,
        'header values are strings, numbers or booleans',
      );
    }
    const text = String(value);
    if (/[\r\n\0]/.test(text)) {
      throw optionError(
        `${placeOf(where)}: the value of ${name} contains a line break`,
        'remove CR, LF and NUL characters',
      );
    }
    const existing = findHeader(merged, name);
    if (existing !== undefined) delete merged[existing];
    merged[name] = text;
  }
  return Object.freeze(merged);
}

/** Checks a string argument (`user()`, `password()`). */
export function checkString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  throw optionError(`${where}: expected a string, got ${describe(value)}`, 'pass a string');
}

/** Checks a timeout in seconds: a finite number above 0. */
export function checkTimeout(seconds: unknown, where: string): number {
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) return seconds;
  throw optionError(
    `${where}: expected a positive number of seconds, got ${typeof seconds === 'number' ? String(seconds) : describe(seconds)}`,
    'e.g. .timeout(30) for 30 seconds to connect and 30 seconds for each read',
  );
}

/** Checks the name of an XML root element. */
export function checkXmlRoot(root: unknown, where: string): string {
  if (typeof root === 'string' && isXmlName(root)) return root;
  const shown = typeof root === 'string' ? JSON.stringify(root) : describe(root);
  throw optionError(
    `${where}: ${shown} is not a valid XML root element name`,
    "pass the root element's name, e.g. .formatXml('customer')",
  );
}
