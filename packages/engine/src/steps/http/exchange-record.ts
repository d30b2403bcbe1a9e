/**
 * Records one HTTP exchange for inspection (issue 15): the request as sent and the response as received,
 * redacted as run records are, then cut. Secrets go before anything is kept:
 *
 * - headers: `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` and the configured secret
 *   names are masked whole; any other value has the known secrets (connection values, run tokens, ...)
 *   replaced, and is cut at {@link HEADER_VALUE_BYTES};
 * - the URL: known secrets replaced, and the values of query parameters with a secret name masked;
 * - bodies: known secrets replaced, the values under secret names masked (JSON members, form fields and
 *   query parameters of URLs in the text),
 *   then cut at {@link EXCHANGE_BODY_BYTES}. Redaction runs before the cut (the redactor's `excerpt`),
 *   so a cut cannot keep the start of a secret. A body that is not UTF-8 is kept as base64 of its
 *   redacted bytes (read as Latin-1, so every byte stays one character and ASCII secrets are found).
 *
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { HttpTransportError } from '@sluice/sdk';
import { classifyError, type HttpTransport, type WireRequest, type WireResponse } from '@sluice/sdk/internal';
import { isoTime } from '../../model/iso-time.js';
import { REDACTED, type Redactor } from '../../secrets/redactor.js';
import {
  EXCHANGE_BODY_BYTES,
  type HttpExchange,
  type RecordedBody,
  type RecordedRequest,
  type RecordedResponse,
} from '../../store/runs/http-exchange.js';

/** The longest header value (and URL) an exchange keeps, in bytes; longer ones are cut. */
export const HEADER_VALUE_BYTES = 8 * 1024;

/** The longest URL an exchange keeps, in bytes. */
export const URL_BYTES = 16 * 1024;

/** A query parameter in any text (`?name=value`, `&name=value`): a URL echoed in a body, say. */
const QUERY_PAIR = /([?&])([\w.%+-]{1,128})=([^&#\s"'\\<>]*)/g;

/** A JSON member `"name": value` (a string, possibly cut short by the end of the text, or a scalar). */
const JSON_MEMBER = /"((?:[^"\\\n]|\\.){1,256})"(\s*:\s*)("(?:[^"\\]|\\.)*(?:"|$)|[^\s,}\]"]+)/g;

/** The request `request` as sent, redacted with `redactor`. */
export function recordRequest(request: WireRequest, redactor: Redactor): RecordedRequest {
  const { headers, cut } = recordHeaders(request.headers, redactor);
  const bytes =
    request.body === undefined
      ? new Uint8Array(0)
      : typeof request.body === 'string'
        ? Buffer.from(request.body, 'utf8')
        : request.body;
  const form = isForm(headerValue(request.headers, 'content-type'));
  return {
    method: request.method,
    url: redactor.excerpt(maskQuery(request.url, redactor), URL_BYTES),
    headers: headers as Record<string, string>,
    ...(cut ? { headers_cut: true as const } : {}),
    ...recordBody(bytes, redactor, form),
  };
}

/** The response `response` as received, redacted with `redactor`. */
export function recordResponse(response: WireResponse, redactor: Redactor): RecordedResponse {
  const { headers, cut } = recordHeaders(response.headers, redactor);
  const form = isForm(headerValue(response.headers, 'content-type'));
  return {
    status: response.status,
    headers,
    ...(cut ? { headers_cut: true as const } : {}),
    ...recordBody(response.body, redactor, form),
  };
}

/** One exchange: started at `startedAt` (epoch ms), lasted `durationMs`, answered or failed with `error`. */
export function recordExchange(
  exchange: {
    request: WireRequest;
    response: WireResponse | undefined;
    error: string | undefined;
    startedAt: number;
    durationMs: number;
  },
  redactor: Redactor,
): HttpExchange {
  // Built member by member: conditional spreads cost more than the record of a small exchange.
  const recorded: HttpExchange = {
    started_at: isoTime(exchange.startedAt),
    duration_ms: exchange.durationMs,
    request: recordRequest(exchange.request, redactor),
  };
  if (exchange.response !== undefined) recorded.response = recordResponse(exchange.response, redactor);
  if (exchange.error !== undefined) recorded.error = exchange.error;
  return recorded;
}

/** The body's start, redacted, as text when it is UTF-8, else as base64. */
export function recordBody(bytes: Uint8Array, redactor: Redactor, form = false): RecordedBody {
  const size = bytes.byteLength;
  const cut = size > EXCHANGE_BODY_BYTES;
  if (size === 0) return { body: '', encoding: 'utf-8', body_bytes: 0, cut: false };
  if (isUtf8Start(bytes)) {
    const text = maskMembers(UTF8.decode(bytes), redactor, form);
    return {
      body: cut ? redactor.excerpt(text, EXCHANGE_BODY_BYTES) : redactor.text(text),
      encoding: 'utf-8',
      body_bytes: size,
      cut,
    };
  }
  // Latin-1: one character per byte, so the redacted text maps back to bytes one for one.
  const latin1 = maskMembers(
    Buffer.from(bytes.buffer, bytes.byteOffset, size).toString('latin1'),
    redactor,
    form,
  );
  // Each Latin-1 character is at most 2 UTF-8 bytes: an excerpt of twice the cap holds at least the cap.
  const kept = cut
    ? redactor.excerpt(latin1, 2 * EXCHANGE_BODY_BYTES).slice(0, EXCHANGE_BODY_BYTES)
    : redactor.text(latin1);
  return { body: Buffer.from(kept, 'latin1').toString('base64'), encoding: 'base64', body_bytes: size, cut };
}

/** Headers redacted (secret names masked whole, known secrets replaced), long values cut. */
function recordHeaders<H extends Record<string, string | string[]>>(
  headers: H,
  redactor: Redactor,
): { headers: H; cut: boolean } {
  const redacted = redactor.value(headers) as H;
  // Nearly every header is short: the redacted headers are kept as they are unless one is too long.
  if (!Object.values(redacted).some(tooLong)) return { headers: redacted, cut: false };
  const capped: Record<string, string | string[]> = {};
  const capValue = (value: string): string =>
    tooLong(value) ? redactor.excerpt(value, HEADER_VALUE_BYTES) : value;
  for (const [name, value] of Object.entries(redacted)) {
    capped[name] = Array.isArray(value) ? value.map(capValue) : capValue(String(value));
  }
  return { headers: capped as H, cut: true };
}

/** Whether a header value (or one of its values) is longer than {@link HEADER_VALUE_BYTES} in UTF-8. */
function tooLong(value: string | string[]): boolean {
  if (Array.isArray(value)) return value.some(tooLong);
  const text = String(value);
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most values need no count.
  return text.length * 3 > HEADER_VALUE_BYTES && Buffer.byteLength(text, 'utf8') > HEADER_VALUE_BYTES;
}

function headerValue(headers: Record<string, string | string[]>, wanted: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function isForm(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType);
}

/** Decodes what {@link isUtf8Start} accepted; a character cut at the end of a long body becomes U+FFFD. */
const UTF8 = new TextDecoder();

/** Whether the start of `bytes` (what a cut keeps, and a little more) is valid UTF-8. */
function isUtf8Start(bytes: Uint8Array): boolean {
  if (bytes.byteLength <= EXCHANGE_BODY_BYTES) return isUtf8(bytes);
  // A window may end inside a character: valid when some cut among its last 4 bytes is.
  const window = bytes.subarray(0, EXCHANGE_BODY_BYTES + 4);
  for (let end = window.byteLength; end >= window.byteLength - 4; end--) {
    if (isUtf8(window.subarray(0, end))) return true;
  }
  return false;
}

/** `url` with the values of query parameters that have a secret name masked. */
function maskQuery(url: string, redactor: Redactor): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const hash = url.indexOf('#', query);
  const end = hash < 0 ? url.length : hash;
  return url.slice(0, query + 1) + maskPairs(url.slice(query + 1, end), redactor) + url.slice(end);
}

/** `a=1&b=2` with the values of secret names masked. */
function maskPairs(pairs: string, redactor: Redactor): string {
  let masked = '';
  let kept = 0;
  let start = 0;
  // The next `=` at or after `start`, found again only once passed (-1: none left): one scan in all.
  let eq = pairs.indexOf('=');
  while (start <= pairs.length) {
    const amp = pairs.indexOf('&', start);
    const end = amp < 0 ? pairs.length : amp;
    if (eq >= 0 && eq < start) eq = pairs.indexOf('=', start);
    if (eq >= 0 && eq < end && redactor.isSecretKey(decodeName(pairs.slice(start, eq)))) {
      masked += `${pairs.slice(kept, eq + 1)}${REDACTED}`;
      kept = end;
    }
    start = end + 1;
  }
  return kept === 0 ? pairs : masked + pairs.slice(kept);
}

function decodeName(name: string): string {
  // Most names are plain: nothing to decode.
  if (!name.includes('%') && !name.includes('+')) return name;
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * `text` with the values under secret names masked, as run records mask them in objects: JSON members
 * (`"password": "..."`, a string cut short by the end of the text included) and, for a form body, its
 * fields.
 */
function maskMembers(text: string, redactor: Redactor, form: boolean): string {
  const masked = text.includes('"')
    ? text.replace(JSON_MEMBER, (whole, name: string, colon: string) =>
        redactor.isSecretKey(unescapeJson(name)) ? `"${name}"${colon}"${REDACTED}"` : whole,
      )
    : text;
  const pairs = masked.includes('=')
    ? masked.replace(QUERY_PAIR, (whole, lead: string, name: string) =>
        redactor.isSecretKey(decodeName(name)) ? `${lead}${name}=${REDACTED}` : whole,
      )
    : masked;
  return form ? maskPairs(pairs, redactor) : pairs;
}

function unescapeJson(name: string): string {
  if (!name.includes('\\')) return name;
  try {
    return JSON.parse(`"${name}"`) as string;
  } catch {
    return name;
  }
}

/** A transport that records every exchange it carries, and what it recorded. */
export interface RecordingTransport {
  transport: HttpTransport;
  /** The exchanges that ended so far, in the order they started. */
  recorded(): HttpExchange[];
}

/**
 * `transport` recording each request and its response (or error class), redacted with the redactor
 * `redactor` gives when the exchange ends. For a connector action, whose calls the engine sees only here.
 */
export function recordingTransport(
  transport: HttpTransport,
  redactor: () => Redactor,
  now: () => number,
): RecordingTransport {
  // A slot per request as it starts, filled when it ends: the order is the order they were sent.
  const exchanges: (HttpExchange | undefined)[] = [];
  return {
    recorded: () => exchanges.filter((exchange) => exchange !== undefined),
    transport: {
      async send(request, options) {
        const startedAt = now();
        const slot = exchanges.length;
        exchanges.push(undefined);
        let response: WireResponse | undefined;
        let error: string | undefined;
        try {
          response = await transport.send(request, options);
          return response;
        } catch (err) {
          error = err instanceof HttpTransportError ? classifyError(err) : 'other';
          throw err;
        } finally {
          const durationMs = Math.max(0, now() - startedAt);
          exchanges[slot] = recordExchange({ request, response, error, startedAt, durationMs }, redactor());
        }
      },
    },
  };
}
