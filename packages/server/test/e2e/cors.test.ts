import { afterAll, describe, expect, it } from 'vitest';
import { closeRouters, echoRoute, makeRouter, tempProject } from '../fixtures.js';

const project = tempProject('cors');
project.write('routes/hello/v1/route.ts', echoRoute('hello'));
afterAll(async () => {
  await closeRouters();
  project.remove();
});

const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/hello/v1/execute',
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
  },
});

describe('CORS from cors_origins', () => {
  it('answers a preflight from an allowed origin, and adds the header to responses', async () => {
    const base = await (
      await makeRouter(project.dir, { settings: { cors_origins: ['https://app.example'], port: 0 } })
    ).runApp();
    const res = await fetch(`${base}/hello/v1/execute`, {
      method: 'OPTIONS',
      headers: preflight('https://app.example').headers,
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const denied = await fetch(`${base}/hello/v1/execute`, {
      method: 'OPTIONS',
      headers: preflight('https://evil.example').headers,
    });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const call = await fetch(`${base}/hello/v1/execute`, {
      method: 'POST',
      headers: { origin: 'https://app.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect([call.status, call.headers.get('access-control-allow-origin')]).toEqual([
      200,
      'https://app.example',
    ]);
  });

  it('allows any origin with ["*"]', async () => {
    const router = await makeRouter(project.dir, { settings: { cors_origins: ['*'] } });
    const res = await router.app.inject(preflight('https://anywhere.example'));
    expect([res.statusCode, res.headers['access-control-allow-origin']]).toEqual([204, '*']);
  });

  it('sends no CORS headers when cors_origins is empty', async () => {
    const router = await makeRouter(project.dir);
    const res = await router.app.inject(preflight('https://app.example'));
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.statusCode).toBe(405);
  });
});
