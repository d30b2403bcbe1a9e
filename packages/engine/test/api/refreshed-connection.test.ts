/**
 * Tokens a connector's authorization acquires during an action step or a poll are sealed and saved
 * back to the stored connection, so the next step, run and poll start from them instead of acquiring
 * again.
 */
import { randomBytes } from 'node:crypto';
import type { ApiCaller } from '@sluice/engine';
import { internalsOf } from '@sluice/engine/internal';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from './harness.js';

/** Logs in once (`POST /login`) for a session token, sent as `x-session` on every request. */
const sessions: Connector = defineConnector({
  title: 'Sessions',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'password', controlType: 'password', optional: false },
      { name: 'session', optional: true },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'custom_auth',
      acquire: async ({ http, connection }) =>
        http.post<{ session: string }>('/login', { password: connection.password }),
      apply: ({ connection, request }) =>
        connection.session === undefined
          ? request
          : request.headers({ 'x-session': String(connection.session) }),
    },
  },
  actions: { me: { execute: ({ http }) => http.get('/me') } },
  triggers: {
    items: {
      poll: async ({ http }) => ({ events: (await http.get<{ items: { id: number }[] }>('/items')).items }),
      dedup: (item) => String(item.id),
    },
  },
});

const h = useApiHarness({
  waitLimitMs: 10_000,
  engine: { connectors: new Map([['sessions', sessions]]), secretKey: randomBytes(32), triggerTickMs: 20 },
});
const acme = {
  workspace_id: 'acme',
  email: 'bob@acme.test',
  id: 'bob@acme.test',
  role: 'member',
} as ApiCaller;

async function storedSession(): Promise<unknown> {
  return (await h.engine.connections.credentials('acme', 'main')).values.session;
}

describe('a connection whose authorization acquires a session', () => {
  it('keeps the session an action step acquired, and the next run sends it without logging in again', async () => {
    h.server.script('/login', [{ status: 200, body: { session: 'sess-1' } }]);
    h.server.script('/me', [
      { status: 401, body: {} },
      { status: 200, body: { me: 1 } },
      { status: 200, body: { me: 2 } },
    ]);
    await h.engine.connections.save(acme, {
      name: 'main',
      connector: 'sessions',
      values: { base_url: h.server.origin, password: 'pw-3f9a' },
    });
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'me',
      steps: [{ name: 'me', action: 'sessions.me', connection: 'main' }],
    });
    for (const expected of [1, 2]) {
      const run = await h.call(
        h.keys.acmeMember,
        'POST',
        `/v1/workflows/${published.body.uid}/runs?wait=true`,
        {},
      );
      expect(run.body.status).toBe('succeeded');
      expect(run.body.output ?? (run.body.steps as { output: unknown }[])[0]?.output).toEqual({
        me: expected,
      });
    }
    expect(await storedSession()).toBe('sess-1');
    expect(h.server.count('/login')).toBe(1);
    expect(h.server.requests('/me').at(-1)?.headers['x-session']).toBe('sess-1');
  });

  it('keeps the session a poll acquired', async () => {
    h.server.script('/login', [{ status: 200, body: { session: 'sess-2' } }]);
    h.server.script('/items', [
      { status: 401, body: {} },
      { status: 200, body: { items: [{ id: 1 }] } },
    ]);
    await h.engine.connections.save(acme, {
      name: 'main',
      connector: 'sessions',
      values: { base_url: h.server.origin, password: 'pw-3f9a' },
    });
    await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'poller',
      trigger: { poll: { connector: 'sessions', trigger: 'items', connection: 'main', interval: 60 } },
      steps: [{ name: 'noop', apispec: { url: h.server.url('/noop') } }],
    });
    await internalsOf(h.engine).tickTriggers();
    expect(await storedSession()).toBe('sess-2');
  });
});
