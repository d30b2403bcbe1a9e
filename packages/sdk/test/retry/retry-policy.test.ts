import {
  HttpTransportError,
  isSluiceError,
  MaxRetryError,
  type RetryOptions,
  RetryPolicy,
} from '@sluice/sdk';
import { describe, expect, it } from 'vitest';

const url = 'http://api.test/v1/items';
const transportError = (kind: 'connect' | 'read' | 'other', timedOut = false) =>
  new HttpTransportError(kind, { method: 'GET', url, message: `${kind} failed`, timedOut });
const status = (code: number, headers: Record<string, string> = {}) => ({ status: code, headers });
const redirect = (location = '/next') => ({ status: 302, headers: { location } });

/** Applies `n` status increments of 503 and returns the policy. */
function failTimes(policy: RetryPolicy, n: number): RetryPolicy {
  let p = policy;
  for (let i = 0; i < n; i++) p = p.increment({ method: 'GET', url, response: status(503) });
  return p;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('RetryPolicy.from', () => {
  it('gives urllib3 Retry() defaults for undefined, Retry(3) for urllib3Default and Retry(0, read=False) for none', () => {
    expect(RetryPolicy.from(undefined).options).toMatchObject({
      total: 10,
      connect: null,
      read: null,
      redirect: null,
      status: null,
      other: null,
      allowed_methods: ['HEAD', 'GET', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'],
      status_forcelist: [],
      backoff_factor: 0,
      backoff_max: 120,
      backoff_jitter: 0,
      raise_on_redirect: true,
      raise_on_status: true,
      respect_retry_after_header: true,
      remove_headers_on_redirect: ['cookie', 'authorization', 'proxy-authorization'],
    });
    expect(RetryPolicy.urllib3Default().options.total).toBe(3);
    expect(RetryPolicy.none().options).toMatchObject({ total: 0, read: false, redirect: null });
    expect(RetryPolicy.from(5).options.total).toBe(5);
  });

  it('returns a policy as it is', () => {
    const policy = RetryPolicy.from({ total: 2 });
    expect(RetryPolicy.from(policy)).toBe(policy);
  });

  it('turns total false or redirect false into redirect 0 without raising on redirect', () => {
    expect(RetryPolicy.from(false).options).toMatchObject({
      total: false,
      redirect: 0,
      raise_on_redirect: false,
    });
    expect(RetryPolicy.from({ redirect: false, raise_on_redirect: true }).options).toMatchObject({
      total: 10,
      redirect: 0,
      raise_on_redirect: false,
    });
    expect(RetryPolicy.from({ redirect: true }).options.redirect).toBeNull();
  });

  it('upper-cases allowed_methods and reads null, false and [] as any method', () => {
    expect(RetryPolicy.from({ allowed_methods: ['post'] }).isMethodRetryable('POST')).toBe(true);
    expect(RetryPolicy.from({ allowed_methods: ['post'] }).isMethodRetryable('GET')).toBe(false);
    for (const any of [null, false, []] as const) {
      expect(RetryPolicy.from({ allowed_methods: any }).isMethodRetryable('PATCH')).toBe(true);
    }
    expect(RetryPolicy.from({}).isMethodRetryable('post')).toBe(false);
  });

  it('freezes its options and history', () => {
    const policy = RetryPolicy.from({ status_forcelist: [503] });
    expect(Object.isFrozen(policy.options)).toBe(true);
    expect(Object.isFrozen(policy.options.status_forcelist)).toBe(true);
    expect(Object.isFrozen(policy.history)).toBe(true);
  });

  it.each<[unknown, string | undefined, string]>([
    [{ total: -1 }, undefined, 'retry.total: must be a non-negative integer, null or false (got -1)'],
    [{ total: 1.5 }, undefined, 'retry.total: must be a non-negative integer, null or false (got 1.5)'],
    [
      { connect: '3' },
      'steps[2].retry',
      'steps[2].retry.connect: must be a non-negative integer, null or false (got "3")',
    ],
    [{ status: false }, undefined, 'retry.status: must be a non-negative integer or null (got false)'],
    [{ other: -2 }, undefined, 'retry.other: must be a non-negative integer or null (got -2)'],
    [
      { redirect: 'yes' },
      undefined,
      'retry.redirect: must be a non-negative integer, null or false (got "yes")',
    ],
    [
      { status_forcelist: [503, 'x'] },
      undefined,
      'retry.status_forcelist: must be a list of HTTP statuses, or null (got [503,"x"])',
    ],
    [
      { status_forcelist: [99] },
      undefined,
      'retry.status_forcelist: must be a list of HTTP statuses, or null (got [99])',
    ],
    [
      { allowed_methods: 'GET' },
      undefined,
      'retry.allowed_methods: must be a list of method names, or null (got "GET")',
    ],
    [
      { backoff_factor: -0.5 },
      undefined,
      'retry.backoff_factor: must be a non-negative number of seconds (got -0.5)',
    ],
    [
      { backoff_max: Number.POSITIVE_INFINITY },
      undefined,
      'retry.backoff_max: must be a non-negative number of seconds (got null)',
    ],
    [
      { backoff_jitter: '1' },
      undefined,
      'retry.backoff_jitter: must be a non-negative number of seconds (got "1")',
    ],
    [{ raise_on_status: 'no' }, undefined, 'retry.raise_on_status: must be true or false (got "no")'],
    [
      { remove_headers_on_redirect: [1] },
      undefined,
      'retry.remove_headers_on_redirect: must be a list of header names (got [1])',
    ],
    [{ totl: 3 }, 'steps[0].retry', 'steps[0].retry.totl: unknown retry option'],
    [-1, undefined, 'retry.total: must be a non-negative integer, null or false (got -1)'],
    [null, undefined, 'retry: must be an options object, a non-negative integer or false (got null)'],
    [
      '3',
      'default_retry',
      'default_retry: must be an options object, a non-negative integer or false (got "3")',
    ],
  ])('rejects %j naming the option path', (options, path, message) => {
    const err = thrown(() => RetryPolicy.from(options as RetryOptions, path));
    expect(isSluiceError(err, 'SLUICE_RETRY_OPTION')).toBe(true);
    expect((err as Error).message).toBe(message);
    expect((err as { hint?: string }).hint).toBeTruthy();
  });
});

describe('RetryPolicy.increment', () => {
  it('returns a new policy with one more history entry and leaves the original unchanged', () => {
    const policy = RetryPolicy.from({ total: 3, status: 2 });
    const next = policy.increment({ method: 'GET', url, response: status(503) });
    expect(next).not.toBe(policy);
    expect(policy.history).toEqual([]);
    expect(policy.options.total).toBe(3);
    expect(next.history).toEqual([{ method: 'GET', url, status: 503 }]);
    expect(next.options).toMatchObject({ total: 2, status: 1 });
  });

  it.each<[string, RetryOptions, () => { response?: ReturnType<typeof status>; error?: unknown }, string]>([
    [
      'connect errors against connect',
      { total: 5, connect: 1 },
      () => ({ error: transportError('connect') }),
      'connect',
    ],
    ['read errors against read', { total: 5, read: 1 }, () => ({ error: transportError('read') }), 'read'],
    [
      'read timeouts against read, as timeouts',
      { total: 5, read: 1 },
      () => ({ error: transportError('read', true) }),
      'timeout',
    ],
    [
      'connect timeouts against connect, as timeouts',
      { total: 5, connect: 1 },
      () => ({ error: transportError('connect', true) }),
      'timeout',
    ],
    [
      'other errors against other',
      { total: 5, other: 1 },
      () => ({ error: transportError('other') }),
      'other',
    ],
    ['redirects against redirect', { total: 5, redirect: 1 }, () => ({ response: redirect() }), 'redirect'],
    ['bad statuses against status', { total: 5, status: 1 }, () => ({ response: status(503) }), 'status'],
    ['anything against total', { total: 1 }, () => ({ error: transportError('connect') }), 'connect'],
    ['redirects against total', { total: 1 }, () => ({ response: redirect() }), 'redirect'],
  ])('counts %s and gives up on the second', (_name, options, attempt, reason) => {
    const once = RetryPolicy.from(options).increment({ method: 'GET', url, ...attempt() });
    const err = thrown(() => once.increment({ method: 'GET', url, ...attempt() }));
    expect(err).toBeInstanceOf(MaxRetryError);
    expect((err as MaxRetryError).reason).toBe(reason);
    expect((err as MaxRetryError).attempts).toBe(2);
    expect((err as MaxRetryError).code).toBe('SLUICE_HTTP_MAX_RETRIES');
  });

  it('keeps the last status and the last error on MaxRetryError', () => {
    const statusErr = thrown(() => failTimes(RetryPolicy.from({ total: 0 }), 1)) as MaxRetryError;
    expect(statusErr.lastStatus).toBe(503);
    expect(statusErr.message).toBe(`too many 503 error responses after 1 attempt(s) (GET ${url})`);
    const cause = transportError('connect');
    const connectErr = thrown(() =>
      RetryPolicy.from(0).increment({ method: 'GET', url, error: cause }),
    ) as MaxRetryError;
    expect(connectErr.cause).toBe(cause);
    expect(connectErr.lastStatus).toBeUndefined();
  });

  it('retries connect errors for any method', () => {
    const next = RetryPolicy.from({ total: 1 }).increment({
      method: 'POST',
      url,
      error: transportError('connect'),
    });
    expect(next.options.total).toBe(0);
  });

  it('raises a read error as it is for a method outside allowed_methods', () => {
    const error = transportError('read');
    expect(thrown(() => RetryPolicy.from({ total: 5 }).increment({ method: 'POST', url, error }))).toBe(
      error,
    );
    const anyMethod = RetryPolicy.from({ total: 5, allowed_methods: null });
    expect(anyMethod.increment({ method: 'POST', url, error }).options.total).toBe(4);
  });

  it('raises the error as it is when read, connect or total is false', () => {
    const read = transportError('read');
    const connect = transportError('connect');
    const other = transportError('other');
    expect(
      thrown(() => RetryPolicy.from({ read: false }).increment({ method: 'GET', url, error: read })),
    ).toBe(read);
    expect(
      thrown(() => RetryPolicy.from({ connect: false }).increment({ method: 'GET', url, error: connect })),
    ).toBe(connect);
    expect(thrown(() => RetryPolicy.from(false).increment({ method: 'GET', url, error: other }))).toBe(other);
    expect(thrown(() => RetryPolicy.none().increment({ method: 'GET', url, error: read }))).toBe(read);
  });

  it('gives up on the first redirect when total is false', () => {
    const err = thrown(() => RetryPolicy.from(false).increment({ method: 'GET', url, response: redirect() }));
    expect((err as MaxRetryError).reason).toBe('redirect');
  });

  it('treats null counters as unlimited but still bounded by total', () => {
    let policy = RetryPolicy.from({ total: null, connect: null, status: 100 });
    for (let i = 0; i < 50; i++)
      policy = policy.increment({ method: 'GET', url, error: transportError('connect') });
    expect(policy.options.total).toBeNull();
    const bounded = RetryPolicy.from({ total: 2, connect: null });
    const twice = bounded
      .increment({ method: 'GET', url, error: transportError('connect') })
      .increment({ method: 'GET', url, error: transportError('connect') });
    expect(
      thrown(() => twice.increment({ method: 'GET', url, error: transportError('connect') })),
    ).toBeInstanceOf(MaxRetryError);
  });

  it('is not exhausted while every counter is zero or more', () => {
    const policy = RetryPolicy.from({ total: 1, status: 1 }).increment({
      method: 'GET',
      url,
      response: status(500),
    });
    expect(policy.options).toMatchObject({ total: 0, status: 0 });
    expect(policy.isExhausted()).toBe(false);
  });
});

describe('RetryPolicy.isRetry', () => {
  it.each<[RetryOptions, string, number, boolean, boolean]>([
    [{ status_forcelist: [503] }, 'GET', 503, false, true],
    [{ status_forcelist: [503] }, 'GET', 500, false, false],
    [{ status_forcelist: [503] }, 'POST', 503, false, false],
    [{ status_forcelist: [503], allowed_methods: null }, 'POST', 503, false, true],
    [{ total: 3 }, 'GET', 429, true, true],
    [{ total: 3 }, 'GET', 413, true, true],
    [{ total: 3 }, 'GET', 503, true, true],
    [{ total: 3 }, 'GET', 503, false, false],
    [{ total: 3 }, 'GET', 500, true, false],
    [{ total: 3 }, 'POST', 429, true, false],
    [{ total: 0 }, 'GET', 429, true, false],
    [{ total: null, status: 3 }, 'GET', 429, true, false],
    [{ total: false }, 'GET', 503, true, false],
    [{ total: 3, respect_retry_after_header: false }, 'GET', 429, true, false],
  ])(
    'with %j says %s %d (Retry-After: %s) is retried: %s',
    (options, method, code, hasRetryAfter, expected) => {
      expect(RetryPolicy.from(options).isRetry(method, code, hasRetryAfter)).toBe(expected);
    },
  );
});

describe('RetryPolicy.getBackoffTime', () => {
  it('waits nothing before the first retry, then doubles from backoff_factor', () => {
    const policy = RetryPolicy.from({ total: 10, backoff_factor: 0.5 });
    expect([0, 1, 2, 3, 4, 5].map((n) => failTimes(policy, n).getBackoffTime())).toEqual([0, 0, 1, 2, 4, 8]);
  });

  it('caps the backoff at backoff_max', () => {
    const policy = RetryPolicy.from({ total: 10, backoff_factor: 10, backoff_max: 25 });
    expect([2, 3, 4].map((n) => failTimes(policy, n).getBackoffTime())).toEqual([20, 25, 25]);
  });

  it('adds random() * backoff_jitter before the cap', () => {
    const policy = failTimes(
      RetryPolicy.from({ total: 10, backoff_factor: 1, backoff_jitter: 2, backoff_max: 4 }),
      2,
    );
    expect(policy.getBackoffTime(() => 0.25)).toBe(2.5);
    expect(policy.getBackoffTime(() => 0.99)).toBe(3.98);
    expect(failTimes(policy, 1).getBackoffTime(() => 0.5)).toBe(4);
  });

  it('counts only the failures since the last redirect', () => {
    const base = RetryPolicy.from({ total: 10, backoff_factor: 1 });
    const afterRedirect = failTimes(base, 2).increment({ method: 'GET', url, response: redirect() });
    expect(afterRedirect.getBackoffTime()).toBe(0);
    expect(failTimes(afterRedirect, 1).getBackoffTime()).toBe(0);
    expect(failTimes(afterRedirect, 2).getBackoffTime()).toBe(2);
  });
});

describe('RetryPolicy.nextDelayMs', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  const policy = failTimes(RetryPolicy.from({ total: 10, backoff_factor: 0.5 }), 3);

  it.each<[string, Record<string, string>, number]>([
    ['honours Retry-After in seconds', { 'retry-after': '7' }, 7000],
    ['honours Retry-After as an HTTP date', { 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' }, 30_000],
    ['uses the backoff when Retry-After is 0', { 'retry-after': '0' }, 2000],
    [
      'uses the backoff when Retry-After is a past date',
      { 'retry-after': 'Wed, 01 May 2024 11:00:00 GMT' },
      2000,
    ],
    ['uses the backoff when Retry-After is invalid', { 'retry-after': 'later' }, 2000],
    ['uses the backoff without Retry-After', {}, 2000],
    ['cuts Retry-After to retry_after_max', { 'retry-after': '999999' }, 21_600_000],
  ])('%s', (_name, headers, expected) => {
    expect(policy.nextDelayMs(status(503, headers), now)).toBe(expected);
  });

  it('ignores Retry-After when respect_retry_after_header is false', () => {
    const ignoring = failTimes(RetryPolicy.from({ total: 10, respect_retry_after_header: false }), 1);
    expect(ignoring.nextDelayMs(status(503, { 'retry-after': '7' }), now)).toBe(0);
  });

  it('uses the backoff after an error', () => {
    expect(policy.nextDelayMs(undefined, now)).toBe(2000);
  });

  it('reads Retry-After relative to the injected clock', () => {
    expect(policy.getRetryAfter(status(429, { 'retry-after': 'Wed, 01 May 2024 12:01:00 GMT' }), now)).toBe(
      60,
    );
    expect(policy.getRetryAfter(status(429), now)).toBeUndefined();
  });
});
