import { type Authorization, type ConnectionValues, defineConnector, RequestFailedError } from '@sluice/sdk';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authHeader, startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

function connectorWith(authorization: Authorization) {
  return defineConnector({
    title: 'Auth test',
    connection: { baseUri: () => server.url, authorization },
    test: ({ http }) => http.get('/me'),
    actions: {
      me: { execute: ({ http }) => http.get('/me') },
    },
  });
}

function runtimeFor(authorization: Authorization, connection: ConnectionValues = {}) {
  const changes: ConnectionValues[] = [];
  const runtime = createConnectorRuntime(connectorWith(authorization), {
    connection,
    onConnectionChange: (next) => {
      changes.push({ ...next });
    },
  });
  return { runtime, changes };
}

const apiPaths = () => server.requests.map((r) => `${r.method} ${r.path}`);

describe('api_key and basic_auth', () => {
  it('sends the api key where apply puts it', async () => {
    server.handle(() => ({ body: { ok: true } }));
    const { runtime } = runtimeFor(
      {
        type: 'api_key',
        apply: ({ connection, request }) => request.params({ api_token: connection.api_token }),
      },
      { api_token: 'xyz' },
    );
    await expect(runtime.test()).resolves.toEqual({ ok: true });
    expect(server.requests[0]?.query).toEqual({ api_token: 'xyz' });
  });

  it('accepts an async apply', async () => {
    server.handle(() => ({ body: { ok: true } }));
    const { runtime } = runtimeFor(
      {
        type: 'api_key',
        apply: async ({ connection, request }) => {
          await Promise.resolve();
          return request.headers({ 'X-Api-Key': String(connection.api_key) });
        },
      },
      { api_key: 'k-1' },
    );
    await expect(runtime.runAction('me', {})).resolves.toEqual({ ok: true });
    expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual(['k-1']);
  });

  it('sends the username and password as a basic auth header by default', async () => {
    server.handle(() => ({ body: {} }));
    const { runtime } = runtimeFor({ type: 'basic_auth' }, { username: 'ann', password: 's3cret' });
    await runtime.runAction('me', {});
    expect(authHeader(server.requests[0])).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`);
  });

  it('uses the author apply of basic_auth when given', async () => {
    server.handle(() => ({ body: {} }));
    const { runtime } = runtimeFor(
      {
        type: 'basic_auth',
        apply: ({ connection, request }) => request.user(String(connection.email)).password('x'),
      },
      { email: 'ann@example.com' },
    );
    await runtime.runAction('me', {});
    expect(authHeader(server.requests[0])).toBe(
      `Basic ${Buffer.from('ann@example.com:x').toString('base64')}`,
    );
  });

  it('fails with SLUICE_AUTH_FAILED when basic_auth has no username', async () => {
    const { runtime } = runtimeFor({ type: 'basic_auth' }, { password: 'x' });
    await expect(runtime.runAction('me', {})).rejects.toMatchObject({
      code: 'SLUICE_AUTH_FAILED',
      message: 'connection.username: basic_auth needs it (got undefined)',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('sends no credentials with type none', async () => {
    server.handle(() => ({ body: {} }));
    const { runtime } = runtimeFor({ type: 'none' });
    await runtime.runAction('me', {});
    expect(authHeader(server.requests[0])).toBeUndefined();
  });

  it('rejects an apply that does not return the request', async () => {
    const { runtime } = runtimeFor({
      type: 'api_key',
      apply: (({ request }: { request: unknown }) => {
        void request;
      }) as unknown as Extract<Authorization, { type: 'api_key' }>['apply'],
    });
    await expect(runtime.runAction('me', {})).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_INVALID',
      message: 'connection.authorization.apply: must return the request (got undefined)',
    });
  });

  it('raises a success that detectOn flags as a failed request', async () => {
    server.handle(() => ({ body: { error: 'QUOTA_EXCEEDED' } }));
    const { runtime } = runtimeFor({
      type: 'api_key',
      apply: ({ request }) => request,
      detectOn: [/QUOTA_EXCEEDED/],
    });
    const failure = await runtime.runAction('me', {}).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RequestFailedError);
    expect(failure).toMatchObject({ status: 200, body: { error: 'QUOTA_EXCEEDED' } });
  });
});

describe('oauth2', () => {
  const oauth2 = (extra: Partial<Extract<Authorization, { type: 'oauth2' }>> = {}): Authorization => ({
    type: 'oauth2',
    authorizationUrl: () => `${server.url}/authorize`,
    tokenUrl: () => `${server.url}/token`,
    clientId: 'client-1',
    clientSecret: ({ connection }) => String(connection.client_secret),
    ...extra,
  });

  /** An API that accepts only `Bearer <valid>`, and a token endpoint answering `answer`. */
  function api(valid: string, answer: (form: Record<string, string>) => { status?: number; body: unknown }) {
    server.handle((request) => {
      if (request.path === '/token') return answer(request.form);
      return authHeader(request) === `Bearer ${valid}`
        ? { body: { id: 1 } }
        : { status: 401, body: { error: 'invalid_token' } };
    });
  }

  it('sends the access token as a bearer header', async () => {
    api('at-1', () => ({ status: 500, body: {} }));
    const { runtime } = runtimeFor(oauth2(), { access_token: 'at-1', client_secret: 'cs' });
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    expect(apiPaths()).toEqual(['GET /me']);
  });

  it('refreshes on a 401, stores the new tokens and sends the request once more', async () => {
    api('at-2', () => ({ body: { access_token: 'at-2', refresh_token: 'rt-2', token_type: 'bearer' } }));
    const { runtime, changes } = runtimeFor(oauth2(), {
      access_token: 'at-1',
      refresh_token: 'rt-1',
      client_secret: 'cs',
    });
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    expect(apiPaths()).toEqual(['GET /me', 'POST /token', 'GET /me']);
    expect(server.requests[1]?.form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      client_id: 'client-1',
      client_secret: 'cs',
    });
    expect(authHeader(server.requests[1])).toBeUndefined();
    expect(runtime.connection).toMatchObject({ access_token: 'at-2', refresh_token: 'rt-2' });
    expect(changes).toEqual([
      { access_token: 'at-2', refresh_token: 'rt-2', token_type: 'bearer', client_secret: 'cs' },
    ]);
  });

  it('keeps the old refresh token when the refresh answer has none', async () => {
    api('at-2', () => ({ body: { access_token: 'at-2', expires_in: 3600 } }));
    const { runtime } = runtimeFor(oauth2(), {
      access_token: 'at-1',
      refresh_token: 'rt-1',
      client_secret: 'cs',
    });
    await runtime.runAction('me', {});
    expect(runtime.connection).toEqual({
      access_token: 'at-2',
      refresh_token: 'rt-1',
      expires_in: 3600,
      client_secret: 'cs',
    });
  });

  it('sends the request once more only, and raises the second 401', async () => {
    api('never', () => ({ body: { access_token: 'at-2' } }));
    const { runtime } = runtimeFor(oauth2(), {
      access_token: 'at-1',
      refresh_token: 'rt-1',
      client_secret: 'cs',
    });
    await expect(runtime.runAction('me', {})).rejects.toMatchObject({
      code: 'SLUICE_HTTP_STATUS',
      status: 401,
    });
    expect(apiPaths()).toEqual(['GET /me', 'POST /token', 'GET /me']);
  });

  it('refreshes once for requests that fail together', async () => {
    api('at-2', () => ({ body: { access_token: 'at-2' } }));
    const { runtime } = runtimeFor(oauth2(), {
      access_token: 'at-1',
      refresh_token: 'rt-1',
      client_secret: 'cs',
    });
    await Promise.all([runtime.runAction('me', {}), runtime.runAction('me', {})]);
    expect(apiPaths().filter((p) => p === 'POST /token')).toHaveLength(1);
  });

  it('fails with SLUICE_AUTH_FAILED when the token endpoint refuses the refresh token', async () => {
    api('at-2', () => ({ status: 400, body: { error: 'invalid_grant' } }));
    const { runtime, changes } = runtimeFor(oauth2(), {
      access_token: 'at-1',
      refresh_token: 'rt-1',
      client_secret: 'cs',
    });
    const failure = runtime.runAction('me', {});
    await expect(failure).rejects.toMatchObject({ code: 'SLUICE_AUTH_FAILED' });
    await expect(failure).rejects.toThrow(
      'connection.authorization.refresh: the token endpoint refused the request: 400 Bad Request (invalid_grant) from POST',
    );
    expect(changes).toEqual([]);
  });

  it('fails with SLUICE_AUTH_FAILED when there is no refresh token', async () => {
    api('at-2', () => ({ body: { access_token: 'at-2' } }));
    const { runtime } = runtimeFor(oauth2(), { client_secret: 'cs' });
    await expect(runtime.runAction('me', {})).rejects.toMatchObject({
      code: 'SLUICE_AUTH_FAILED',
      message: 'connection.refresh_token: missing, so the access token cannot be refreshed',
    });
    expect(authHeader(server.requests[0])).toBeUndefined();
  });

  it('uses the author refresh and refreshOn, with an http that applies no authorization', async () => {
    server.handle((request) => {
      if (request.path === '/renew') return { body: { token: 'at-9' } };
      return authHeader(request) === 'Bearer at-9'
        ? { body: { id: 1 } }
        : { status: 403, body: 'token expired' };
    });
    const { runtime } = runtimeFor(
      oauth2({
        refreshOn: [403, /expired/],
        refresh: async ({ http, refreshToken }) => {
          const body = await http.post<{ token: string }>('/renew', { refreshToken });
          return { access_token: body.token };
        },
      }),
      { access_token: 'at-1', refresh_token: 'rt-1', client_secret: 'cs' },
    );
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    expect(apiPaths()).toEqual(['GET /me', 'POST /renew', 'GET /me']);
    expect(JSON.parse(server.requests[1]?.body ?? '')).toEqual({ refreshToken: 'rt-1' });
    expect(authHeader(server.requests[1])).toBeUndefined();
  });

  it('refreshes on request through acquire()', async () => {
    api('at-2', () => ({ body: { access_token: 'at-2' } }));
    const { runtime, changes } = runtimeFor(oauth2(), {
      access_token: 'at-1',
      refresh_token: 'rt-1',
      client_secret: 'cs',
    });
    await runtime.acquire();
    expect(apiPaths()).toEqual(['POST /token']);
    expect(changes).toHaveLength(1);
    expect(runtime.connection.access_token).toBe('at-2');
  });
});

describe('custom_auth', () => {
  const custom = (extra: Partial<Extract<Authorization, { type: 'custom_auth' }>> = {}): Authorization => ({
    type: 'custom_auth',
    acquire: async ({ connection, http }) => {
      const body = await http.post<{ token: string }>('/session', { user: connection.username });
      return { session_token: body.token };
    },
    apply: ({ connection, request }) => request.headers({ 'X-Session': String(connection.session_token) }),
    ...extra,
  });

  let sessions = 0;
  /** An API whose sessions are `s-1`, `s-2`, ...; only the newest is valid. */
  function api(reject: () => { status: number; body: unknown }) {
    sessions = 0;
    server.handle((request) => {
      if (request.path === '/session') {
        sessions += 1;
        return { body: { token: `s-${sessions}` } };
      }
      return request.headers['x-session'] === `s-${sessions}` && sessions > 0
        ? { body: { id: 1 } }
        : reject();
    });
  }

  it('acquires on the first 401, merges the result into the connection and sends once more', async () => {
    api(() => ({ status: 401, body: {} }));
    const { runtime, changes } = runtimeFor(custom(), { username: 'ann' });
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    expect(apiPaths()).toEqual(['GET /me', 'POST /session', 'GET /me', 'GET /me']);
    expect(server.requests[1]?.headers['x-session']).toBeUndefined();
    expect(changes).toEqual([{ username: 'ann', session_token: 's-1' }]);
  });

  it('lets execute read the connection as authorization left it, after acquiring during the call', async () => {
    api(() => ({ status: 401, body: {} }));
    const connector = defineConnector({
      title: 'Auth test',
      connection: { baseUri: () => server.url, authorization: custom() },
      actions: {
        me: {
          execute: async (context) => {
            const before = context.connection.session_token ?? 'none';
            await context.http.get('/me');
            return { before, after: context.connection.session_token };
          },
        },
      },
    });
    const runtime = createConnectorRuntime(connector, { connection: { username: 'ann' } });
    await expect(runtime.runAction('me', {})).resolves.toEqual({ before: 'none', after: 's-1' });
  });

  it('acquires again when the whole body equals a refreshOn string', async () => {
    api(() => ({ status: 400, body: 'Session expired, log in again' }));
    const { runtime } = runtimeFor(custom({ refreshOn: 'Session expired, log in again' }), {
      username: 'ann',
      session_token: 'old',
    });
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    expect(runtime.connection.session_token).toBe('s-1');
  });

  it('acquires again when a success flagged by detectOn matches a refreshOn RegExp', async () => {
    api(() => ({ status: 200, body: { error: 'SESSION_EXPIRED' } }));
    const { runtime } = runtimeFor(custom({ detectOn: [/SESSION_EXPIRED/], refreshOn: /session_expired/i }), {
      username: 'ann',
    });
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    expect(apiPaths()).toEqual(['GET /me', 'POST /session', 'GET /me']);
  });

  it('does not acquire for a failure refreshOn does not match', async () => {
    api(() => ({ status: 404, body: {} }));
    const { runtime } = runtimeFor(custom({ refreshOn: 401 }), { username: 'ann' });
    await expect(runtime.runAction('me', {})).rejects.toMatchObject({ status: 404 });
    expect(apiPaths()).toEqual(['GET /me']);
  });

  it('acquires up front through acquire()', async () => {
    api(() => ({ status: 401, body: {} }));
    const { runtime } = runtimeFor(custom(), { username: 'ann' });
    await runtime.acquire();
    await runtime.runAction('me', {});
    expect(apiPaths()).toEqual(['POST /session', 'GET /me']);
  });

  it('fails with SLUICE_AUTH_FAILED when acquire fails or returns no values', async () => {
    server.handle((request) =>
      request.path === '/session' ? { status: 403, body: {} } : { status: 401, body: {} },
    );
    const failing = runtimeFor(custom(), { username: 'ann' }).runtime.runAction('me', {});
    await expect(failing).rejects.toMatchObject({ code: 'SLUICE_AUTH_FAILED' });
    await expect(failing).rejects.toThrow(
      /^connection\.authorization\.acquire: failed: 403 Forbidden \(POST http/,
    );
    const empty = runtimeFor(custom({ acquire: () => undefined as unknown as ConnectionValues })).runtime;
    await expect(empty.acquire()).rejects.toMatchObject({
      code: 'SLUICE_AUTH_FAILED',
      message:
        'connection.authorization.acquire: must return the values to merge into the connection (got undefined)',
    });
  });
});
