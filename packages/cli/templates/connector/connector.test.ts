/**
 * Tests of the {{title}} connector against a tiny local API (node:http on a free port), so they need no
 * network and no real token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestRuntime } from '@sluice/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connector from './connector.js';

const TOKEN = 'test-token';

const items = [
  { id: 1, name: 'First item', created_at: '2024-01-01T00:00:00Z' },
  { id: 2, name: 'Second item', created_at: '2024-01-02T00:00:00Z' },
];

/** The fake API: `GET /v1/items/:id` and `GET /v1/items?created_since=...&limit=...`, bearer token required. */
function answer(req: IncomingMessage): { status: number; body: unknown } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.headers.authorization !== `Bearer ${TOKEN}`)
    return { status: 401, body: { error: 'invalid token' } };
  const one = /^\/v1\/items\/(\d+)$/.exec(url.pathname);
  if (one !== null) {
    const item = items.find((i) => i.id === Number(one[1]));
    return item === undefined
      ? { status: 404, body: { error: 'no such item' } }
      : { status: 200, body: { item } };
  }
  if (url.pathname === '/v1/items') {
    const since = url.searchParams.get('created_since') ?? '';
    const limit = Number(url.searchParams.get('limit') ?? 100);
    return { status: 200, body: { items: items.filter((i) => i.created_at > since).slice(0, limit) } };
  }
  return { status: 404, body: { error: 'not found' } };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const { status, body } = answer(req);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const connect = (token = TOKEN) =>
  createTestRuntime(connector, { connection: { base_url: baseUrl, api_token: token } }).runtime;

describe('{{title}} connector', () => {
  it('passes its connection test with a good token, and fails with a bad one', async () => {
    await expect(connect().test()).resolves.toBeDefined();
    await expect(connect('wrong-token').test()).rejects.toMatchObject({ code: 'SLUICE_HTTP_STATUS' });
  });

  it('gets an item by id', async () => {
    await expect(connect().runAction('get_item', { id: 2 })).resolves.toEqual(items[1]);
  });

  it('refuses an input without an id', async () => {
    await expect(connect().runAction('get_item', {})).rejects.toMatchObject({
      code: 'SLUICE_FIELD_REQUIRED',
    });
  });

  it('emits each new item once, oldest first', async () => {
    const runtime = connect();
    const first = await runtime.pollTrigger('new_item', { input: {} });
    expect(first.events).toEqual(items);
    const second = await runtime.pollTrigger('new_item', { input: {}, state: first.state });
    expect(second.events).toEqual([]);
  });
});
