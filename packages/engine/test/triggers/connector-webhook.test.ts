/**
 * `trigger.connector_webhook` through the engine and its API: a connector (`defineConnector`) whose
 * webhook triggers subscribe at a loopback "SaaS" server that records every subscribe and unsubscribe.
 * Publishing subscribes once with the engine's hook URL; a delivery to it starts one run per new event,
 * the same event twice starts one run; disable, delete and a changed configuration unsubscribe with the
 * stored subscription output; static webhooks are routed by key; hostile deliveries start nothing.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Connector, defineConnector } from '@sluice/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../api/harness.js';

const TOKEN = 'tok-very-secret-1234';
const PUBLIC_URL = 'https://sluice.example.test';

interface SaasCall {
  method: string;
  path: string;
  token: string | undefined;
  body: unknown;
}

/** The loopback SaaS: `POST /subscriptions` answers `{ id }` (1, 2, ...), `DELETE` 204, `GET /me` 200. */
class Saas {
  readonly calls: SaasCall[] = [];
  failSubscribe = false;
  #server: Server | undefined;
  #next = 0;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        const path = req.url ?? '/';
        const token = req.headers['x-token'] as string | undefined;
        if (path !== '/me') {
          this.calls.push({
            method: req.method ?? '',
            path,
            token,
            body: body === '' ? null : JSON.parse(body),
          });
        }
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && path === '/subscriptions') {
          if (this.failSubscribe) {
            res.statusCode = 500;
            res.end(JSON.stringify({ error: `refused for ${TOKEN}` }));
            return;
          }
          this.#next += 1;
          res.statusCode = 201;
          res.end(JSON.stringify({ id: this.#next }));
          return;
        }
        res.statusCode = req.method === 'DELETE' ? 204 : 200;
        res.end(req.method === 'DELETE' ? '' : '{}');
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  subscriptions(): SaasCall[] {
    return this.calls.filter((c) => c.path.startsWith('/subscriptions'));
  }

  close(): Promise<void> {
    return new Promise((resolve) =>
      this.#server === undefined ? resolve() : this.#server.close(() => resolve()),
    );
  }
}

function saasConnector() {
  return defineConnector({
    title: 'SaaS',
    connection: {
      fields: [
        { name: 'base_url', optional: false },
        { name: 'api_token', controlType: 'password', optional: false },
      ],
      baseUri: ({ connection }) => String(connection.base_url),
      authorization: {
        type: 'api_key',
        apply: ({ connection, request }) => request.headers({ 'x-token': String(connection.api_token) }),
      },
    },
    test: ({ http }) => http.get('/me'),
    webhookKeys: ({ payload }) => (payload as { account?: string } | null)?.account,
    triggers: {
      new_order: {
        inputFields: [{ name: 'status', optional: false }],
        webhookSubscribe: ({ webhookUrl, input, http }) =>
          http.post('/subscriptions', { url: webhookUrl, status: input.status }),
        webhookUnsubscribe: ({ webhookSubscribeOutput, http }) =>
          http.delete(`/subscriptions/${(webhookSubscribeOutput as { id: number }).id}`),
        webhookNotification: ({ payload, headers, params, connection, webhookSubscribeOutput }) => {
          const body = payload as Record<string, unknown> | string | null;
          if (typeof body !== 'object' || body === null) throw new Error('expected a JSON object');
          if (body.fail === true)
            throw new Error(`cannot read this order (token ${String(connection.api_token)})`);
          if (body.echo === true) {
            return {
              id: 'echo',
              event: headers['x-saas-event'],
              params,
              subscription: webhookSubscribeOutput,
            };
          }
          return (body.orders as unknown[] | undefined) ?? body.order ?? null;
        },
        dedup: (record) => String(record.id),
      },
      account_event: {
        inputFields: [{ name: 'account', optional: false }],
        webhookKey: ({ input }) => input.account,
        webhookNotification: ({ payload }) => (payload as { event?: unknown }).event,
      },
    },
  });
}

const connectors = new Map<string, Connector>([['saas', saasConnector() as Connector]]);
const h = useApiHarness({
  engine: { connectors, secretKey: randomBytes(32), publicUrl: PUBLIC_URL, triggerTickMs: 3_600_000 },
});

let saas: Saas;
beforeEach(async () => {
  saas = new Saas();
  await saas.start();
  h.server.script(
    '/handle',
    Array.from({ length: 20 }, () => ({ status: 200, body: { ok: true } })),
  );
  const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/connections', {
    name: 'saas-conn',
    connector: 'saas',
    values: { base_url: saas.url, api_token: TOKEN },
  });
  expect(res.status).toBeLessThan(300);
});
afterEach(async () => {
  await saas.close();
});

function hooked(uid: string, trigger: string, input: object): object {
  return {
    uid,
    name: uid,
    default_retry: { total: 0 },
    trigger: { connector_webhook: { connector: 'saas', trigger, connection: 'saas-conn', input } },
    steps: [
      {
        name: 'handle',
        apispec: { url: h.server.url('/handle'), method: 'post', json_body: { id: '{{ INPUT.id }}' } },
      },
    ],
  };
}

async function triggerOf(uid: string): Promise<Record<string, unknown>> {
  const res = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/trigger`);
  expect(res.status).toBe(200);
  return res.body;
}

/** The path of the hook URL the engine subscribed with (the last subscribe). */
function subscribedPath(): string {
  const subscribe = saas
    .subscriptions()
    .filter((c) => c.method === 'POST')
    .at(-1);
  return new URL((subscribe?.body as { url?: string } | undefined)?.url ?? 'http://none/').pathname;
}

function deliver(path: string, body: unknown, headers: Record<string, string> = {}) {
  return h.call(undefined, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body), {
    'content-type': 'application/json',
    ...headers,
  });
}

describe('trigger.connector_webhook', () => {
  it('subscribes once with the engine hook URL when published, and again only for a new configuration', async () => {
    expect(
      (
        await h.call(
          h.keys.acmeAdmin,
          'POST',
          '/v1/workflows',
          hooked('orders', 'new_order', { status: 'paid' }),
        )
      ).status,
    ).toBe(201);
    const trigger = await triggerOf('orders');
    expect(trigger).toMatchObject({
      kind: 'connector_webhook',
      enabled: true,
      next_at: null,
      last_error: null,
    });
    expect(saas.subscriptions()).toEqual([
      {
        method: 'POST',
        path: '/subscriptions',
        token: TOKEN,
        body: { url: `${PUBLIC_URL}${trigger.hook_path as string}`, status: 'paid' },
      },
    ]);
    expect(trigger.hook_path).toMatch(/^\/v1\/hooks\/orders\/[A-Za-z0-9_-]{43}$/);

    // The same trigger published again keeps its subscription.
    await h.call(
      h.keys.acmeAdmin,
      'PUT',
      '/v1/workflows/orders',
      hooked('orders', 'new_order', { status: 'paid' }),
    );
    expect(saas.subscriptions()).toHaveLength(1);
    // Another input: the old subscription goes, a new one is made.
    await h.call(
      h.keys.acmeAdmin,
      'PUT',
      '/v1/workflows/orders',
      hooked('orders', 'new_order', { status: 'open' }),
    );
    expect(saas.subscriptions().map((c) => [c.method, c.path])).toEqual([
      ['POST', '/subscriptions'],
      ['DELETE', '/subscriptions/1'],
      ['POST', '/subscriptions'],
    ]);
  });

  it('starts one run per new event of a delivery, and none for an event delivered again', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('orders', 'new_order', { status: 'paid' }),
    );
    const path = subscribedPath();
    const first = await deliver(path, { orders: [{ id: 1 }, { id: 2 }] });
    expect(first.status).toBe(202);
    const ids = first.body.run_ids as string[];
    expect(ids).toHaveLength(2);
    for (const id of ids) await h.engine.waitForRun(id, 10_000);
    const runs = await Promise.all(ids.map((id) => h.store.runs.getRun(id)));
    expect(runs.map((r) => [r?.status, r?.input])).toEqual([
      ['succeeded', { id: 1 }],
      ['succeeded', { id: 2 }],
    ]);

    const again = await deliver(path, { orders: [{ id: 2 }, { id: 3 }] });
    expect(again.status).toBe(202);
    expect(again.body.run_ids as string[]).toHaveLength(1);
    const repeat = await deliver(path, { order: { id: 3 } });
    expect(repeat.body).toEqual({ run_ids: [] });
    expect((await triggerOf('orders')).events_seen).toBe(3);
  });

  it('starts one run when the same event arrives many times at once', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('orders', 'new_order', { status: 'paid' }),
    );
    const path = subscribedPath();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => deliver(path, { order: { id: 'same' } })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    expect(answers.flatMap((a) => a.body.run_ids as string[])).toHaveLength(1);
    expect((await triggerOf('orders')).events_seen).toBe(1);
  });

  it('passes headers, query parameters and the subscription output to the notification', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('orders', 'new_order', { status: 'paid' }),
    );
    const res = await deliver(
      `${subscribedPath()}?topic=orders&page=2`,
      { echo: true },
      { 'x-saas-event': 'created' },
    );
    expect(res.status).toBe(202);
    const run = await h.store.runs.getRun((res.body.run_ids as string[])[0] as string);
    expect(run?.input).toEqual({
      id: 'echo',
      event: 'created',
      params: { topic: 'orders', page: '2' },
      subscription: { id: 1 },
    });
  });

  it('unsubscribes with the stored output when disabled or deleted, and subscribes again when enabled', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('orders', 'new_order', { status: 'paid' }),
    );
    const path = subscribedPath();
    expect((await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/orders/trigger/disable')).status).toBe(200);
    expect((await deliver(path, { order: { id: 1 } })).status).toBe(404);
    expect((await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/orders/trigger/enable')).status).toBe(200);
    expect((await h.call(h.keys.acmeAdmin, 'DELETE', '/v1/workflows/orders')).status).toBeLessThan(300);
    expect(saas.subscriptions().map((c) => [c.method, c.path, c.token])).toEqual([
      ['POST', '/subscriptions', TOKEN],
      ['DELETE', '/subscriptions/1', TOKEN],
      ['POST', '/subscriptions', TOKEN],
      ['DELETE', '/subscriptions/2', TOKEN],
    ]);
    expect((await deliver(path, { order: { id: 1 } })).status).toBe(404);
  });

  it('unsubscribes when a publish replaces the trigger with another kind', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('orders', 'new_order', { status: 'paid' }),
    );
    const plain = {
      ...(hooked('orders', 'new_order', {}) as Record<string, unknown>),
      trigger: { webhook: {} },
    };
    expect((await h.call(h.keys.acmeAdmin, 'PUT', '/v1/workflows/orders', plain)).status).toBe(200);
    expect(saas.subscriptions().map((c) => [c.method, c.path])).toEqual([
      ['POST', '/subscriptions'],
      ['DELETE', '/subscriptions/1'],
    ]);
  });

  it('routes a static webhook delivery to the triggers whose key matches', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('acc-one', 'account_event', { account: 'a1' }),
    );
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('acc-two', 'account_event', { account: 'a2' }),
    );
    const one = await triggerOf('acc-one');
    const two = await triggerOf('acc-two');
    expect(one.hook_path).toBe(two.hook_path);
    expect(one.hook_path).toMatch(/^\/v1\/hooks\/connectors\/acme\/saas\/[A-Za-z0-9_-]{43}$/);
    expect(saas.subscriptions()).toEqual([]);

    const res = await deliver(one.hook_path as string, { account: 'a1', event: { id: 'e1' } });
    expect(res.status).toBe(202);
    const ids = res.body.run_ids as string[];
    expect(ids).toHaveLength(1);
    expect((await h.store.runs.getRun(ids[0] as string))?.workflow_uid).toBe('acc-one');
    expect((await deliver(one.hook_path as string, { account: 'a1', event: { id: 'e1' } })).body).toEqual({
      run_ids: [],
    });
    expect((await deliver(one.hook_path as string, { account: 'zz', event: { id: 'e2' } })).body).toEqual({
      run_ids: [],
    });
    expect([(await triggerOf('acc-one')).events_seen, (await triggerOf('acc-two')).events_seen]).toEqual([
      1, 0,
    ]);

    const wrong = (one.hook_path as string).replace(/[^/]+$/, 'x'.repeat(43));
    expect((await deliver(wrong, { account: 'a1', event: { id: 'e3' } })).status).toBe(404);
    const otherWorkspace = (one.hook_path as string).replace('/acme/', '/globex/');
    expect((await deliver(otherWorkspace, { account: 'a1', event: { id: 'e3' } })).status).toBe(404);
  });

  it('refuses hostile deliveries without starting a run', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked('orders', 'new_order', { status: 'paid' }),
    );
    const path = subscribedPath();
    expect((await deliver(path, '{"broken": ')).status).toBe(400);
    expect((await deliver(path, 'plain text', { 'content-type': 'text/plain' })).status).toBe(422);
    const huge = await deliver(path, JSON.stringify({ order: { id: 'x', pad: 'x'.repeat(2_000_000) } }));
    expect(huge.status).toBe(413);
    const wrong = path.replace(/[^/]+$/, 'y'.repeat(43));
    expect((await deliver(wrong, { order: { id: 1 } })).status).toBe(404);

    const thrown = await deliver(path, { fail: true });
    expect(thrown.status).toBe(422);
    expect(codeOf(thrown)).toBe('SLUICE_HOOK_NOTIFICATION');
    const message = (thrown.body.error as { message: string }).message;
    expect(message).toContain('saas.new_order');
    expect(message).toContain('cannot read this order');
    expect(message).not.toContain(TOKEN);
    const notEvents = await deliver(path, { orders: [1] });
    expect(codeOf(notEvents)).toBe('SLUICE_HOOK_NOTIFICATION');
    expect((await triggerOf('orders')).events_seen).toBe(0);
    expect(await h.store.runs.listRuns({ workspace_id: 'acme', limit: 10 })).toEqual([]);
  });

  it('shows a failed subscribe as last_error, secrets redacted, and retries it on enable', async () => {
    saas.failSubscribe = true;
    expect(
      (
        await h.call(
          h.keys.acmeAdmin,
          'POST',
          '/v1/workflows',
          hooked('orders', 'new_order', { status: 'paid' }),
        )
      ).status,
    ).toBe(201);
    const failed = await triggerOf('orders');
    expect(failed.last_error).toMatch(/^SLUICE_HOOK_SUBSCRIBE: triggers\.new_order\.webhookSubscribe: /);
    expect(failed.last_error).not.toContain(TOKEN);
    saas.failSubscribe = false;
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/orders/trigger/disable');
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/orders/trigger/enable');
    expect((await triggerOf('orders')).last_error).toBeNull();
    expect(saas.subscriptions().map((c) => c.method)).toEqual(['POST', 'POST']);
  });

  it('lists the webhook trigger as such in GET /v1/connectors/{name}', async () => {
    const res = await h.call(h.keys.acmeMember, 'GET', '/v1/connectors/saas');
    expect(res.status).toBe(200);
    const triggers = res.body.triggers as { name: string; type: string }[];
    expect(triggers.find((t) => t.name === 'new_order')?.type).toBe('webhook');
  });

  it('refuses a webhook trigger as a poll trigger', async () => {
    const doc = hooked('polled', 'new_order', {}) as { trigger: Record<string, unknown> };
    doc.trigger = { poll: { connector: 'saas', trigger: 'new_order', connection: 'saas-conn' } };
    const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', doc);
    expect(codeOf(res)).toBe('SLUICE_CONNECTOR_UNKNOWN');
    expect((res.body.error as { message: string }).message).toContain('saas.new_order is a webhook trigger');
  });

  it('refuses to publish a polling trigger or an unknown one as a connector webhook', async () => {
    const poll = defineConnector({ title: 'P', triggers: { t: { poll: () => ({ events: [] }) } } });
    connectors.set('polled', poll as Connector);
    try {
      const doc = hooked('bad', 'new_order', {}) as {
        trigger: { connector_webhook: Record<string, unknown> };
      };
      doc.trigger.connector_webhook = { connector: 'polled', trigger: 't' };
      const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', doc);
      expect(res.status).toBe(422);
      expect(codeOf(res)).toBe('SLUICE_HOOK_SUBSCRIBE');
      doc.trigger.connector_webhook = { connector: 'saas', trigger: 'nope', connection: 'saas-conn' };
      const unknown = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', doc);
      expect(codeOf(unknown)).toBe('SLUICE_CONNECTOR_UNKNOWN');
    } finally {
      connectors.delete('polled');
    }
  });
});

describe('trigger.connector_webhook without a publicUrl option', () => {
  const listening = useApiHarness({ engine: { connectors, secretKey: randomBytes(32) }, listen: true });

  it('subscribes with the address the API listens on', async () => {
    const saved = await listening.call(listening.keys.acmeAdmin, 'POST', '/v1/connections', {
      name: 'saas-conn',
      connector: 'saas',
      values: { base_url: saas.url, api_token: TOKEN },
    });
    expect(saved.status).toBeLessThan(300);
    const before = saas.subscriptions().length;
    const doc = hooked('listening', 'new_order', { status: 'paid' });
    expect((await listening.call(listening.keys.acmeAdmin, 'POST', '/v1/workflows', doc)).status).toBe(201);
    const made = saas.subscriptions().slice(before);
    expect(made).toHaveLength(1);
    const hookUrl = String((made[0]?.body as { url?: string } | undefined)?.url);
    expect(hookUrl.startsWith(`${listening.baseUrl}/v1/hooks/listening/`)).toBe(true);
    // The URL it gave is the real one: a delivery to it over HTTP starts a run.
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ order: { id: 'over-http' } }),
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { run_ids: string[] }).run_ids).toHaveLength(1);
  });
});
