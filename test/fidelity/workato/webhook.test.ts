/**
 * Workato webhook trigger fidelity: `webhook-connector.ts` (the gem's `spec/examples/webhook_trigger`
 * connector in camelCase) against a loopback API. Reference: workato/workato-connector-sdk
 * `lib/workato/connector/sdk/trigger.rb` (`webhook_subscribe`, `webhook_unsubscribe`,
 * `webhook_notification`: a hash is one event, an array many) and `lib/workato/cli/exec_command.rb`
 * (`--webhook-payload`, `--webhook-headers`, `--webhook-params`, `--webhook-url`,
 * `--webhook-subscribe-output`); docs/fidelity.md, item 16.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createConnectorRuntime, runWebhookKeys } from '@sluice/sdk/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, scratchDir } from '../../../packages/cli/test/cli-fixtures.js';
import { runCli } from '../../../packages/cli/test/run-cli.js';
import connector from './webhook-connector.js';

const CONNECTOR = fileURLToPath(new URL('./webhook-connector.ts', import.meta.url));
const log: string[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      log.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/webhooks/subscribe' ? { id: 1 } : { success: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const connection = () => ({ base_url: url, user: 'user', password: 'password' });
const BASIC = `Basic ${Buffer.from('user:password').toString('base64')}`;

describe('Workato-style webhook trigger', () => {
  it('subscribes and unsubscribes as the gem example does, with the subscribe output handed back', async () => {
    log.length = 0;
    const runtime = createConnectorRuntime(connector, { connection: connection() });
    const output = await runtime.webhookSubscribe('test_trigger', {
      webhookUrl: 'http://example.com/webhooks',
    });
    expect(output).toEqual({ webhook_id: 1 });
    await runtime.webhookUnsubscribe('test_trigger', output);
    expect(log).toEqual([
      `POST /webhooks/subscribe ${BASIC} {"url":"http://example.com/webhooks"}`,
      `POST /webhooks/unsubscribe?id=1 ${BASIC} `,
    ]);
  });

  it('gives one event for a hash and many for an array, as webhook_notification does', async () => {
    const runtime = createConnectorRuntime(connector, { connection: connection() });
    const payload = { id: '1000', post: { id: 1, title: 'Post #1' } };
    const [one] = await runtime.webhookNotification('test_trigger', { payload });
    expect(one).toEqual({ event: { id: 1, title: 'Post #1' }, key: '1@' });
    const many = await runtime.webhookNotification('test_trigger', {
      payload: { post: [{ id: 1 }, { id: 2, updated_at: 't2' }] },
    });
    expect(many.map((e) => e.key)).toEqual(['1@', '2@t2']);
    expect(await runtime.webhookNotification('test_trigger', { payload: {} })).toEqual([]);
  });

  it('keys a static delivery by webhook_keys and a trigger by webhook_key', async () => {
    const runtime = createConnectorRuntime(connector, { connection: connection() });
    expect(await runWebhookKeys(connector, { payload: { account_id: 'acc-7' } })).toBe('acc-7');
    expect(await runtime.webhookKey('account_trigger', { input: { account_id: 'acc-7' } })).toBe('acc-7');
  });

  it('runs webhook_notification locally like workato exec --webhook-payload', async () => {
    const scratch = scratchDir('workato-webhook');
    try {
      const payload = scratch.write('payload.json', { id: '1000', post: { id: 1, title: 'Post #1' } });
      const result = json(
        await runCli([
          'exec',
          CONNECTOR,
          'triggers.test_trigger',
          '--settings',
          JSON.stringify(connection()),
          '--webhook-payload',
          payload,
        ]),
      );
      expect(result).toEqual({ events: [{ id: 1, title: 'Post #1' }], dedup_keys: ['1@'] });
    } finally {
      scratch.remove();
    }
  });
});
