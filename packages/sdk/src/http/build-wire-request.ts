/**
 * Turns a {@link RequestSpec} into a {@link WireRequest}: resolves the URL, adds the query, sets the
 * headers and encodes the payload. No I/O (multipart encoding is asynchronous, hence the promise).
 *
 * - URL: an absolute URL is used as it is; a relative one is resolved against `baseUri` by RFC 3986,
 *   as a browser link or Workato (Ruby `URI#merge`) does: `https://h/api/` + `v1/x` is
 *   `https://h/api/v1/x`, while `https://h/api` + `v1/x` and `https://h/api/` + `/v1/x` are both
 *   `https://h/v1/x` (a leading `/` starts from the host). The query of the URL is kept and
 *   `.params()` are appended Rails-style (`ids[]=1&ids[]=2`, `a[b]=1`). The fragment is dropped.
 * - Headers: `Accept` follows the response format (JSON, XML) and `Content-Type` the request format
 *   when there is a body, unless the request sets them; `.user()`/`.password()` set `Authorization:
 *   Basic ...`, replacing any `Authorization` header.
 * - Body: GET and HEAD never carry one (their payload is ignored); other methods send the payload
 *   encoded in the request format; a `Uint8Array` payload is sent as it is (except for multipart).
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { encodeForm, encodeParams } from './formats/form.js';
import { encodeJson } from './formats/json.js';
import { encodeMultipart } from './formats/multipart.js';
import { toWorkatoXml } from './formats/xml.js';
import type { RequestSpec } from './request-spec.js';
import type { WireRequest } from './transport.js';

const ABSOLUTE_URL = /^[a-z][a-z\d+.-]*:/i;

const ACCEPT = { json: 'application/json', xml: 'application/xml', raw: undefined } as const;
const CONTENT_TYPE = {
  json: 'application/json',
  xml: 'application/xml',
  'www-form-urlencoded': 'application/x-www-form-urlencoded',
  multipart: undefined,
} as const;

/**
 * Resolves `url` against `baseUri` and appends `params` (see the module comment).
 *
 * @throws {SdkError} `SLUICE_HTTP_URL` for a relative URL without a base URI, a URL that does not
 * parse, or a scheme other than http and https.
 */
export function resolveUrl(
  method: string,
  url: string,
  baseUri: string | undefined,
  params: Readonly<Record<string, unknown>>,
): string {
  const base = resolveBase(method, url, baseUri);
  const query = encodeParams(params);
  if (query === '') return base.href;
  const separator = base.hasQuery ? '&' : base.href.endsWith('?') ? '' : '?';
  return `${base.href}${separator}${query}`;
}

interface ResolvedBase {
  /** The absolute URL without its fragment. */
  readonly href: string;
  readonly hasQuery: boolean;
}

// A connector sends the same few URLs against the same base again and again: keep the parsed result,
// by base URI, then by URL (two lookups of strings the caller already holds, no key to build).
const CACHED_BASE_URIS = 32;
const CACHED_URLS_PER_BASE = 256;
const NO_BASE_URI = Symbol('no base URI');
const resolvedBases = new Map<string | typeof NO_BASE_URI, Map<string, ResolvedBase>>();

function resolveBase(method: string, url: string, baseUri: string | undefined): ResolvedBase {
  const byUrl = resolvedBases.get(baseUri ?? NO_BASE_URI);
  const cached = byUrl?.get(url);
  if (cached !== undefined) return cached;
  const result = parseBase(method, url, baseUri);
  if (byUrl === undefined) {
    if (resolvedBases.size >= CACHED_BASE_URIS)
      resolvedBases.delete(resolvedBases.keys().next().value as string);
    resolvedBases.set(baseUri ?? NO_BASE_URI, new Map([[url, result]]));
  } else {
    if (byUrl.size >= CACHED_URLS_PER_BASE) byUrl.delete(byUrl.keys().next().value as string);
    byUrl.set(url, result);
  }
  return result;
}

function parseBase(method: string, url: string, baseUri: string | undefined): ResolvedBase {
  if (!ABSOLUTE_URL.test(url) && baseUri === undefined) {
    throw new SdkError(
      'SLUICE_HTTP_URL',
      `cannot send ${method} ${JSON.stringify(url)}: the URL is relative and there is no base URI`,
      { hint: 'give the connection a baseUri, or pass an absolute URL (https://...)' },
    );
  }
  let resolved: URL;
  try {
    resolved = new URL(url, baseUri);
  } catch (err) {
    const against =
      baseUri === undefined || ABSOLUTE_URL.test(url) ? '' : ` against ${JSON.stringify(baseUri)}`;
    throw new SdkError('SLUICE_HTTP_URL', `the URL ${JSON.stringify(url)}${against} does not parse`, {
      hint: 'use an absolute http:// or https:// URL, or a path such as /v1/customers.json',
      cause: err,
    });
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
    throw new SdkError(
      'SLUICE_HTTP_URL',
      `the URL ${JSON.stringify(resolved.href)} has the scheme ${resolved.protocol} (${method})`,
      { hint: 'use an http:// or https:// URL' },
    );
  }
  resolved.hash = '';
  return Object.freeze({ href: resolved.href, hasQuery: resolved.search !== '' });
}

/** Finds a header by name, ignoring case. */
export function findHeader(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) return key;
  return undefined;
}

/** Sets `name` unless a header of that name (in any case) is there; `value` undefined sets nothing. */
function setDefault(headers: Record<string, string>, name: string, value: string | undefined): void {
  if (value !== undefined && findHeader(headers, name) === undefined) headers[name] = value;
}

/** Sets `name` to `value`, replacing a header of that name in any case. */
function replaceHeader(headers: Record<string, string>, name: string, value: string): void {
  const existing = findHeader(headers, name);
  if (existing !== undefined) delete headers[existing];
  headers[name] = value;
}

/**
 * Builds the request to send (see the module comment). `mask` hides secrets in error messages. The
 * result is a promise only for a multipart body (encoding one is asynchronous).
 *
 * @throws {SdkError} `SLUICE_HTTP_URL` (see {@link resolveUrl}), `SLUICE_HTTP_PAYLOAD` when the payload
 * does not fit the request format.
 */
export function buildWireRequest(
  spec: RequestSpec,
  baseUri: string | undefined,
  mask: (text: string) => string = (text) => text,
): WireRequest | Promise<WireRequest> {
  const url = resolveUrl(spec.method, spec.url, baseUri, spec.params);
  const headers: Record<string, string> = { ...spec.headers };
  setDefault(headers, 'Accept', ACCEPT[spec.responseFormat]);

  if (spec.user !== undefined || spec.password !== undefined) {
    const credentials = Buffer.from(`${spec.user ?? ''}:${spec.password ?? ''}`, 'utf8').toString('base64');
    replaceHeader(headers, 'Authorization', `Basic ${credentials}`);
  }

  const hasBody = spec.payload !== undefined && spec.method !== 'GET' && spec.method !== 'HEAD';
  if (!hasBody) return { method: spec.method, url, headers };
  // Names the request in payload errors; masking the URL is left until a message needs it.
  const where = (): string => `${spec.method} ${mask(url)}`;
  if (spec.requestFormat === 'multipart') {
    return encodeMultipart(spec.payload, where()).then((encoded) => {
      replaceHeader(headers, 'Content-Type', encoded.contentType);
      return { method: spec.method, url, headers, body: encoded.body };
    });
  }
  setDefault(headers, 'Content-Type', CONTENT_TYPE[spec.requestFormat]);
  return { method: spec.method, url, headers, body: encodePayload(spec, where) };
}

function encodePayload(spec: RequestSpec, where: () => string): string | Uint8Array {
  const { payload } = spec;
  if (payload instanceof Uint8Array) return payload;
  switch (spec.requestFormat) {
    case 'xml':
      return toWorkatoXml(spec.xmlRoot ?? 'root', payload);
    case 'www-form-urlencoded':
      return encodeForm(payload, where());
    default:
      return encodeJson(payload);
  }
}
