/**
 * Runs a trigger starts test the connections of their action steps first, as runs started through the
 * API do: a failing test refuses the delivery (422) or the cycle (recorded as `last_error`, the poll's
 * records kept for the next cycle).
 */
import { randomBytes } from 'node:crypto';
import type { ApiCaller } from '@sluice/engine';
import { internalsOf } from '@sluice/engine/internal';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../api/harness.js';

/** Its test is `GET /me`; `lookup` is an action; `items` a trigger over `GET /items`. */
const crm: Connector = defineConnector({
  title: 'CRM',
  connection: {
    fields: [{ name: 'base_url', optional: false }],
    baseUri: ({ connection }) => String(connection.base_url),
  },
  test: ({ http }) => http.get('/me'),
  actions: { lookup: { execute: ({ http }) => http.get('/lookup') } },
  triggers: {
    items: {
      poll: async ({ http }) => ({ events: (await http.get<{ items: { id: number }[] }>('/items')).items }),
      dedup: (item) => String(item.id),
    },
  },
});

const h = useApiHarness({
  waitLimitMs: 10_000,
  engine: { connectors: new Map([['crm', crm]]), secretKey: randomBytes(32), triggerTickMs: 60_000 },
});
const acme = {
  workspace_id: 'acme',
  email: 'bob@acme.test',
  id: 'bob@acme.test',
  role: 'member',
} as ApiCaller;

const steps = [{ name: 'lookup', action: 'crm.lookup', connection: 'action-conn' }];

async function connections(): Promise<void> {
  for (const name of ['poll-conn', 'action-conn']) {
    await h.engine.connections.save(acme, { name, connector: 'crm', values: { base_url: h.server.origin } });
  }
}

describe('runs started by a trigger test the connections of their action steps', () => {
  it('refuses a webhook delivery with 422 while the test fails, and takes it once it passes', async () => {
    await connections();
    await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      uid: 'hooked',
      name: 'hooked',
      trigger: { webhook: {} },
      steps,
    });
    const path = (await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/hooked/trigger')).body
      .hook_path as string;
    h.server.script('/me', [{ status: 503, body: { error: 'down for maintenance' } }]);
    const refused = await h.call(undefined, 'POST', path, '{}', { 'content-type': 'application/json' });
    expect([refused.status, codeOf(refused)]).toEqual([422, 'SLUICE_CONNECTION_TEST']);
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/runs?workflow=hooked')).body.runs).toEqual([]);

    h.server.script('/me', [{ status: 200, body: { me: true } }]);
    h.server.script('/lookup', [{ status: 200, body: { found: true } }]);
    const taken = await h.call(undefined, 'POST', path, '{}', { 'content-type': 'application/json' });
    expect(taken.status).toBe(202);
  });

  it('skips a poll cycle while the test fails, keeping its records for the next one', async () => {
    await connections();
    // The poll's own connection passes its test at publish; the action's fails from then on.
    h.server.script('/me', [
      { status: 200, body: { me: true } },
      { status: 503, body: { error: 'down for maintenance' } },
      { status: 200, body: { me: true } },
    ]);
    h.server.script('/items', [
      { status: 200, body: { items: [{ id: 1 }, { id: 2 }] } },
      { status: 200, body: { items: [{ id: 1 }, { id: 2 }] } },
    ]);
    h.server.script('/lookup', [
      { status: 200, body: {} },
      { status: 200, body: {} },
    ]);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      uid: 'polled',
      name: 'polled',
      trigger: { poll: { connector: 'crm', trigger: 'items', connection: 'poll-conn', interval: 1 } },
      steps,
    });
    expect(published.status).toBe(201);
    // The poll connection's test passed at publish and is cached, so this cycle tests only action-conn.
    await internalsOf(h.engine).tickTriggers();
    let trigger = (await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/polled/trigger')).body;
    expect(trigger.last_error).toMatch(/503|maintenance/);
    expect(trigger.events_seen).toBe(0);
    expect(h.server.count('/items')).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    await internalsOf(h.engine).tickTriggers();
    trigger = (await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/polled/trigger')).body;
    expect([trigger.last_error, trigger.events_seen]).toEqual([null, 2]);
  });
});
