/**
 * `ConnectionService` on each store dialect (SQLite; PostgreSQL with SLUICE_TEST_PG_URL) and a
 * loopback API: values sealed at rest, the check cache, tokens the runtime acquires being sealed and
 * saved, the secrets a run masks, and the errors of missing pieces.
 */
import { randomBytes } from 'node:crypto';
import { createEngine, type Engine, isSluiceError, type SqlStore } from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.js';
import { describeEachDialect } from '../store/dialects.js';

const ann = { id: 'ann@acme.test', email: 'ann@acme.test', workspace_id: 'acme', role: 'admin' as const };

/** Logs in with a user and password (custom_auth), then sends the session token. */
const sessions: Connector = defineConnector({
  title: 'Sessions',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'user', optional: false },
      { name: 'secret_word', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'custom_auth',
      // Only a 401 asks for a new session; without refreshOn any failure would (as in the Workato gem).
      refreshOn: [401],
      acquire: async ({ http, connection }) => {
        const answer = await http.post<{ session_token: string }>('/login', {
          user: connection.user,
          password: connection.secret_word,
        });
        return { session_token: answer.session_token };
      },
      apply: ({ connection, request }) =>
        request.headers({ 'x-session': String(connection.session_token ?? 'none') }),
    },
  },
  test: ({ http }) => http.get('/me'),
});

let store: SqlStore;
let server: FlakyServer;
let engine: Engine;
let now: number;
let secretKey: Buffer;

const connect = () =>
  engine.connections.save(ann, {
    name: 'app',
    connector: 'sessions',
    values: { base_url: server.origin, user: 'ann', secret_word: 'open-sesame-42' },
  });

async function failure(promise: Promise<unknown>, code: string): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(isSluiceError(err, code)).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`expected ${code}`);
}

describeEachDialect('ConnectionService', { reuse: true }, (t) => {
  beforeEach(async () => {
    store = t.store;
    server = await startFlakyServer();
    now = Date.parse('2026-03-01T10:00:00Z');
    secretKey = randomBytes(32);
    engine = createEngine({
      store,
      connectors: new Map([['sessions', sessions]]),
      secretKey,
      now: () => now,
    });
  });
  afterEach(async () => {
    await engine.close();
    await server.close();
  });

  describe('ConnectionService.save', () => {
    it('stores the values sealed: the raw row holds neither the secret nor any value', async () => {
      const saved = await connect();
      expect(saved.created).toBe(true);
      const rows = await t.db.query<{ sealed_values: string; connector: string }>(
        'select sealed_values, connector from connections',
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]?.connector).toBe('sessions');
      expect(rows[0]?.sealed_values).toMatch(/^v1\./);
      for (const value of ['open-sesame-42', 'ann', server.origin]) {
        expect(JSON.stringify(rows)).not.toContain(value);
      }
    });
  });

  describe('ConnectionService.test', () => {
    it('seals and saves the session token the runtime acquired, so the next test sends it', async () => {
      await connect();
      server.script('/login', [{ status: 200, body: { session_token: 'sess-0123456789' } }]);
      server.script('/me', [
        { status: 401, body: {} },
        { status: 200, body: { id: 'ann' } },
      ]);
      now += 1000;
      expect(await engine.connections.test('acme', 'app')).toEqual({ id: 'ann' });
      expect(server.requests('/me').map((r) => r.headers['x-session'])).toEqual(['none', 'sess-0123456789']);
      const saved = await engine.connections.credentials('acme', 'app');
      expect(saved.values).toMatchObject({ user: 'ann', session_token: 'sess-0123456789' });
      const view = await engine.connections.view('acme', 'app');
      expect(view.fields).toEqual(['base_url', 'secret_word', 'session_token', 'user']);
      expect(view.updated_at).toBe('2026-03-01T10:00:01.000Z');

      server.script('/me', [{ status: 200, body: { id: 'ann' } }]);
      await engine.connections.test('acme', 'app');
      expect(server.requests('/me')[0]?.headers['x-session']).toBe('sess-0123456789');
      expect(server.count('/login')).toBe(1);
    });
  });

  describe('ConnectionService.check', () => {
    it('tests each connection once, counts a pass for a minute, and tests again after a save', async () => {
      await connect();
      server.script('/me', [{ status: 200, body: { id: 'ann' } }]);
      await engine.connections.check('acme', ['app', 'app']);
      expect(server.count('/me')).toBe(1);
      now += 59_000;
      await engine.connections.check('acme', ['app']);
      expect(server.count('/me')).toBe(1);
      now += 2_000;
      await engine.connections.check('acme', ['app']);
      expect(server.count('/me')).toBe(2);
      await connect();
      await engine.connections.check('acme', ['app']);
      expect(server.count('/me')).toBe(3);
    });

    it('throws the first failure: a failing test, then a missing connection', async () => {
      await connect();
      server.script('/me', [{ status: 500, body: { error: 'down' } }]);
      expect(
        await failure(engine.connections.check('acme', ['app', 'other']), 'SLUICE_CONNECTION_TEST'),
      ).toMatch(/^connection app: the test failed: 500 Internal Server Error/);
      // A failure is not cached as a pass: the next check tests again.
      server.script('/me', [{ status: 200, body: {} }]);
      expect(await failure(engine.connections.check('acme', ['app', 'other']), 'SLUICE_CONNECTION')).toBe(
        'no connection "other" in workspace acme',
      );
      expect(server.count('/me')).toBe(1);
    });
  });

  describe('ConnectionService.open and secretsOf', () => {
    it('opens the values with the connector, and lists the secrets a run must mask', async () => {
      await connect();
      const opened = await engine.connections.open('acme', 'app');
      expect(opened.connectorName).toBe('sessions');
      expect(opened.connector).toBe(sessions);
      expect(opened.values).toEqual({ base_url: server.origin, user: 'ann', secret_word: 'open-sesame-42' });
      expect(await engine.connections.secretsOf('acme')).toEqual(['open-sesame-42']);
      expect(await engine.connections.secretsOf('globex')).toEqual([]);
    });

    it("saves what open()'s onConnectionChange gets, unless the connection was saved again since", async () => {
      await connect();
      const opened = await engine.connections.open('acme', 'app');
      now += 1000;
      await opened.onConnectionChange({ ...opened.values, session_token: 'sess-1' });
      expect((await engine.connections.credentials('acme', 'app')).values.session_token).toBe('sess-1');
      now += 1000;
      await opened.onConnectionChange({ ...opened.values, session_token: 'sess-2' });
      expect((await engine.connections.credentials('acme', 'app')).values.session_token).toBe('sess-2');

      const stale = await engine.connections.open('acme', 'app');
      now += 1000;
      await connect(); // the user saves new values: tokens of the old ones must not overwrite them
      now += 1000;
      await stale.onConnectionChange({ ...stale.values, session_token: 'sess-old' });
      expect((await engine.connections.credentials('acme', 'app')).values).toEqual({
        base_url: server.origin,
        user: 'ann',
        secret_word: 'open-sesame-42',
      });
    });

    it('refuses a connection whose connector is no longer registered, but still answers its credentials', async () => {
      await connect();
      const other = createEngine({ store, secretKey });
      const fresh = createEngine({ store, secretKey: randomBytes(32) });
      try {
        expect(await failure(other.connections.open('acme', 'app'), 'SLUICE_CONNECTION')).toBe(
          'connection app: connector "sessions" is not registered (registered: none)',
        );
        // Another key cannot open the values at all.
        expect(await failure(fresh.connections.credentials('acme', 'app'), 'SLUICE_SECRET_KEY')).toBe(
          'the sealed values of acme/app do not open: the secret key is not the one it was sealed with, or it was altered',
        );
        expect(await fresh.connections.secretsOf('acme')).toEqual([]);
        // Without the connector, values under secret-looking keys are still masked in runs.
        expect(await other.connections.secretsOf('acme')).toEqual(['open-sesame-42']);
        expect((await other.connections.credentials('acme', 'app')).values.user).toBe('ann');
      } finally {
        await other.close();
        await fresh.close();
      }
    });

    it('refuses a bad name and deletes what it saved', async () => {
      expect(
        await failure(
          engine.connections.save(ann, { name: '../x', connector: 'sessions', values: {} }),
          'SLUICE_CONNECTION',
        ),
      ).toBe('name "../x" is not a connection name');
      await connect();
      expect(await engine.connections.delete('acme', 'app')).toBe(true);
      expect(await engine.connections.delete('acme', 'app')).toBe(false);
      expect(await engine.connections.list('acme')).toEqual([]);
    });
  });
});
