import { type RetryOptions, RetryPolicy, silentLogger } from '@sluice/sdk';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallFailed, sendCall } from '../../src/steps/http/send-call.js';
import { type FlakyServer, refusedUrl, startFlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
const transport = createUndiciTransport();
const START = Date.parse('2024-05-01T12:00:00Z');
let clock: number;
let waits: number[];

beforeAll(async () => {
  server = await startFlakyServer();
});
afterAll(async () => {
  await transport.close?.();
  await server.close();
});
beforeEach(() => {
  clock = START;
  waits = [];
});

const call = (url: string, retry: RetryOptions, method = 'GET', timeout?: number) =>
  sendCall(
    { method, url, headers: {} },
    {
      transport,
      policy: RetryPolicy.from(retry),
      timeout,
      wait: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      now: () => clock,
      logger: silentLogger,
    },
  );

describe('sendCall', () => {
  it('records every attempt with its time, status and the wait before it', async () => {
    server.script('/a', [{ status: 503 }, { status: 503 }, { status: 200, body: 'ok' }]);
    const outcome = await call(server.url('/a'), { total: 3, status_forcelist: [503], backoff_factor: 1 });
    expect(outcome.ok).toBe(true);
    expect(outcome.attempts).toBe(3);
    expect(outcome.history.map((h) => [h.status, h.wait_ms])).toEqual([
      [503, 0],
      [503, 0],
      [200, 2000],
    ]);
    expect(outcome.history[2]?.started_at).toBe(new Date(START + 2000).toISOString());
  });

  it('fails with class status, the last status and the first 1 KB of the body when status retries run out', async () => {
    server.script('/b', [{ status: 502, body: 'x'.repeat(3000) }]);
    const outcome = (await call(server.url('/b'), { total: 2, status_forcelist: [502] })) as CallFailed;
    expect(outcome).toMatchObject({ ok: false, errorClass: 'status', status: 502, attempts: 3 });
    expect(outcome.body).toHaveLength(1024);
  });

  it('fails a final status of 400 or more that is not retried, with its body', async () => {
    server.script('/c', [{ status: 404, body: { error: 'nope' } }]);
    const outcome = (await call(server.url('/c'), {})) as CallFailed;
    expect(outcome).toMatchObject({
      ok: false,
      errorClass: 'status',
      status: 404,
      body: '{"error":"nope"}',
      attempts: 1,
    });
  });

  it('sorts transport failures into connect, read and timeout', async () => {
    const refused = (await call(await refusedUrl(), { total: 1 })) as CallFailed;
    expect(refused).toMatchObject({ errorClass: 'connect', attempts: 2 });
    expect(refused.history.map((h) => h.error)).toEqual(['connect', 'connect']);

    server.script('/reset', [{ reset: true }]);
    const reset = (await call(server.url('/reset'), { total: 3 }, 'POST')) as CallFailed;
    expect(reset).toMatchObject({ errorClass: 'read', attempts: 1 });

    server.script('/stall', [{ hang: true }]);
    const stalled = (await call(server.url('/stall'), { total: 1 }, 'GET', 0.05)) as CallFailed;
    expect(stalled).toMatchObject({ errorClass: 'timeout', attempts: 2 });
  });

  it('counts redirect hops as attempts and fails with class redirect when they run out', async () => {
    server.script('/r1', [{ redirect: '/r2' }]);
    server.script('/r2', [{ redirect: '/r1' }]);
    const outcome = (await call(server.url('/r1'), { redirect: 3 })) as CallFailed;
    expect(outcome).toMatchObject({ errorClass: 'redirect', attempts: 4, status: 302 });
  });
});
