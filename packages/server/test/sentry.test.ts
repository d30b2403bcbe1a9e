import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Router } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoRoute, tempProject } from './fixtures.js';

/** Envelopes received by the stand-in for Sentry's ingest endpoint. */
const received: { url: string; items: Record<string, unknown>[] }[] = [];
const ingest = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const items = body
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    received.push({ url: req.url ?? '', items });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

const project = tempProject('sentry');
project.write(
  'routes/orders/v2/route.ts',
  `import { ManagedError, route } from '@sluice/server';
export const execute = route({ path: '/execute' }, () => {
  throw new Error('payment provider exploded');
});
export const missing = route({ path: '/missing' }, () => {
  throw ManagedError.notFound('Order', 7);
});
`,
);
project.write('routes/checked/v1/route.ts', echoRoute('checked'));
project.write('routes/checked/v1/schema.json', { type: 'object', required: ['id'] });

beforeAll(async () => {
  await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => ingest.close(resolve));
  project.remove();
});

describe('Sentry', () => {
  it('reports handler errors with route, module, version and environment tags, without the request body', async () => {
    const { port } = ingest.address() as AddressInfo;
    const router = new Router({
      cwd: project.dir,
      env: { ENVIRONMENT: 'stage' },
      logger: false,
      settings: { sentry_dsn: `http://key@127.0.0.1:${port}/1` },
    });
    try {
      await router.ready();
      const secretBody = {
        data: { card: '4242-SECRET' },
        credentials: { connection_data: { value: { api_key: 'sk_live_SECRET' } } },
      };
      const failed = await router.app.inject({
        method: 'POST',
        url: '/orders/v2/execute',
        payload: secretBody,
      });
      expect(failed.statusCode).toBe(500);
      const notFound = await router.app.inject({
        method: 'POST',
        url: '/orders/v2/missing',
        payload: secretBody,
      });
      expect(notFound.statusCode).toBe(404);
      // A request that fails validation never reached a handler: not reported.
      const invalid = await router.app.inject({
        method: 'POST',
        url: '/checked/v1/execute',
        payload: secretBody,
      });
      expect(invalid.statusCode).toBe(400);
    } finally {
      await router.close(); // flushes the queued events
    }
    const events = received.flatMap((envelope) => envelope.items.filter((item) => 'exception' in item));
    expect(received[0]?.url).toMatch(/^\/api\/1\/envelope\//);
    expect(events).toHaveLength(2);
    const [crash, missing] = [...events].sort((a, b) => String(a.level).localeCompare(String(b.level)));
    expect(crash).toMatchObject({
      level: 'error',
      environment: 'stage',
      tags: {
        route: '/orders/v2/execute',
        module: 'orders',
        version: 'v2',
        environment: 'stage',
        method: 'POST',
        status_code: '500',
      },
      exception: { values: [{ type: 'Error', value: 'payment provider exploded' }] },
    });
    expect(missing).toMatchObject({
      level: 'warning',
      tags: { route: '/orders/v2/missing', status_code: '404' },
    });
    const everything = JSON.stringify(received);
    expect(everything).not.toContain('SECRET');
    expect((crash as { request?: Record<string, unknown> }).request).toEqual({
      method: 'POST',
      url: '/orders/v2/execute',
    });
  });
});
