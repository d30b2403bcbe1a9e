/**
 * Tests of the {{title}} service: the router is built on this folder and called with `inject`, so no
 * port is opened.
 */
import { fileURLToPath } from 'node:url';
import { Router } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const router = new Router({ cwd: fileURLToPath(new URL('..', import.meta.url)), env: {}, logger: false });

beforeAll(() => router.ready());
afterAll(() => router.close());

const hello = (body: unknown) =>
  router.app.inject({ method: 'POST', url: '/hello/v1/execute', payload: body as object });

describe('POST /hello/v1/execute', () => {
  it('greets by name', async () => {
    const res = await hello({ data: { name: 'Ada' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { message: 'Hello, Ada!' } });
  });

  it('rejects data that does not match schema.json', async () => {
    const res = await hello({ data: { name: 42 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().data.errors).toEqual([{ path: 'data.name', message: 'must be string' }]);
  });

  it('answers a ManagedError with its status', async () => {
    const res = await hello({ data: { name: 'nobody' } });
    expect([res.statusCode, res.json().error]).toEqual([404, 'Person not found: nobody']);
  });
});

describe('built-in endpoints', () => {
  it('answers GET /health', async () => {
    expect((await router.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({
      data: { status: 'healthy' },
    });
  });
});
