/**
 * The retry loop: sends a request through a transport, following redirects and retrying under a
 * {@link RetryPolicy} exactly as urllib3 2.x `PoolManager.urlopen` does.
 *
 * One loop does what urllib3 splits between `HTTPConnectionPool.urlopen` (errors and status
 * retries) and `PoolManager.urlopen` (redirects): send; on a transport error ask the policy whether
 * to retry; on a response first check for a status retry, then for a redirect to follow. Waits
 * come from {@link RetryPolicy.nextDelayMs} and go through the injected `sleep`.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HttpTransportError, MaxRetryError, SdkError } from '../errors.js';
import type { HttpTransport, WireOptions, WireRequest, WireResponse } from '../http/transport.js';
import { type Logger, silentLogger } from '../logger.js';

/** What happened on one attempt (one HTTP request sent, or one that failed to send). */
export interface AttemptRecord {
  method: string;
  url: string;
  /** When the attempt started (ms since epoch, from the injected clock). */
  startedAt: number;
  durationMs: number;
  /** The wait before this attempt, in milliseconds (0 for the first). */
  waitMs: number;
  status?: number;
  /** The failure class when no response arrived: connect, read, timeout, other. */
  error?: 'connect' | 'read' | 'timeout' | 'other';
  /** Set when this response was a redirect that was followed. */
  redirectLocation?: string;
}

/** Options of {@link sendWithRetry}. */
export interface SendWithRetryOptions {
  transport: HttpTransport;
  signal?: AbortSignal | undefined;
  connectTimeoutMs?: number | undefined;
  readTimeoutMs?: number | undefined;
  /** Waits between attempts; injectable for tests and for the engine's stored resume times. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock, for Retry-After dates and attempt timings. @default Date.now */
  now?: () => number;
  /** Random number in [0, 1) for `backoff_jitter`. @default Math.random */
  random?: () => number;
  logger?: Logger;
}

/** The final response and the history of every attempt. */
export interface SendResult {
  response: WireResponse;
  /** The URL that answered (after redirects). */
  url: string;
  /** HTTP requests sent, redirect hops included. */
  attempts: number;
  history: AttemptRecord[];
}

export type { RetryPolicy } from './retry-policy.js';

import { classifyError, RETRY_AFTER_STATUS_CODES, RetryPolicy, redirectLocation } from './retry-policy.js';

/**
 * Sends `request`, retrying and following redirects as `policy` allows, with urllib3 2.x
 * `PoolManager.urlopen` semantics:
 * - a transport error is counted by `policy.increment()`: connect errors are retried for any
 *   method, read errors only for `allowed_methods`, other errors against `other`;
 * - a response that `policy.isRetry()` accepts (status_forcelist, or 413/429/503 with Retry-After)
 *   is retried after `policy.nextDelayMs()`;
 * - a 301/302/303/307/308 with a Location is followed without waiting: 303 turns into a GET
 *   without a body, and `remove_headers_on_redirect` headers are dropped when the redirect leaves
 *   the origin (for this hop and every later one).
 *
 * `policy` `undefined` sends once, returns redirects as they are and retries nothing (the SDK's
 * default, like Workato; it is `RetryPolicy.from(false)`). `attempts` counts every attempt, failed
 * connects and redirect hops included. Aborting `signal` rejects with `signal.reason`.
 *
 * @throws {MaxRetryError} when the policy runs out (reason: connect, read, timeout, status, redirect, other).
 * @throws {HttpTransportError} for an error the policy does not retry (e.g. a read error on POST).
 * When `raise_on_status` / `raise_on_redirect` is false the last response is returned instead.
 * @throws {SdkError} `SLUICE_HTTP_REDIRECT` when a redirect's Location is not an http(s) URL.
 */
export async function sendWithRetry(
  request: WireRequest,
  policy: RetryPolicy | undefined,
  options: SendWithRetryOptions,
): Promise<SendResult> {
  const { transport, signal } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const logger = options.logger ?? silentLogger;
  let retries = policy ?? NO_RETRIES;
  let { method, url, headers, body } = request;
  const history: AttemptRecord[] = [];
  const wireOptions: WireOptions = {
    signal,
    connectTimeoutMs: options.connectTimeoutMs,
    readTimeoutMs: options.readTimeoutMs,
  };
  let waitMs = 0;

  for (;;) {
    signal?.throwIfAborted();
    const startedAt = now();
    const record: AttemptRecord = { method, url, startedAt, durationMs: 0, waitMs };
    history.push(record);
    let response: WireResponse;
    try {
      response = await transport.send(
        body === undefined ? { method, url, headers } : { method, url, headers, body },
        wireOptions,
      );
    } catch (err) {
      record.durationMs = now() - startedAt;
      if (signal?.aborted) throw signal.reason;
      if (!(err instanceof HttpTransportError)) throw err;
      record.error = classifyError(err);
      retries = retries.increment({ method, url, error: err });
      waitMs = retries.nextDelayMs(undefined, now(), random);
      logger.debug({ attempt: history.length, method, url, error: record.error, waitMs }, 'retrying');
      await wait(sleep, waitMs, signal);
      continue;
    }
    record.durationMs = now() - startedAt;
    record.status = response.status;

    // An invalid Retry-After counts as absent (urllib3 would raise InvalidHeader from sleep()). Only
    // 413, 429 and 503 look at it.
    const hasRetryAfter =
      RETRY_AFTER_STATUS_CODES.includes(response.status) &&
      retries.getRetryAfter(response, now()) !== undefined;
    if (retries.isRetry(method, response.status, hasRetryAfter)) {
      try {
        retries = retries.increment({ method, url, response });
      } catch (err) {
        if (err instanceof MaxRetryError && !retries.options.raise_on_status) {
          return { response, url, attempts: history.length, history };
        }
        throw err;
      }
      waitMs = retries.nextDelayMs(response, now(), random);
      logger.debug({ attempt: history.length, method, url, status: response.status, waitMs }, 'retrying');
      await wait(sleep, waitMs, signal);
      continue;
    }

    const location = redirectLocation(response);
    if (location === undefined) return { response, url, attempts: history.length, history };
    const target = URL.canParse(location, url) ? new URL(location, url) : undefined;
    if (response.status === 303) {
      method = 'GET';
      body = undefined;
      headers = withoutHeaders(headers, BODY_HEADERS);
    }
    if (target !== undefined && new URL(url).origin !== target.origin) {
      headers = withoutHeaders(headers, retries.options.remove_headers_on_redirect);
    }
    try {
      retries = retries.increment({ method, url, response });
    } catch (err) {
      if (err instanceof MaxRetryError && !retries.options.raise_on_redirect) {
        return { response, url, attempts: history.length, history };
      }
      throw err;
    }
    if (target === undefined || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      throw new SdkError(
        'SLUICE_HTTP_REDIRECT',
        `${method} ${url} redirected to an unusable Location: ${location}`,
        {
          hint: 'the server sent a Location that is not an http(s) URL; set retry redirect to false to get the 3xx response',
        },
      );
    }
    record.redirectLocation = target.href;
    url = target.href;
    waitMs = 0;
  }
}

/** The policy of a request without one: send once, return redirects (immutable, so shared). */
const NO_RETRIES = RetryPolicy.from(false);

/** Headers that describe a body, dropped when a 303 turns the request into a GET (urllib3 `_prepare_for_method_change`). */
const BODY_HEADERS = [
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
  'content-length',
  'digest',
  'last-modified',
];

function withoutHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

async function wait(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (ms > 0) await sleep(ms, signal);
  signal?.throwIfAborted();
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}
