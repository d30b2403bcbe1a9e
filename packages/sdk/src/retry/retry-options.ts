/**
 * The retry options (urllib3 2.x `Retry` names, snake_case as in the workflow format), their
 * defaults, and their validation.
 *
 * @module
 */
import { SdkError } from '../errors.js';

/**
 * The retry options, named as in urllib3 and the workflow format (snake_case). A counter set to
 * `null` does not limit retries (`total` still does). Every option is validated by
 * {@link RetryPolicy.from}.
 */
export interface RetryOptions {
  /**
   * Retries of any kind, redirects included. `false` disables retries: errors are raised as they
   * are and redirects are returned, not followed.
   * @default 10 (urllib3's `Retry()`; {@link RetryPolicy.urllib3Default} has 3)
   */
  total?: number | null | false;
  /** Retries after connect errors (the server never got the request), for any method. `false` raises the error as it is. @default null */
  connect?: number | null | false;
  /** Retries after read errors (the request may have reached the server), only for `allowed_methods`. `false` raises the error as it is. @default null */
  read?: number | null | false;
  /** Redirects to follow. `false` returns the first redirect response (and implies `raise_on_redirect: false`); `true` is `null`. @default null */
  redirect?: number | null | boolean;
  /** Retries on responses that {@link RetryPolicy.isRetry} accepts. @default null */
  status?: number | null;
  /** Retries after errors that are neither connect nor read errors (TLS, ...). @default null */
  other?: number | null;
  /** Methods retried after read errors and bad statuses (case-insensitive). `null`, `false` or `[]`: any method. @default ['HEAD', 'GET', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'] */
  allowed_methods?: readonly string[] | null | false;
  /** Statuses always retried (for `allowed_methods`). @default [] */
  status_forcelist?: readonly number[] | null;
  /** Backoff base in seconds: the n-th consecutive failed attempt waits `backoff_factor * 2^(n-1)`, the first none. @default 0 */
  backoff_factor?: number;
  /** Longest backoff in seconds, jitter included. @default 120 */
  backoff_max?: number;
  /** Up to this many random seconds are added to each backoff. @default 0 */
  backoff_jitter?: number;
  /** When redirects run out: `true` raises `MaxRetryError` (reason `redirect`), `false` returns the 3xx response. @default true */
  raise_on_redirect?: boolean;
  /** When status retries run out: `true` raises `MaxRetryError` (reason `status`), `false` returns the last response. @default true */
  raise_on_status?: boolean;
  /** Wait as `Retry-After` says, and retry 413, 429 and 503 carrying it even outside `status_forcelist` (only while `total` is a positive number). @default true */
  respect_retry_after_header?: boolean;
  /** Headers dropped when a redirect leaves the origin (scheme, host, port), case-insensitive. @default ['Cookie', 'Authorization', 'Proxy-Authorization'] */
  remove_headers_on_redirect?: readonly string[];
  /** Longest `Retry-After` honoured, in seconds; longer values are cut to it. @default 21600 (6 hours) */
  retry_after_max?: number;
}

/** Every option with a value: what a policy runs on. */
export interface ResolvedRetryOptions {
  readonly total: number | null | false;
  readonly connect: number | null | false;
  readonly read: number | null | false;
  readonly redirect: number | null;
  readonly status: number | null;
  readonly other: number | null;
  /** Upper-case; `null` is any method. */
  readonly allowed_methods: readonly string[] | null;
  readonly status_forcelist: readonly number[];
  readonly backoff_factor: number;
  readonly backoff_max: number;
  readonly backoff_jitter: number;
  readonly raise_on_redirect: boolean;
  readonly raise_on_status: boolean;
  readonly respect_retry_after_header: boolean;
  /** Lower-case. */
  readonly remove_headers_on_redirect: readonly string[];
  readonly retry_after_max: number;
}

/** The defaults of every retry option: urllib3 2.x `Retry()`'s. */
export const RETRY_DEFAULTS: ResolvedRetryOptions = Object.freeze({
  total: 10,
  connect: null,
  read: null,
  redirect: null,
  status: null,
  other: null,
  allowed_methods: Object.freeze(['HEAD', 'GET', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']),
  status_forcelist: Object.freeze([]),
  backoff_factor: 0,
  backoff_max: 120,
  backoff_jitter: 0,
  raise_on_redirect: true,
  raise_on_status: true,
  respect_retry_after_header: true,
  remove_headers_on_redirect: Object.freeze(['cookie', 'authorization', 'proxy-authorization']),
  retry_after_max: 21_600,
});

const OPTION_NAMES = new Set<string>(Object.keys(RETRY_DEFAULTS));

/**
 * Validates `options` and fills in the defaults. `total: false` or `redirect: false` set `redirect`
 * to 0 and `raise_on_redirect` to false, as urllib3 does; `redirect: true` is `null`.
 *
 * @throws {SdkError} `SLUICE_RETRY_OPTION` naming `path.option` when an option is unknown, of the
 * wrong type or negative.
 */
export function resolveRetryOptions(options: unknown, path: string): ResolvedRetryOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw optionError(path, 'must be an options object, a non-negative integer or false', options);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) {
      throw new SdkError('SLUICE_RETRY_OPTION', `${path}.${key}: unknown retry option`, {
        hint: `use one of: ${[...OPTION_NAMES].join(', ')}`,
      });
    }
  }
  const at = (key: keyof RetryOptions) => `${path}.${key}`;
  const o = options as Partial<Record<keyof RetryOptions, unknown>>;
  const total = counter(o.total, at('total'), RETRY_DEFAULTS.total, true);
  const redirectInput = o.redirect === true ? null : o.redirect;
  const redirect = counter(redirectInput, at('redirect'), RETRY_DEFAULTS.redirect, true);
  const disableRedirects = total === false || redirect === false;
  const methods = list(
    o.allowed_methods,
    at('allowed_methods'),
    'method names',
    (v) => typeof v === 'string' && v !== '',
  );
  const statuses = list(o.status_forcelist, at('status_forcelist'), 'HTTP statuses', isStatus);
  const headers = o.remove_headers_on_redirect;
  if (
    headers !== undefined &&
    (!Array.isArray(headers) || !headers.every((h) => typeof h === 'string' && h !== ''))
  ) {
    throw optionError(at('remove_headers_on_redirect'), 'must be a list of header names', headers);
  }
  return {
    total,
    connect: counter(o.connect, at('connect'), RETRY_DEFAULTS.connect, true),
    read: counter(o.read, at('read'), RETRY_DEFAULTS.read, true),
    redirect: disableRedirects ? 0 : (redirect as number | null),
    status: counter(o.status, at('status'), RETRY_DEFAULTS.status, false) as number | null,
    other: counter(o.other, at('other'), RETRY_DEFAULTS.other, false) as number | null,
    allowed_methods:
      o.allowed_methods === undefined
        ? RETRY_DEFAULTS.allowed_methods
        : methods === null
          ? null
          : Object.freeze(methods.map((m) => String(m).toUpperCase())),
    status_forcelist:
      statuses === null ? RETRY_DEFAULTS.status_forcelist : Object.freeze(statuses as number[]),
    backoff_factor: seconds(o.backoff_factor, at('backoff_factor'), RETRY_DEFAULTS.backoff_factor),
    backoff_max: seconds(o.backoff_max, at('backoff_max'), RETRY_DEFAULTS.backoff_max),
    backoff_jitter: seconds(o.backoff_jitter, at('backoff_jitter'), RETRY_DEFAULTS.backoff_jitter),
    raise_on_redirect: disableRedirects ? false : flag(o.raise_on_redirect, at('raise_on_redirect'), true),
    raise_on_status: flag(o.raise_on_status, at('raise_on_status'), true),
    respect_retry_after_header: flag(o.respect_retry_after_header, at('respect_retry_after_header'), true),
    remove_headers_on_redirect:
      headers === undefined
        ? RETRY_DEFAULTS.remove_headers_on_redirect
        : Object.freeze((headers as string[]).map((h) => h.toLowerCase())),
    retry_after_max: seconds(o.retry_after_max, at('retry_after_max'), RETRY_DEFAULTS.retry_after_max),
  };
}

function counter(value: unknown, path: string, fallback: number | null | false, allowFalse: boolean) {
  if (value === undefined) return fallback;
  if (value === null || isCount(value) || (allowFalse && value === false)) return value;
  const accepted = allowFalse ? 'a non-negative integer, null or false' : 'a non-negative integer or null';
  throw optionError(path, `must be ${accepted}`, value);
}

function list(value: unknown, path: string, what: string, ok: (v: unknown) => boolean): unknown[] | null {
  if (value === undefined || value === null || value === false) return null;
  if (Array.isArray(value) && value.every(ok)) return value;
  throw optionError(path, `must be a list of ${what}, or null`, value);
}

function seconds(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw optionError(path, 'must be a non-negative number of seconds', value);
}

function flag(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw optionError(path, 'must be true or false', value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isStatus(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

function optionError(path: string, message: string, value: unknown): SdkError {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return new SdkError('SLUICE_RETRY_OPTION', `${path}: ${message} (got ${shown})`, {
    hint: 'see the retry options in the docs (urllib3 Retry semantics)',
  });
}
