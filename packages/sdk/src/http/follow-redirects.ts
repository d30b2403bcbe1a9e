/**
 * Redirects of a request that has no retry policy, as Workato's client (rest-client 2.1, through the
 * connector SDK's `Request#execute_request`) treats them: by default `GET` and `HEAD` follow 301, 302, 307
 * and 308, and every method follows 303 as a `GET` without a body; `followRedirects()` follows them for
 * every method, keeping method and body (303 still becomes a `GET`); `ignoreRedirects()` returns the 3xx
 * response. At most {@link MAX_REDIRECTS} hops. When a retry policy applies, it decides instead (see
 * `send-with-retry.ts`).
 *
 * @module
 */
import { MaxRetryError, SdkError } from '../errors.js';
import { type SendResult, sendWithRetry } from '../retry/send-with-retry.js';
import type { HttpTransport, WireRequest } from './transport.js';

/** How a request treats redirects: `undefined` is the default of its method. */
export type RedirectMode = 'follow' | 'ignore' | undefined;

/** Hops followed before giving up (rest-client's `max_redirects` default). */
export const MAX_REDIRECTS = 10;

const KEEP_METHOD = [301, 302, 307, 308];
/** Dropped when a hop leaves the origin (scheme, host, port). */
const CROSS_ORIGIN_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding'];

/** Options of {@link sendFollowingRedirects}. */
export interface FollowOptions {
  readonly transport: HttpTransport;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly mode: RedirectMode;
}

/**
 * Sends `request` without retries and follows its redirects as the module comment says.
 *
 * @throws {MaxRetryError} `SLUICE_HTTP_MAX_RETRIES` (reason `redirect`) after {@link MAX_REDIRECTS} hops.
 * @throws {SdkError} `SLUICE_HTTP_REDIRECT` when a followed Location is not an http(s) URL.
 */
export async function sendFollowingRedirects(
  request: WireRequest,
  options: FollowOptions,
): Promise<SendResult> {
  let wire = request;
  let attempts = 0;
  const history: SendResult['history'] = [];
  for (;;) {
    const result = await sendWithRetry(wire, undefined, {
      transport: options.transport,
      signal: options.signal,
      connectTimeoutMs: options.timeoutMs,
      readTimeoutMs: options.timeoutMs,
    });
    attempts += result.attempts;
    history.push(...result.history);
    const next = nextHop(wire, result, options.mode);
    if (next === undefined) return { ...result, attempts, history };
    if (attempts > MAX_REDIRECTS) {
      throw new MaxRetryError({
        reason: 'redirect',
        message: 'too many redirects',
        attempts,
        method: wire.method,
        url: wire.url,
        lastStatus: result.response.status,
      });
    }
    const last = history[history.length - 1];
    if (last !== undefined) last.redirectLocation = next.url;
    wire = next;
  }
}

/** The request of the next hop, or `undefined` when the response is returned. */
function nextHop(wire: WireRequest, result: SendResult, mode: RedirectMode): WireRequest | undefined {
  const { status, headers } = result.response;
  const location = headers.location;
  if (mode === 'ignore' || typeof location !== 'string' || location === '') return undefined;
  const getLike = wire.method === 'GET' || wire.method === 'HEAD';
  let method = wire.method;
  let body = wire.body;
  let nextHeaders = wire.headers;
  if (status === 303) {
    method = 'GET';
    body = undefined;
    nextHeaders = without(nextHeaders, BODY_HEADERS);
  } else if (!KEEP_METHOD.includes(status) || (mode === undefined && !getLike)) {
    return undefined;
  }
  const target = URL.canParse(location, result.url) ? new URL(location, result.url) : undefined;
  if (target === undefined || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
    throw new SdkError(
      'SLUICE_HTTP_REDIRECT',
      `${wire.method} ${result.url} redirected to an unusable Location: ${location}`,
      {
        hint: 'the server sent a Location that is not an http(s) URL; call ignoreRedirects() to get the 3xx response',
      },
    );
  }
  if (target.origin !== new URL(result.url).origin) nextHeaders = without(nextHeaders, CROSS_ORIGIN_HEADERS);
  return body === undefined
    ? { method, url: target.href, headers: nextHeaders }
    : { method, url: target.href, headers: nextHeaders, body };
}

function without(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}
