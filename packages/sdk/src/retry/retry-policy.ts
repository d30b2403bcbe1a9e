/**
 * An immutable retry policy with the semantics of urllib3 2.x `Retry`: the same counters, the same
 * exhaustion rule, backoff and Retry-After handling. It decides and computes delays; it never
 * sleeps and never sends (see `sendWithRetry` for the loop).
 *
 * @module
 */
import {
  HttpTransportError,
  MaxRetryError,
  type ResponseHeaders,
  type RetryFailureReason,
} from '../errors.js';
import { parseRetryAfter } from './retry-after.js';
import {
  RETRY_DEFAULTS,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
} from './retry-options.js';

export type { ResolvedRetryOptions, RetryOptions } from './retry-options.js';
export { RETRY_DEFAULTS } from './retry-options.js';

/** Statuses whose `Retry-After` makes them retried outside `status_forcelist`. */
export const RETRY_AFTER_STATUS_CODES: readonly number[] = Object.freeze([413, 429, 503]);
/** Statuses that are redirects when they carry a `Location`. */
export const REDIRECT_STATUS_CODES: readonly number[] = Object.freeze([301, 302, 303, 307, 308]);

/** The class of a failed attempt. */
export type AttemptErrorClass = 'connect' | 'read' | 'timeout' | 'other';

/** One retried attempt, as `increment()` recorded it (urllib3's `RequestHistory`). */
export interface RetryHistoryEntry {
  readonly method: string;
  readonly url: string;
  readonly error?: AttemptErrorClass;
  readonly status?: number;
  readonly redirectLocation?: string;
}

/** The parts of a response the policy looks at. */
export interface RetryResponse {
  status: number;
  headers: ResponseHeaders;
}

/** What happened on the attempt that {@link RetryPolicy.increment} counts: a response or an error. */
export interface RetryIncrement {
  method: string;
  url: string;
  response?: RetryResponse | undefined;
  error?: unknown;
}

/**
 * An immutable urllib3 2.x `Retry`. {@link RetryPolicy.increment} returns a new policy with one
 * attempt more in its history, or throws once the policy is exhausted.
 *
 * @example
 * const policy = RetryPolicy.from({ total: 5, status_forcelist: [502, 503], backoff_factor: 0.5 });
 * policy.isRetry('GET', 503, false); // true
 */
export class RetryPolicy {
  /** The resolved options (frozen). */
  readonly options: ResolvedRetryOptions;
  /** Every attempt counted so far, oldest first (frozen). */
  readonly history: readonly RetryHistoryEntry[];

  private constructor(options: ResolvedRetryOptions, history: readonly RetryHistoryEntry[]) {
    this.options = Object.freeze(options);
    this.history = Object.freeze(history);
  }

  /**
   * Builds a policy from options, from a number (`total`, like urllib3 `Retry(n)`), from `false`
   * (retries disabled: `Retry(False)`), or returns a policy as it is. `undefined` gives urllib3's
   * `Retry()` (total 10); use {@link RetryPolicy.urllib3Default} for `Retry(3)`.
   *
   * @param path - the option path named in errors, e.g. `steps[2].retry`. @default 'retry'
   * @throws {SdkError} `SLUICE_RETRY_OPTION` when an option is unknown, of the wrong type or negative.
   */
  static from(options: RetryOptions | number | false | RetryPolicy | undefined, path = 'retry'): RetryPolicy {
    if (options instanceof RetryPolicy) return options;
    if (options === undefined) return new RetryPolicy(RETRY_DEFAULTS, []);
    const input = options === false || typeof options === 'number' ? { total: options } : options;
    return new RetryPolicy(resolveRetryOptions(input, path), []);
  }

  /** urllib3's default policy, `Retry(3)`: 3 retries in all, other options at their defaults. */
  static urllib3Default(): RetryPolicy {
    return new RetryPolicy({ ...RETRY_DEFAULTS, total: 3 }, []);
  }

  /**
   * No retries, as requests' `HTTPAdapter` uses: `Retry(0, read=False)`. A connect error raises
   * `MaxRetryError` (reason `connect`), a read error is raised as it is, a bad status is returned,
   * and a redirect raises `MaxRetryError` (reason `redirect`). To return redirects instead, use
   * `RetryPolicy.from(false)`.
   */
  static none(): RetryPolicy {
    return new RetryPolicy({ ...RETRY_DEFAULTS, total: 0, read: false }, []);
  }

  /** Whether `method` may be retried after a read error or a bad status. */
  isMethodRetryable(method: string): boolean {
    const allowed = this.options.allowed_methods;
    return allowed === null || allowed.length === 0 || allowed.includes(method.toUpperCase());
  }

  /**
   * Whether a response should be retried (urllib3 `is_retry`): the method must be retryable, then
   * the status is in `status_forcelist`, or it is 413, 429 or 503 with a `Retry-After` while
   * `total` is a positive number and `respect_retry_after_header` is on.
   */
  isRetry(method: string, status: number, hasRetryAfter: boolean): boolean {
    const o = this.options;
    // The status first: most responses are not retry candidates, and then the method does not matter.
    const candidate =
      o.status_forcelist.includes(status) ||
      (typeof o.total === 'number' &&
        o.total !== 0 &&
        o.respect_retry_after_header &&
        hasRetryAfter &&
        RETRY_AFTER_STATUS_CODES.includes(status));
    return candidate && this.isMethodRetryable(method);
  }

  /** Whether any counter has gone below zero (urllib3 `is_exhausted`). */
  isExhausted(): boolean {
    const { total, connect, read, redirect, status, other } = this.options;
    return [total, connect, read, redirect, status, other].some((n) => typeof n === 'number' && n < 0);
  }

  /**
   * Counts one more attempt and returns the policy for the next one (urllib3 `increment`).
   *
   * @throws the `error` itself when it may not be retried: any error when `total` is `false`, a
   * connect error when `connect` is `false`, a read error when `read` is `false` or the method is
   * not in `allowed_methods`.
   * @throws {MaxRetryError} `SLUICE_HTTP_MAX_RETRIES` when a counter goes below zero; `reason` is
   * connect, read, timeout, other, redirect or status.
   */
  increment(attempt: RetryIncrement): RetryPolicy {
    const { method, url, response, error } = attempt;
    const o = this.options;
    if (o.total === false && error !== undefined) throw error;
    const next = { ...o, total: o.total === null ? null : (o.total === false ? 0 : o.total) - 1 };
    let entry: RetryHistoryEntry;
    let reason: RetryFailureReason;
    let message: string;
    if (error !== undefined) {
      const errorClass = classifyError(error);
      const kind = error instanceof HttpTransportError ? error.kind : 'other';
      if (kind === 'connect') {
        if (o.connect === false) throw error;
        if (o.connect !== null) next.connect = o.connect - 1;
      } else if (kind === 'read') {
        if (o.read === false || !this.isMethodRetryable(method)) throw error;
        if (o.read !== null) next.read = o.read - 1;
      } else if (o.other !== null) {
        next.other = o.other - 1;
      }
      entry = { method, url, error: errorClass };
      reason = errorClass;
      message = errorClass === 'timeout' ? 'too many timeouts' : `too many ${errorClass} errors`;
    } else if (response !== undefined && redirectLocation(response) !== undefined) {
      if (o.redirect !== null) next.redirect = o.redirect - 1;
      entry = {
        method,
        url,
        status: response.status,
        redirectLocation: redirectLocation(response) as string,
      };
      reason = 'redirect';
      message = 'too many redirects';
    } else {
      if (response !== undefined && o.status !== null) next.status = o.status - 1;
      entry = response === undefined ? { method, url } : { method, url, status: response.status };
      reason = 'status';
      message =
        response === undefined ? 'too many error responses' : `too many ${response.status} error responses`;
    }
    const policy = new RetryPolicy(next, [...this.history, entry]);
    if (policy.isExhausted()) {
      throw new MaxRetryError({
        reason,
        message,
        attempts: policy.history.length,
        method,
        url,
        ...(response === undefined ? {} : { lastStatus: response.status }),
        cause: error,
      });
    }
    return policy;
  }

  /**
   * The backoff in seconds before the next attempt (urllib3 `get_backoff_time`): 0 until two
   * attempts in a row have failed, then `backoff_factor * 2^(n-1)` for the last `n` consecutive
   * failed attempts (a followed redirect ends a run), plus `random() * backoff_jitter`, capped at
   * `backoff_max`.
   *
   * @param random - a number in [0, 1). @default Math.random
   */
  getBackoffTime(random: () => number = Math.random): number {
    let consecutive = 0;
    for (let i = this.history.length - 1; i >= 0 && this.history[i]?.redirectLocation === undefined; i--) {
      consecutive += 1;
    }
    if (consecutive <= 1) return 0;
    let value = this.options.backoff_factor * 2 ** (consecutive - 1);
    if (this.options.backoff_jitter !== 0) value += random() * this.options.backoff_jitter;
    return Math.max(0, Math.min(this.options.backoff_max, value));
  }

  /**
   * The `Retry-After` of a response in seconds, cut to `retry_after_max`; `undefined` when the header
   * is absent or invalid (urllib3 raises `InvalidHeader` there; an invalid value is treated as absent).
   *
   * @param now - milliseconds since the epoch, for HTTP dates.
   */
  getRetryAfter(response: RetryResponse, now: number): number | undefined {
    const header = response.headers['retry-after'];
    const value = Array.isArray(header) ? header[0] : header;
    if (value === undefined || value === '') return undefined;
    const seconds = parseRetryAfter(value, now);
    return seconds === undefined ? undefined : Math.min(seconds, this.options.retry_after_max);
  }

  /**
   * How long urllib3's `sleep(response)` would wait before the next attempt, in milliseconds: the
   * response's `Retry-After` when it is respected and above zero, else the backoff.
   *
   * @param now - milliseconds since the epoch. @default Date.now()
   * @param random - a number in [0, 1), for jitter. @default Math.random
   */
  nextDelayMs(
    response?: RetryResponse,
    now: number = Date.now(),
    random: () => number = Math.random,
  ): number {
    if (this.options.respect_retry_after_header && response !== undefined) {
      const retryAfter = this.getRetryAfter(response, now);
      if (retryAfter !== undefined && retryAfter > 0) return Math.round(retryAfter * 1000);
    }
    return Math.round(this.getBackoffTime(random) * 1000);
  }
}

/** The `Location` of a redirect response, or `undefined` when the response is not one. */
export function redirectLocation(response: RetryResponse): string | undefined {
  if (!REDIRECT_STATUS_CODES.includes(response.status)) return undefined;
  const location = response.headers.location;
  const value = Array.isArray(location) ? location[0] : location;
  return value === undefined || value === '' ? undefined : value;
}

/** The class of an attempt's error: timeouts first, then the transport's kind; anything else is `other`. */
export function classifyError(error: unknown): AttemptErrorClass {
  if (!(error instanceof HttpTransportError)) return 'other';
  return error.timedOut ? 'timeout' : error.kind;
}
