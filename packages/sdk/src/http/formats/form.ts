/**
 * Rails-style flattening of nested values into `key=value` pairs, used for query strings and for
 * `application/x-www-form-urlencoded` bodies (Workato's `to_param`). Pure functions.
 *
 * - nested objects: `{ a: { b: 1 } }` -> `a[b]=1`
 * - arrays: `{ ids: [1, 2] }` -> `ids[]=1&ids[]=2`; objects in arrays: `{ a: [{ b: 1 }] }` -> `a[][b]=1`
 * - `Date` -> ISO 8601 (`toISOString()`); `null` -> an empty value (`key=`); `undefined` -> left out
 * - booleans and numbers -> their string form
 *
 * Query strings keep the keys in the order they were written (Rails sorts them); form bodies
 * (`encodeForm`) sort them as Rails' `to_param` does, because Workato sends them that way.
 *
 * @module
 */
import { SdkError } from '../../errors.js';
import { describe, isRecord } from '../values.js';

/** A flattened `key`/`value` pair, not yet encoded. */
export type ParamPair = readonly [key: string, value: string];

/** Flattens a record into Rails-style pairs (see the module comment). */
export function flattenParams(values: Readonly<Record<string, unknown>>): ParamPair[] {
  const out: ParamPair[] = [];
  for (const key of Object.keys(values)) flattenInto(key, values[key], (k, v) => out.push([k, v]));
  return out;
}

/**
 * The query string of a record: `encodeQuery(flattenParams(values))` in one pass, without the pairs
 * in between (what `.params()` becomes on every request).
 */
export function encodeParams(values: Readonly<Record<string, unknown>>): string {
  let query = '';
  const append = (key: string, value: string): void => {
    const pair = `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
    query = query === '' ? pair : `${query}&${pair}`;
  };
  for (const key of Object.keys(values)) flattenInto(key, values[key], append);
  return query;
}

/** Calls `emit` with each Rails-style pair of `key` and `value`, in order. */
function flattenInto(key: string, value: unknown, emit: (key: string, value: string) => void): void {
  if (value === undefined) return;
  if (value === null) {
    emit(key, '');
  } else if (value instanceof Date) {
    emit(key, value.toISOString());
  } else if (Array.isArray(value)) {
    for (const item of value) flattenInto(`${key}[]`, item, emit);
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const inner of Object.keys(record)) flattenInto(`${key}[${inner}]`, record[inner], emit);
  } else {
    emit(key, String(value));
  }
}

/**
 * Encodes pairs as a URL query string: RFC 3986 percent-encoding (`%20` for spaces, brackets
 * encoded as `%5B%5D`).
 */
export function encodeQuery(pairs: readonly ParamPair[]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/**
 * Encodes a payload as `application/x-www-form-urlencoded` (`+` for spaces). A string payload is
 * taken as already encoded and sent as it is. `where` names the request in errors (`POST https://...`).
 *
 * @throws {SdkError} `SLUICE_HTTP_PAYLOAD` when the payload is neither an object nor a string.
 */
export function encodeForm(payload: unknown, where: string): string {
  if (typeof payload === 'string') return payload;
  if (!isRecord(payload)) {
    throw new SdkError(
      'SLUICE_HTTP_PAYLOAD',
      `cannot form-encode the payload of ${where}: expected an object or a string, got ${describe(payload)}`,
      { hint: 'pass an object to .payload(), e.g. { grant_type: "client_credentials" }' },
    );
  }
  return toParam(payload, undefined);
}

/**
 * Ruby on Rails' `Hash#to_param` (ActiveSupport `core_ext/object/to_query.rb`), which Workato's
 * `request_format_www_form_urlencoded` calls: each key's `key=value` pieces are built, then sorted as
 * strings, except in hashes inside arrays (`a[][b]`), which keep their order; empty objects and arrays
 * are left out, `null` is `key=`. Encoded as Ruby's `CGI.escape`: `+` for spaces, only letters, digits
 * and `_.-~` left as they are.
 */
function toParam(record: Readonly<Record<string, unknown>>, namespace: string | undefined): string {
  const pieces: string[] = [];
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined || isEmptyCollection(value)) continue;
    pieces.push(toQuery(namespace === undefined ? key : `${namespace}[${key}]`, value));
  }
  if (namespace === undefined || !namespace.includes('[]')) pieces.sort();
  return pieces.join('&');
}

function toQuery(key: string, value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${cgiEscape(`${key}[]`)}=`;
    return value
      .filter((item) => item !== undefined)
      .map((item) => toQuery(`${key}[]`, item))
      .join('&');
  }
  if (isRecord(value) && !(value instanceof Date)) return toParam(value, key);
  const text = value === null ? '' : value instanceof Date ? value.toISOString() : String(value);
  return `${cgiEscape(key)}=${cgiEscape(text)}`;
}

function isEmptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && !(value instanceof Date) && Object.keys(value).length === 0;
}

/** Ruby's `CGI.escape`. */
function cgiEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
