import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineConnector } from '@sluice/sdk';
import type { Router } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRouters, makeRouter, tempProject } from '../fixtures.js';

const TOKEN = 'tok-123456';
const items = [
  { id: 1, name: 'First', created_at: '2024-01-01T00:00:00Z' },
  { id: 2, name: 'Second', created_at: '2024-01-02T00:00:00Z' },
  { id: 3, name: 'Third', created_at: '2024-01-03T00:00:00Z' },
];

/** A tiny API: GET /items/:id and GET /items?since=..., bearer token required. */
const api = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: 'bad token' });
  const one = /^\/items\/(\d+)$/.exec(url.pathname);
  if (one) {
    const item = items.find((i) => i.id === Number(one[1]));
    return item ? send(200, { item }) : send(404, { error: 'no such item' });
  }
  const since = url.searchParams.get('since') ?? '';
  return send(200, { items: items.filter((i) => i.created_at > since).slice(0, 2) });
});

const connector = defineConnector({
  title: 'Items',
  connection: {
    fields: [
      { name: 'token', controlType: 'password', optional: false },
      { name: 'base_url', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.headers({ authorization: `Bearer ${connection.token}` }),
    },
  },
  test: ({ http }) => http.get('/items/1'),
  actions: {
    get_item: {
      title: 'Get an item',
      inputFields: [{ name: 'id', type: 'integer', optional: false }],
      outputFields: [{ name: 'id', type: 'integer' }, { name: 'name' }],
      execute: async ({ http, input }) => ((await http.get(`/items/${input.id}`)) as { item: unknown }).item,
    },
  },
  triggers: {
    new_item: {
      inputFields: [{ name: 'since', optional: true }],
      poll: async ({ http, closure, input }) => {
        const since = (closure as string | undefined) ?? (input.since as string | undefined) ?? '';
        const { items: page } = (await http.get('/items', { since })) as { items: typeof items };
        return { events: page, nextPoll: page.at(-1)?.created_at ?? since, canPollMore: page.length === 2 };
      },
      dedup: (record) => String((record as { id: number }).id),
    },
    item_changed: {
      title: 'Item changed',
      inputFields: [{ name: 'kind', optional: true }],
      webhookSubscribe: ({ webhookUrl }) => ({ id: `sub-${webhookUrl.length}` }),
      webhookUnsubscribe: () => undefined,
      webhookNotification: ({ payload, input, headers, webhookSubscribeOutput }) => {
        const changes = (payload as { changes: { id: number; kind: string }[] }).changes;
        return changes
          .filter((change) => input.kind === undefined || change.kind === input.kind)
          .map((change) => ({ ...change, via: headers['x-source'] ?? null, sub: webhookSubscribeOutput }));
      },
    },
  },
});

const project = tempProject('connector');
let router: Router;
let credentials: unknown;

beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  credentials = { connection_id: 'c1', connection_data: { value: { token: TOKEN, base_url: base } } };
  router = await makeRouter(project.dir, { connector, connectorSource: 'connector items.ts' });
});
afterAll(async () => {
  await closeRouters();
  await new Promise((resolve) => api.close(resolve));
  project.remove();
});

const post = async (url: string, body: Record<string, unknown>) => {
  const res = await router.app.inject({ method: 'POST', url, payload: body });
  return { status: res.statusCode, body: res.json() };
};

describe('serving a DSL connector', () => {
  it('mounts /<action>/v1/execute, /<trigger>/v1/poll, /<webhook trigger>/v1/webhook and /test', () => {
    expect(router.routes.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /get_item/v1/schema',
      'POST /get_item/v1/execute',
      'GET /new_item/v1/schema',
      'POST /new_item/v1/poll',
      'GET /item_changed/v1/schema',
      'POST /item_changed/v1/webhook',
      'POST /test',
    ]);
  });

  it("turns a webhook delivery into the trigger's events, with their dedup keys", async () => {
    const delivery = {
      data: { kind: 'updated' },
      credentials,
      payload: {
        changes: [
          { id: 7, kind: 'updated' },
          { id: 8, kind: 'deleted' },
        ],
      },
      headers: { 'x-source': 'items-api' },
      webhook_subscribe_output: { id: 'sub-1' },
    };
    expect(await post('/item_changed/v1/webhook', delivery)).toEqual({
      status: 200,
      body: {
        data: {
          events: [{ id: 7, kind: 'updated', via: 'items-api', sub: { id: 'sub-1' } }],
          dedup_keys: ['7'],
        },
      },
    });
    const broken = await post('/item_changed/v1/webhook', { credentials, payload: 'not an object' });
    expect(broken.status).toBeGreaterThanOrEqual(400);
  });

  it('runs an action with the connection from credentials, through the SDK runtime', async () => {
    expect(await post('/get_item/v1/execute', { data: { id: 2 }, credentials })).toEqual({
      status: 200,
      body: { data: items[1] },
    });
  });

  it('answers invalid input with 400 naming the field, and an upstream 404 with 404', async () => {
    const invalid = await post('/get_item/v1/execute', { data: {}, credentials });
    expect(invalid.status).toBe(400);
    expect(invalid.body.data.errors).toEqual([{ path: 'data.id', message: 'is required' }]);
    const missing = await post('/get_item/v1/execute', { data: { id: 99 }, credentials });
    expect([missing.status, missing.body.error]).toEqual([
      404,
      expect.stringMatching(/^404 Not Found \(GET http/),
    ]);
  });

  it('answers bad credentials with 401, without echoing the token', async () => {
    const bad = {
      connection_data: {
        value: {
          token: 'wrong-token-value',
          base_url: (credentials as never as { connection_data: { value: { base_url: string } } })
            .connection_data.value.base_url,
        },
      },
    };
    const res = await post('/test', { credentials: bad });
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain('wrong-token-value');
  });

  it('polls a trigger, taking and returning the closure', async () => {
    const first = await post('/new_item/v1/poll', { data: {}, credentials });
    expect(first.status).toBe(200);
    expect(first.body.data.events.map((e: { id: number }) => e.id)).toEqual([1, 2, 3]);
    const again = await post('/new_item/v1/poll', {
      data: {},
      credentials,
      closure: first.body.data.closure,
    });
    expect(again.body.data.events).toEqual([]);
    expect(again.body.data.closure).toMatchObject({ kind: 'ascending', closure: '2024-01-03T00:00:00Z' });
    const broken = await post('/new_item/v1/poll', { credentials, closure: { kind: 'nonsense' } });
    expect(broken.status).toBe(400);
  });

  it('tests the connection', async () => {
    expect(await post('/test', { credentials })).toEqual({
      status: 200,
      body: { data: { item: items[0] }, message: 'Connection test passed' },
    });
  });

  it('serves each action schema, generated from its input fields, and lists it in OpenAPI', async () => {
    const schema = (await router.app.inject({ method: 'GET', url: '/get_item/v1/schema' })).json();
    expect(schema).toMatchObject({
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'integer' } },
    });
    const doc = (await router.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/get_item/v1/execute'].post.summary).toBe('Get an item');
    expect(
      doc.paths['/get_item/v1/execute'].post.requestBody.content['application/json'].schema.properties.data,
    ).toMatchObject({
      required: ['id'],
    });
  });
});
