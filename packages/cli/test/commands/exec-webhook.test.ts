/**
 * `sluice exec` on webhook triggers: `triggers.<name> --webhook-payload` runs `webhookNotification`
 * locally, `.webhookSubscribe --webhook-url` and `.webhookUnsubscribe --webhook-subscribe-output` call a
 * loopback API; options on paths that do not take them are refused with the flag named.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, json, scratchDir } from '../cli-fixtures.js';
import { runCliInProcess } from '../run-cli.js';

const sluice = runCliInProcess;

const CONNECTOR_SOURCE = `
import { defineConnector } from '@sluice/sdk';

export default defineConnector({
  title: 'Hooks',
  connection: {
    fields: [{ name: 'base_url', optional: false }, { name: 'api_token', controlType: 'password' }],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.headers({ 'x-token': String(connection.api_token) }),
    },
  },
  triggers: {
    new_order: {
      inputFields: [{ name: 'status' }],
      webhookSubscribe: ({ webhookUrl, input, http }) => http.post('/subscriptions', { url: webhookUrl, status: input.status }),
      webhookUnsubscribe: ({ webhookSubscribeOutput, http }) => http.delete(\`/subscriptions/\${webhookSubscribeOutput.id}\`),
      webhookNotification: ({ payload, headers, params, webhookSubscribeOutput }) =>
        payload.orders.map((order) => ({ ...order, event: headers['x-event'], page: params.page, sub: webhookSubscribeOutput?.id })),
      dedup: (record) => 'order-' + record.id,
    },
    polled: { poll: () => ({ events: [] }) },
  },
});
`;

const scratch = scratchDir('exec-webhook');
const connector = scratch.write('connector.ts', CONNECTOR_SOURCE);
const calls: string[] = [];
let server: Server;
let settings: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      calls.push(`${req.method} ${req.url} ${String(req.headers['x-token'])} ${body}`);
      res.writeHead(req.method === 'POST' ? 201 : 204, { 'content-type': 'application/json' });
      res.end(req.method === 'POST' ? JSON.stringify({ id: 42 }) : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  settings = JSON.stringify({ base_url: url, api_token: 'tok-xyz' });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  scratch.remove();
});

describe('sluice exec on webhook triggers', () => {
  it('runs webhookNotification on a payload, headers and params, printing the events and their dedup keys', async () => {
    const payload = scratch.write('p.json', { orders: [{ id: 1 }, { id: 2 }, { id: 1 }] });
    const headers = scratch.write('h.json', { 'X-Event': 'created' });
    const result = json(
      await sluice([
        'exec',
        connector,
        'triggers.new_order',
        '--settings',
        settings,
        '--webhook-payload',
        payload,
        '--webhook-headers',
        headers,
        '--webhook-params',
        '{"page": "2"}',
        '--webhook-subscribe-output',
        '{"id": 42}',
      ]),
    );
    expect(result).toEqual({
      events: [
        { id: 1, event: 'created', page: '2', sub: 42 },
        { id: 2, event: 'created', page: '2', sub: 42 },
      ],
      dedup_keys: ['order-1', 'order-2'],
    });
    expect(calls).toEqual([]);
  });

  it('subscribes a URL and unsubscribes what subscribing printed', async () => {
    const output = json(
      await sluice([
        'exec',
        connector,
        'triggers.new_order.webhookSubscribe',
        '--settings',
        settings,
        '--webhook-url',
        'https://example.test/hook',
        '--input',
        '{"status": "paid"}',
      ]),
    );
    expect(output).toEqual({ id: 42 });
    const saved = scratch.write('s.json', output);
    const removed = json(
      await sluice([
        'exec',
        connector,
        'triggers.new_order.webhookUnsubscribe',
        '--settings',
        settings,
        '--webhook-subscribe-output',
        saved,
      ]),
    );
    expect(removed).toEqual({ unsubscribed: true });
    expect(calls).toEqual([
      'POST /subscriptions tok-xyz {"url":"https://example.test/hook","status":"paid"}',
      'DELETE /subscriptions/42 tok-xyz ',
    ]);
  });

  it('refuses webhook options where they do not apply, and a subscribe without a URL', async () => {
    expectCleanError(
      await sluice(['exec', connector, 'triggers.polled', '--settings', settings, '--webhook-payload', '{}']),
      /^error SLUICE_CLI_OPTION: --webhook-payload does not apply to triggers\.polled/,
    );
    expectCleanError(
      await sluice(['exec', connector, 'triggers.new_order.webhookSubscribe', '--settings', settings]),
      /^error SLUICE_CLI_OPTION: triggers\.new_order\.webhookSubscribe needs --webhook-url/,
    );
    expectCleanError(
      await sluice(['exec', connector, 'triggers.polled.webhookSubscribe', '--settings', settings]),
      /^error SLUICE_CONNECTOR_PATH: unknown part "webhookSubscribe" of triggers\.polled \(valid: poll, /,
    );
    expectCleanError(
      await sluice([
        'exec',
        connector,
        'triggers.new_order',
        '--settings',
        settings,
        '--webhook-headers',
        '["x"]',
      ]),
      /^error SLUICE_CLI_FILE_PARSE: --webhook-headers \["x"\] must hold an object/,
    );
  });
});
