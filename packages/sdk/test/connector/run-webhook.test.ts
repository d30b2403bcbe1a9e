/**
 * Webhook triggers through the connector runtime: subscribe and unsubscribe against a loopback API,
 * notifications to events with dedup keys, static webhook keys, and the checks of `defineConnector`.
 */
import { defineConnector, SdkError } from '@sluice/sdk';
import { createConnectorRuntime, runWebhookKeys } from '@sluice/sdk/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

function hooks() {
  return defineConnector({
    title: 'Hooks',
    connection: {
      fields: [{ name: 'api_token', controlType: 'password', optional: false }],
      baseUri: () => server.url,
      authorization: {
        type: 'api_key',
        apply: ({ connection, request }) => request.headers({ 'x-token': String(connection.api_token) }),
      },
    },
    webhookKeys: ({ payload }) => (payload as { account?: string } | null)?.account,
    triggers: {
      new_order: {
        inputFields: [{ name: 'status', optional: false }],
        webhookSubscribe: async ({ webhookUrl, input, recipeId, http }) =>
          http.post('/hooks', { url: webhookUrl, status: input.status, recipe: recipeId }),
        webhookUnsubscribe: async ({ webhookSubscribeOutput, http }) =>
          http.delete(`/hooks/${(webhookSubscribeOutput as { id: number }).id}`),
        webhookNotification: ({ payload, headers, params, input, webhookSubscribeOutput }) => {
          const body = payload as { orders?: unknown[]; order?: unknown } | null;
          if (headers['x-test'] === 'meta') return { headers, params, input, webhookSubscribeOutput };
          return body?.orders ?? body?.order ?? null;
        },
        dedup: (record) => `${String(record.id)}@${String(record.version ?? 0)}`,
      },
      account_event: {
        inputFields: [{ name: 'account', optional: false }],
        webhookKey: ({ input }) => input.account,
        webhookNotification: ({ payload }) => payload,
      },
    },
  });
}

describe('webhook triggers in the connector runtime', () => {
  it('subscribes with the URL and input, then unsubscribes with what subscribe returned', async () => {
    server.handle((request) =>
      request.method === 'POST' ? { status: 201, body: { id: 7 } } : { status: 204 },
    );
    const runtime = createConnectorRuntime(hooks(), { connection: { api_token: 'tok-1' } });
    const output = await runtime.webhookSubscribe('new_order', {
      webhookUrl: 'https://sluice.example/v1/hooks/w/s',
      input: { status: 'paid' },
      recipeId: 'wf-1',
    });
    expect(output).toEqual({ id: 7 });
    await runtime.webhookUnsubscribe('new_order', output);
    expect(server.requests.map((r) => [r.method, r.path, r.headers['x-token']])).toEqual([
      ['POST', '/hooks', 'tok-1'],
      ['DELETE', '/hooks/7', 'tok-1'],
    ]);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      url: 'https://sluice.example/v1/hooks/w/s',
      status: 'paid',
      recipe: 'wf-1',
    });
  });

  it('turns an object into one event, an array into many, and null into none, each with its dedup key', async () => {
    const runtime = createConnectorRuntime(hooks(), { connection: { api_token: 't' } });
    const input = { status: 'paid' };
    const one = await runtime.webhookNotification('new_order', { input, payload: { order: { id: 1 } } });
    expect(one).toEqual([{ event: { id: 1 }, key: '1@0' }]);
    const many = await runtime.webhookNotification('new_order', {
      input,
      payload: { orders: [{ id: 1 }, { id: 2, version: 3 }, { id: 1 }] },
    });
    expect(many.map((e) => e.key)).toEqual(['1@0', '2@3']);
    expect(await runtime.webhookNotification('new_order', { input, payload: {} })).toEqual([]);
  });

  it('hands the notification its headers, params, input and subscription output', async () => {
    const runtime = createConnectorRuntime(hooks(), { connection: { api_token: 't' } });
    const [event] = await runtime.webhookNotification('new_order', {
      input: { status: 'paid' },
      headers: { 'x-test': 'meta' },
      params: { a: '1' },
      webhookSubscribeOutput: { id: 9 },
    });
    expect(event?.event).toEqual({
      headers: { 'x-test': 'meta' },
      params: { a: '1' },
      input: { status: 'paid' },
      webhookSubscribeOutput: { id: 9 },
    });
  });

  it('refuses a notification output that is not events, and an input its fields refuse', async () => {
    const runtime = createConnectorRuntime(hooks(), { connection: { api_token: 't' } });
    await expect(
      runtime.webhookNotification('new_order', { input: { status: 'x' }, payload: { orders: [1] } }),
    ).rejects.toThrow('triggers.new_order.webhookNotification: events[0] must be an object (got number 1)');
    await expect(
      runtime.webhookNotification('account_event', { input: { account: 'a' }, payload: 'text' }),
    ).rejects.toMatchObject({ code: 'SLUICE_TRIGGER_RESULT' });
    await expect(runtime.webhookNotification('new_order', { input: {} })).rejects.toMatchObject({
      code: 'SLUICE_FIELD_REQUIRED',
    });
  });

  it('gives the static key of a trigger and of a delivery', async () => {
    const connector = hooks();
    const runtime = createConnectorRuntime(connector, { connection: { api_token: 't' } });
    expect(await runtime.webhookKey('account_event', { input: { account: 'acc-1' } })).toBe('acc-1');
    expect(await runtime.webhookKey('new_order', { input: { status: 'paid' } })).toBeUndefined();
    expect(await runWebhookKeys(connector, { payload: { account: 'acc-1' } })).toBe('acc-1');
    await expect(runWebhookKeys(connector, { payload: {} })).rejects.toMatchObject({
      code: 'SLUICE_TRIGGER_RESULT',
    });
    await expect(
      runtime.webhookSubscribe('account_event', { webhookUrl: 'http://x', input: { account: 'a' } }),
    ).rejects.toThrow('triggers.account_event.webhookSubscribe: the trigger has none');
  });

  it('tells polling and webhook triggers apart', async () => {
    const connector = defineConnector({
      title: 'Both',
      triggers: {
        polled: { poll: () => ({ events: [] }) },
        pushed: {
          webhookSubscribe: () => ({ id: 1 }),
          webhookUnsubscribe: () => undefined,
          webhookNotification: () => null,
        },
      },
    });
    const runtime = createConnectorRuntime(connector);
    expect([runtime.isWebhookTrigger('polled'), runtime.isWebhookTrigger('pushed')]).toEqual([false, true]);
    await expect(runtime.pollTrigger('pushed')).rejects.toThrow('triggers.pushed: is a webhook trigger');
    await expect(runtime.webhookNotification('polled')).rejects.toThrow(
      'triggers.polled: is a polling trigger, not a webhook trigger',
    );
  });
});

describe('defineConnector with webhook triggers', () => {
  const notify = () => null;
  it.each([
    [
      'a notification without subscribe or key',
      { triggers: { t: { webhookNotification: notify } } },
      'triggers.t: a webhook trigger needs webhookSubscribe and webhookUnsubscribe, or webhookKey',
    ],
    [
      'subscribe without unsubscribe',
      { triggers: { t: { webhookNotification: notify, webhookSubscribe: notify } } },
      'triggers.t.webhookUnsubscribe: is required with webhookSubscribe',
    ],
    [
      'a webhook trigger that also polls',
      { triggers: { t: { webhookNotification: notify, webhookKey: notify, poll: notify } } },
      'triggers.t.poll: a webhook trigger (webhookNotification) does not poll',
    ],
    [
      'a webhookKey without the connector-level webhookKeys',
      { triggers: { t: { webhookNotification: notify, webhookKey: notify } } },
      'triggers.t.webhookKey: needs the connector-level webhookKeys',
    ],
    [
      'webhook keys on a polling trigger',
      { triggers: { t: { poll: notify, webhookSubscribe: notify } } },
      'triggers.t.webhookSubscribe: only webhook triggers take it',
    ],
    [
      'a snake_case key',
      { triggers: { t: { webhookNotification: notify, webhook_key: notify } } },
      'triggers.t.webhook_key: unknown key',
    ],
    [
      'a bad payload type',
      {
        webhookKeys: notify,
        triggers: { t: { webhookNotification: notify, webhookKey: notify, webhookPayloadType: 'xml' } },
      },
      'triggers.t.webhookPayloadType: must be "parsed" or "raw" (got "xml")',
    ],
  ])('refuses %s', (_, definition, message) => {
    let error: unknown;
    try {
      defineConnector({ title: 't', ...definition } as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SdkError);
    expect((error as SdkError).code).toBe('SLUICE_CONNECTOR_INVALID');
    expect((error as SdkError).message).toContain(message);
  });
});
