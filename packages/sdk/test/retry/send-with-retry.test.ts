import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpTransportError,
  isSluiceError,
  type Logger,
  MaxRetryError,
  type RetryOptions,
  RetryPolicy,
  silentLogger,
} from '@sluice/sdk';
import { createUndiciTransport, type SendWithRetryOptions, sendWithRetry } from '@sluice/sdk/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyServer, startFlakyServer } from './flaky-server.js';

let server: FlakyServer;
let other: FlakyServer;
let closedUrl: string;
const transport = createUndiciTransport();
const NOW = Date.parse('2024-05-01T12:00:00Z');

beforeAll(async () => {
  server = await startFlakyServer();
  other = await startFlakyServer();
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/closed`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  await transport.close?.();
  await server.close();
  await other.close();
});

let delays: number[];
let clock: number;
beforeEach(() => {
  delays = [];
  clock = NOW;
});

/** Options with a recording sleep that advances the fake clock instead of waiting. */
function opts(extra: Partial<SendWithRetryOptions> = {}): SendWithRetryOptions {
  return {
    transport,
    now: () => clock,
    sleep: async (ms) => {
      delays.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    ...extra,
  };
}

const get = (
  path: string,
  retry: RetryOptions | RetryPolicy | undefined,
  extra: Partial<SendWithRetryOptions> = {},
) =>
  sendWithRetry(
    { method: 'GET', url: server.url(path), headers: {} },
    retry === undefined ? undefined : RetryPolicy.from(retry),
    opts(extra),
  );

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('sendWithRetry', () => {
  it('retries statuses in status_forcelist and returns the first good response', async () => {
    server.script('/a', [{ status: 503 }, { status: 502 }, { status: 200, body: 'ok' }]);
    const result = await get('/a', { total: 5, status_forcelist: [502, 503] });
    expect(result.response.status).toBe(200);
    expect(Buffer.from(result.response.body).toString()).toBe('ok');
    expect(result.attempts).toBe(3);
    expect(server.count('/a')).toBe(3);
    expect(result.history.map((h) => h.status)).toEqual([503, 502, 200]);
    expect(result.history.map((h) => h.startedAt)).toEqual([NOW, NOW, NOW]);
  });

  it('backs off 0, 1, 2, 4 seconds with backoff_factor 0.5', async () => {
    server.script('/backoff', [
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 200 },
    ]);
    const result = await get('/backoff', { total: 10, status_forcelist: [500], backoff_factor: 0.5 });
    expect(result.history.map((h) => h.waitMs)).toEqual([0, 0, 1000, 2000, 4000]);
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(result.history[4]?.startedAt).toBe(NOW + 7000);
  });

  it('adds jitter from the injected random source', async () => {
    server.script('/jitter', [{ status: 500 }, { status: 500 }, { status: 200 }]);
    await get('/jitter', { total: 10, status_forcelist: [500], backoff_factor: 1, backoff_jitter: 1 });
    expect(delays).toEqual([2500]);
  });

  it('retries a 429 with Retry-After seconds outside the forcelist while total is set', async () => {
    server.script('/ra', [{ status: 429, headers: { 'Retry-After': '3' } }, { status: 200 }]);
    const result = await get('/ra', { total: 2 });
    expect(result.response.status).toBe(200);
    expect(delays).toEqual([3000]);
  });

  it('waits until a Retry-After HTTP date measured on the injected clock', async () => {
    server.script('/date', [
      { status: 503, headers: { 'Retry-After': 'Wed, 01 May 2024 12:00:42 GMT' } },
      { status: 204 },
    ]);
    const result = await get('/date', { total: 2 });
    expect(result.response.status).toBe(204);
    expect(delays).toEqual([42_000]);
  });

  it('returns a 429 with Retry-After as it is when total is null', async () => {
    server.script('/ra-null', [{ status: 429, headers: { 'Retry-After': '3' } }, { status: 200 }]);
    const result = await get('/ra-null', { total: null, status: 5 });
    expect(result.response.status).toBe(429);
    expect(server.count('/ra-null')).toBe(1);
  });

  it('raises MaxRetryError with reason status once status retries run out', async () => {
    server.script('/down', [{ status: 503 }]);
    const err = await rejection(get('/down', { total: 10, status: 2, status_forcelist: [503] }));
    expect(err).toBeInstanceOf(MaxRetryError);
    expect(err).toMatchObject({ reason: 'status', lastStatus: 503, attempts: 3 });
    expect(server.count('/down')).toBe(3);
  });

  it('returns the last response when raise_on_status is false', async () => {
    server.script('/down-soft', [{ status: 503, body: 'still down' }]);
    const result = await get('/down-soft', { total: 2, status_forcelist: [503], raise_on_status: false });
    expect(result.response.status).toBe(503);
    expect(result.attempts).toBe(3);
  });

  it('does not retry a read error on POST', async () => {
    server.script('/post-reset', [{ reset: true }, { status: 200 }]);
    const err = await rejection(
      sendWithRetry(
        { method: 'POST', url: server.url('/post-reset'), headers: {}, body: 'x' },
        RetryPolicy.from(5),
        opts(),
      ),
    );
    expect(err).toBeInstanceOf(HttpTransportError);
    expect((err as HttpTransportError).kind).toBe('read');
    expect(server.count('/post-reset')).toBe(1);
  });

  it('retries a read error on GET', async () => {
    server.script('/get-reset', [{ reset: true }, { status: 200 }]);
    const result = await get('/get-reset', { total: 1 });
    expect(result.response.status).toBe(200);
    expect(result.history.map((h) => h.error ?? h.status)).toEqual(['read', 200]);
  });

  it('retries a connect error on POST', async () => {
    server.script('/post-ok', [{ status: 201 }]);
    let sends = 0;
    const flakyConnect = {
      send: (req: Parameters<typeof transport.send>[0], o: Parameters<typeof transport.send>[1]) =>
        transport.send(sends++ === 0 ? { ...req, url: closedUrl } : req, o),
    };
    const result = await sendWithRetry(
      { method: 'POST', url: server.url('/post-ok'), headers: {}, body: 'x' },
      RetryPolicy.from({ total: 3 }),
      opts({ transport: flakyConnect }),
    );
    expect(result.response.status).toBe(201);
    expect(result.history.map((h) => h.error ?? h.status)).toEqual(['connect', 201]);
    expect(server.requests('/post-ok')[0]?.body).toBe('x');
  });

  it('raises MaxRetryError with reason connect once connect retries run out', async () => {
    const err = await rejection(
      sendWithRetry(
        { method: 'POST', url: closedUrl, headers: {} },
        RetryPolicy.from({ connect: 2 }),
        opts(),
      ),
    );
    expect(err).toMatchObject({ reason: 'connect', attempts: 3 });
    expect((err as MaxRetryError).cause).toBeInstanceOf(HttpTransportError);
  });

  it('raises MaxRetryError with reason timeout when the server never answers', async () => {
    server.script('/hang', [{ hang: true }]);
    const err = await rejection(get('/hang', { total: 0 }, { readTimeoutMs: 100 }));
    expect(err).toMatchObject({ reason: 'timeout', attempts: 1 });
    expect((err as MaxRetryError).cause).toMatchObject({ kind: 'read', timedOut: true });
  });

  it('follows redirects, resolving relative locations, and counts every hop', async () => {
    server.script('/r1', [{ redirect: '/r2', status: 301 }]);
    server.script('/r2', [{ redirect: server.url('/r3'), status: 307 }]);
    server.script('/r3', [{ status: 200, body: 'landed' }]);
    const result = await get('/r1', { total: 5 });
    expect(result.response.status).toBe(200);
    expect(result.url).toBe(server.url('/r3'));
    expect(result.attempts).toBe(3);
    expect(result.history.map((h) => h.redirectLocation)).toEqual([
      server.url('/r2'),
      server.url('/r3'),
      undefined,
    ]);
    expect(delays).toEqual([]);
  });

  it('counts redirects against total', async () => {
    server.script('/loop', [{ redirect: '/loop' }]);
    const err = await rejection(get('/loop', { total: 2 }));
    expect(err).toMatchObject({ reason: 'redirect', attempts: 3, lastStatus: 302 });
  });

  it('returns the 3xx when redirects run out and raise_on_redirect is false', async () => {
    server.script('/loop2', [{ redirect: '/loop2' }]);
    const result = await get('/loop2', { redirect: 1, raise_on_redirect: false });
    expect(result.response.status).toBe(302);
    expect(result.attempts).toBe(2);
  });

  it('returns the first 3xx with redirect false', async () => {
    server.script('/once', [{ redirect: '/elsewhere' }]);
    const result = await get('/once', { redirect: false });
    expect(result.response.status).toBe(302);
    expect(result.attempts).toBe(1);
  });

  it('raises on the first redirect with RetryPolicy.none()', async () => {
    server.script('/none', [{ redirect: '/elsewhere' }]);
    const err = await rejection(get('/none', RetryPolicy.none()));
    expect(err).toMatchObject({ reason: 'redirect', attempts: 1 });
  });

  it('switches to GET without a body on 303 and keeps the method on 307', async () => {
    server.script('/form', [{ redirect: '/see-other', status: 303 }]);
    server.script('/see-other', [{ status: 200 }]);
    server.script('/temp', [{ redirect: '/kept', status: 307 }]);
    server.script('/kept', [{ status: 200 }]);
    const post = (path: string) =>
      sendWithRetry(
        {
          method: 'POST',
          url: server.url(path),
          headers: { 'Content-Type': 'application/json', 'X-Trace': 't1' },
          body: '{"a":1}',
        },
        RetryPolicy.from({ total: 3 }),
        opts(),
      );
    await post('/form');
    expect(server.requests('/see-other')[0]).toMatchObject({ method: 'GET', body: '' });
    expect(server.requests('/see-other')[0]?.headers['content-type']).toBeUndefined();
    expect(server.requests('/see-other')[0]?.headers['x-trace']).toBe('t1');
    await post('/temp');
    expect(server.requests('/kept')[0]).toMatchObject({ method: 'POST', body: '{"a":1}' });
  });

  it('drops Authorization and Cookie when a redirect leaves the origin, and keeps them otherwise', async () => {
    other.script('/away', [{ status: 200 }]);
    server.script('/cross', [{ redirect: other.url('/away') }]);
    server.script('/same', [{ redirect: '/here' }]);
    server.script('/here', [{ status: 200 }]);
    const headers = { Authorization: 'Bearer secret', Cookie: 'sid=1', 'X-Keep': 'yes' };
    const policy = RetryPolicy.from({ total: 3 });
    await sendWithRetry({ method: 'GET', url: server.url('/cross'), headers }, policy, opts());
    await sendWithRetry({ method: 'GET', url: server.url('/same'), headers }, policy, opts());
    const away = other.requests('/away')[0]?.headers;
    expect(away?.authorization).toBeUndefined();
    expect(away?.cookie).toBeUndefined();
    expect(away?.['x-keep']).toBe('yes');
    expect(server.requests('/here')[0]?.headers.authorization).toBe('Bearer secret');
  });

  it('raises SLUICE_HTTP_REDIRECT for a Location that is not http(s)', async () => {
    server.script('/ftp', [{ redirect: 'ftp://files.test/x' }]);
    const err = await rejection(get('/ftp', { total: 3 }));
    expect(isSluiceError(err, 'SLUICE_HTTP_REDIRECT')).toBe(true);
  });

  it('sends once and returns redirects and errors statuses as they are without a policy', async () => {
    server.script('/plain-redirect', [{ redirect: '/x' }]);
    server.script('/plain-503', [{ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    server.script('/plain-reset', [{ reset: true }, { status: 200 }]);
    expect((await get('/plain-redirect', undefined)).response.status).toBe(302);
    const unavailable = await get('/plain-503', undefined);
    expect(unavailable.response.status).toBe(503);
    expect(unavailable.attempts).toBe(1);
    expect(await rejection(get('/plain-reset', undefined))).toBeInstanceOf(HttpTransportError);
    expect(server.count('/plain-reset')).toBe(1);
  });

  it('logs each retry at debug level', async () => {
    server.script('/logged', [{ status: 503 }, { status: 200 }]);
    const lines: [Record<string, unknown>, string | undefined][] = [];
    const logger: Logger = {
      ...silentLogger,
      debug: ((obj: Record<string, unknown> | string, msg?: string) => {
        if (typeof obj === 'object') lines.push([obj, msg]);
      }) as Logger['debug'],
    };
    await get('/logged', { total: 1, status_forcelist: [503] }, { logger });
    expect(lines).toEqual([
      [{ attempt: 1, method: 'GET', url: server.url('/logged'), status: 503, waitMs: 0 }, 'retrying'],
    ]);
  });

  it('rejects with the abort reason when aborted while waiting', async () => {
    server.script('/abort', [{ status: 503, headers: { 'Retry-After': '5' } }, { status: 200 }]);
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const err = await rejection(
      get('/abort', { total: 3 }, { sleep: async () => controller.abort(reason), signal: controller.signal }),
    );
    expect(err).toBe(reason);
    expect(server.count('/abort')).toBe(1);
  });

  it('aborts a real wait with the abort reason when no sleep is injected', async () => {
    server.script('/abort-real', [{ status: 503, headers: { 'Retry-After': '60' } }, { status: 200 }]);
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = sendWithRetry(
      { method: 'GET', url: server.url('/abort-real'), headers: {} },
      RetryPolicy.from(3),
      {
        transport,
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(reason), 50);
    expect(await rejection(pending)).toBe(reason);
  });
});
