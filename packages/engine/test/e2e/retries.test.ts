/**
 * Each urllib3 `Retry` field, and combinations, through the engine: attempt counts, error classes and
 * the waits the retry loop asks for (recorded by the injected sleep, on an injected clock), compared
 * with urllib3 2.x's documented behaviour (`urllib3/util/retry.py`: `increment`, `is_retry`,
 * `get_backoff_time`, `sleep_for_retry`).
 */
import type { HttpStep, RetrySettings, Workflow } from '@sluice/engine';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, oneStep, START } from '../helpers/engine-harness.js';
import { type FlakyServer, refusedUrl, startFlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
let refused: string;

beforeAll(async () => {
  server = await startFlakyServer();
  engine = await createHarness();
  refused = await refusedUrl('/nothing');
});
afterAll(async () => {
  await engine?.close();
  await server?.close();
});
beforeEach(() => engine.reset());

let pathCount = 0;
/** A fresh path with its script. */
function path(steps: Parameters<FlakyServer['script']>[1]): string {
  const p = `/p${++pathCount}`;
  server.script(p, steps);
  return p;
}

async function runOnce(url: string, retry?: RetrySettings, fields: Partial<Workflow> = {}, method = 'GET') {
  const workflow = oneStep(url, retry === undefined ? {} : { retry }, fields);
  (workflow.steps[0] as HttpStep).apispec.method = method;
  const { record } = await engine.run(workflow);
  const step = record.steps[0];
  if (step === undefined) throw new Error('no step');
  return { record, step, waits: [...engine.waits] };
}

const down = (status: number, headers?: Record<string, string>) => ({
  status,
  headers,
  body: `down ${status}`,
});

describe('no retry settings: urllib3 Retry(3)', () => {
  it('does not retry a 503 without Retry-After (no status_forcelist)', async () => {
    const { step } = await runOnce(server.url(path([down(503)])));
    expect(step).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'status', status: 503 } });
  });

  it('retries a 503 with Retry-After three times, waiting as it says', async () => {
    const { step, waits } = await runOnce(server.url(path([down(503, { 'retry-after': '1' })])));
    expect(step).toMatchObject({
      status: 'failed',
      attempts: 4,
      error: { type: 'status', status: 503, body: 'down 503' },
    });
    expect(waits).toEqual([1000, 1000, 1000]);
    expect(step.history.map((h) => h.wait_ms)).toEqual([0, 1000, 1000, 1000]);
  });

  it('retries a refused connection three times without waiting (backoff_factor 0)', async () => {
    const { step, waits } = await runOnce(refused);
    expect(step).toMatchObject({ attempts: 4, error: { type: 'connect' } });
    expect(step.history.map((h) => h.error)).toEqual(['connect', 'connect', 'connect', 'connect']);
    expect(waits).toEqual([]);
  });

  it('follows redirects and counts each hop as an attempt', async () => {
    const target = path([{ status: 200, body: { ok: true }, headers: {} }]);
    const { step } = await runOnce(server.url(path([{ redirect: target }])));
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2, output: { ok: true } });
    expect(step.history.map((h) => h.status)).toEqual([302, 200]);
  });
});

describe('each counter', () => {
  it('total: 2 allows two retries', async () => {
    const { step } = await runOnce(server.url(path([down(500)])), { total: 2, status_forcelist: [500] });
    expect(step).toMatchObject({ attempts: 3, error: { type: 'status', status: 500 } });
  });

  it('connect: 1 stops connect retries before total does', async () => {
    const { step } = await runOnce(refused, { total: 10, connect: 1 });
    expect(step).toMatchObject({ attempts: 2, error: { type: 'connect' } });
  });

  it('read: 1 retries one reset on GET', async () => {
    const { step } = await runOnce(server.url(path([{ reset: true }])), { total: 10, read: 1 });
    expect(step).toMatchObject({ attempts: 2, error: { type: 'read' } });
  });

  it('read errors are not retried for a method outside allowed_methods (POST)', async () => {
    const { step } = await runOnce(server.url(path([{ reset: true }])), { total: 10 }, {}, 'POST');
    expect(step).toMatchObject({ attempts: 1, error: { type: 'read' } });
  });

  it('read: false raises the first read error as it is', async () => {
    const { step } = await runOnce(server.url(path([{ reset: true }, { status: 200 }])), {
      total: 10,
      read: false,
    });
    expect(step).toMatchObject({ attempts: 1, error: { type: 'read' } });
  });

  it('a stalled answer fails with class timeout after apispec.timeout, and is retried as a read error', async () => {
    const workflow = oneStep(server.url(path([{ hang: true }])), { retry: { total: 1 } });
    (workflow.steps[0] as HttpStep).apispec.timeout = 0.05;
    const { record } = await engine.run(workflow);
    expect(record.steps[0]).toMatchObject({ attempts: 2, error: { type: 'timeout' } });
  });

  it('redirect: 2 follows two redirects, then fails with class redirect', async () => {
    const a = '/loop-a';
    server.script(a, [{ redirect: '/loop-b' }]);
    server.script('/loop-b', [{ redirect: a }]);
    const { step } = await runOnce(server.url(a), { redirect: 2 });
    expect(step).toMatchObject({ attempts: 3, error: { type: 'redirect', status: 302 } });
  });

  it('status: 1 stops status retries before total does', async () => {
    const { step } = await runOnce(server.url(path([down(503)])), {
      total: 10,
      status: 1,
      status_forcelist: [503],
    });
    expect(step).toMatchObject({ attempts: 2, error: { type: 'status', status: 503 } });
  });

  it('other: 1 limits retries after errors that are neither connect nor read', async () => {
    const { step } = await runOnce('ftp://127.0.0.1/file', { total: 10, other: 1 });
    expect(step).toMatchObject({ attempts: 2, error: { type: 'other' } });
  });
});

describe('which responses are retried', () => {
  it('status_forcelist retries only the statuses listed', async () => {
    const listed = await runOnce(server.url(path([down(502), { status: 200 }])), { status_forcelist: [502] });
    expect(listed.step).toMatchObject({ status: 'succeeded', attempts: 2 });
    const other = await runOnce(server.url(path([down(500), { status: 200 }])), { status_forcelist: [502] });
    expect(other.step).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('allowed_methods: POST is not retried on a listed status unless allowed', async () => {
    const p = path([down(503), { status: 201 }]);
    const refusedPost = await runOnce(server.url(p), { status_forcelist: [503] }, {}, 'POST');
    expect(refusedPost.step).toMatchObject({ status: 'failed', attempts: 1 });
    server.script(p, [down(503), { status: 201 }]);
    const allowed = await runOnce(
      server.url(p),
      { status_forcelist: [503], allowed_methods: ['post'] },
      {},
      'POST',
    );
    expect(allowed.step).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('respect_retry_after_header: false neither waits for nor retries a 429 outside the forcelist', async () => {
    const p = path([down(429, { 'retry-after': '7' })]);
    const off = await runOnce(server.url(p), { respect_retry_after_header: false });
    expect(off.step.attempts).toBe(1);
    server.script(p, [down(429, { 'retry-after': '7' }), { status: 200 }]);
    const listed = await runOnce(server.url(p), {
      respect_retry_after_header: false,
      status_forcelist: [429],
    });
    expect(listed).toMatchObject({ step: { status: 'succeeded', attempts: 2 }, waits: [] });
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const date = new Date(START + 3000).toUTCString();
    const { step, waits } = await runOnce(
      server.url(path([down(429, { 'retry-after': date }), { status: 200 }])),
      {
        total: 2,
      },
    );
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(waits).toEqual([3000]);
  });

  it('retries a 413 carrying Retry-After only while total is a number', async () => {
    const p = path([down(413, { 'retry-after': '1' })]);
    expect((await runOnce(server.url(p), { total: 1 })).step.attempts).toBe(2);
    server.script(p, [down(413, { 'retry-after': '1' })]);
    expect((await runOnce(server.url(p), { total: null, status: 1 })).step.attempts).toBe(1);
  });
});

describe('backoff', () => {
  it('backoff_factor: no wait before the first retry, then factor * 2^(n-1)', async () => {
    const steps = [down(503), down(503), down(503), down(503), { status: 200 }];
    const { step, waits } = await runOnce(server.url(path(steps)), {
      total: 5,
      status_forcelist: [503],
      backoff_factor: 0.5,
    });
    expect(step).toMatchObject({ status: 'succeeded', attempts: 5 });
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it('backoff_max caps the wait', async () => {
    const steps = [down(503), down(503), down(503), { status: 200 }];
    const { waits } = await runOnce(server.url(path(steps)), {
      total: 3,
      status_forcelist: [503],
      backoff_factor: 10,
      backoff_max: 15,
    });
    expect(waits).toEqual([15_000, 15_000]);
  });

  it('backoff_jitter adds random() * jitter seconds', async () => {
    const steps = [down(503), down(503), { status: 200 }];
    const { waits } = await runOnce(server.url(path(steps)), {
      total: 3,
      status_forcelist: [503],
      backoff_factor: 1,
      backoff_jitter: 2,
    });
    expect(waits).toEqual([3000]); // 1 * 2^1 + 0.5 * 2
  });
});

describe('raising', () => {
  it('raise_on_status: false returns the last response when status retries run out, and the step succeeds with it', async () => {
    const { step } = await runOnce(server.url(path([down(503)])), {
      total: 1,
      status_forcelist: [503],
      raise_on_status: false,
    });
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2, output: 'down 503' });
    expect(step.history.at(-1)?.status).toBe(503);
  });

  it('raise_on_status: false does not excuse a status that is not retried: it fails the step', async () => {
    const { step } = await runOnce(server.url(path([down(500)])), {
      total: 1,
      status_forcelist: [503],
      raise_on_status: false,
    });
    expect(step).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'status', status: 500 } });
  });

  it('raise_on_redirect: false returns the redirect when redirects run out, and the step succeeds', async () => {
    server.script('/hop-a', [{ redirect: '/hop-b' }]);
    server.script('/hop-b', [{ redirect: '/hop-a' }]);
    const { step } = await runOnce(server.url('/hop-a'), { redirect: 1, raise_on_redirect: false });
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(step.history.at(-1)?.status).toBe(302);
  });

  it('total: false follows no redirect and raises errors as they are', async () => {
    const redirect = await runOnce(server.url(path([{ redirect: '/elsewhere' }])), { total: false });
    expect(redirect.step).toMatchObject({ status: 'succeeded', attempts: 1 });
    const connect = await runOnce(refused, { total: false });
    expect(connect.step).toMatchObject({ attempts: 1, error: { type: 'connect' } });
  });
});

describe('default_retry', () => {
  it('is merged field by field with the step retry', async () => {
    const steps = [down(503), down(503), down(503), { status: 200 }];
    const { step, waits } = await runOnce(
      server.url(path(steps)),
      { status_forcelist: [503] },
      { default_retry: { total: 1, backoff_factor: 0.5 } },
    );
    // total 1 from default_retry would fail after 2 attempts; the step does not override it.
    expect(step).toMatchObject({ status: 'failed', attempts: 2 });
    expect(waits).toEqual([]);
    const again = await runOnce(
      server.url(path(steps)),
      { status_forcelist: [503], total: 3 },
      { default_retry: { total: 1, backoff_factor: 0.5 } },
    );
    expect(again.step).toMatchObject({ status: 'succeeded', attempts: 4 });
    expect(again.waits).toEqual([1000, 2000]);
  });

  it('applies to every step without its own retry', async () => {
    const workflow: Workflow = {
      name: 'two',
      scope: 'workspace',
      default_retry: { total: 2, status_forcelist: [502] },
      steps: [
        { name: 'a', apispec: { url: server.url(path([down(502), { status: 200 }])), method: 'GET' } },
        { name: 'b', apispec: { url: server.url(path([down(502)])), method: 'GET' }, retry: { total: 0 } },
      ],
    };
    const { record } = await engine.run(workflow);
    expect(record.steps.map((s) => [s.status, s.attempts])).toEqual([
      ['succeeded', 2],
      ['failed', 1],
    ]);
  });
});
