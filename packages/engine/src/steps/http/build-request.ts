/**
 * Phase "send", part one: turns a rendered `apispec` into the request on the wire. Pure.
 *
 * - `url` is used as it is; `params` (an object, Rails-style like the SDK's `.params()`, a string holding
 *   a JSON object, or a ready query string) are appended to its query.
 * - `headers` may render to an object or to a string holding a JSON object.
 * - `headers` values are sent as strings; a name that is not an HTTP token, or a value with CR, LF, NUL,
 *   another control character or a character beyond U+00FF, fails the item before anything is sent
 *   (an {@link ApiSpecShapeError}: never retried). `json_body` is JSON (`Content-Type: application/json`
 *   unless set); `data` is form-encoded when an object (`application/x-www-form-urlencoded`), raw when a string.
 * - Every request carries the item's `Idempotency-Key`, unless the author set that header.
 *
 * @module
 */

import { encodeForm, encodeJson, encodeQuery, flattenParams, type WireRequest } from '@sluice/sdk/internal';
import { badHeaderValueChar, isHeaderName } from './header-rules.js';

/** A rendered `apispec`: templates already replaced by their values. */
export interface RenderedApiSpec {
  url: unknown;
  method: string;
  params?: unknown;
  headers?: unknown;
  data?: unknown;
  json_body?: unknown;
}

/** A rendered field that has the wrong shape; the item fails with error class `other`. */
export class ApiSpecShapeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`apispec.${field}: ${message}`);
    this.name = 'ApiSpecShapeError';
  }
}

/**
 * Builds the wire request of one step item.
 *
 * @throws {ApiSpecShapeError} when `url` is not a string, `headers`/`params`/`data` render to a value
 * they cannot take, or a header name or value is one HTTP cannot carry.
 */
export function buildRequest(spec: RenderedApiSpec, idempotencyKey: string): WireRequest {
  if (typeof spec.url !== 'string' || spec.url === '') {
    throw new ApiSpecShapeError('url', `must render to a non-empty string, got ${kind(spec.url)}`);
  }
  const method = spec.method.toUpperCase();
  const url = withQuery(spec.url, spec.params);
  const headers = headerRecord(spec.headers);
  if (findHeader(headers, 'idempotency-key') === undefined) headers['Idempotency-Key'] = idempotencyKey;

  let body: string | undefined;
  if (spec.json_body !== undefined && spec.json_body !== null) {
    body = encodeJson(spec.json_body);
    if (findHeader(headers, 'content-type') === undefined) headers['Content-Type'] = 'application/json';
  } else if (typeof spec.data === 'string') {
    body = spec.data;
  } else if (spec.data !== undefined && spec.data !== null) {
    if (typeof spec.data !== 'object' || Array.isArray(spec.data)) {
      throw new ApiSpecShapeError('data', `must render to an object or a string, got ${kind(spec.data)}`);
    }
    body = encodeForm(spec.data, `${method} ${spec.url}`);
    if (findHeader(headers, 'content-type') === undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
  }
  return body === undefined ? { method, url, headers } : { method, url, headers, body };
}

function withQuery(url: string, rendered: unknown): string {
  let query: string;
  const params = jsonObjectOr(rendered);
  if (params === undefined || params === null || params === '') return url;
  if (typeof params === 'string') query = params.replace(/^\?/, '');
  else if (typeof params === 'object' && !Array.isArray(params)) {
    query = encodeQuery(flattenParams(params as Record<string, unknown>));
  } else {
    throw new ApiSpecShapeError('params', `must render to an object or a query string, got ${kind(params)}`);
  }
  if (query === '') return url;
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${query}`;
}

function headerRecord(rendered: unknown): Record<string, string> {
  const headers = jsonObjectOr(rendered);
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw new ApiSpecShapeError('headers', `must render to an object, got ${kind(headers)}`);
  }
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    // The HTTP client would refuse these, and the refusal would be retried as a network error.
    if (!isHeaderName(name)) {
      throw new ApiSpecShapeError(
        'headers',
        `${quoted(name)} is not an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~ only); the request was not sent`,
      );
    }
    const bad = badHeaderValueChar(text);
    if (bad !== undefined) {
      throw new ApiSpecShapeError(
        'headers',
        `the value of header ${name} contains ${bad} once rendered, which an HTTP header value cannot hold; the request was not sent`,
      );
    }
    out.push([name, text]);
  }
  // fromEntries, not assignment: a header named __proto__ stays a header.
  return Object.fromEntries(out);
}

/**
 * The object a rendered string holds as JSON (the Mason format's `headers` and `params` may be "dict or
 * str"), else the value as it is.
 */
function jsonObjectOr(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trimStart().startsWith('{')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : value;
  } catch {
    return value;
  }
}

/** A name as JSON, shortened: it may come from data. */
function quoted(name: string): string {
  const text = JSON.stringify(name);
  return text.length <= 60 ? text : `${text.slice(0, 57)}..."`;
}

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  return Object.keys(headers).find((key) => key.toLowerCase() === name);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
