import { type Authorization, type ConnectionValues, defineConnector, type Logger } from '@sluice/sdk';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

// The Workato gem's rules: connection.rb `Authorization#refresh?` / `#reauthorizable?`, request.rb
// `#authorized` / `#detect_auth_error!`.
let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

function runtimeFor(authorization: Authorization, connection: ConnectionValues = {}, logger?: Logger) {
  const connector = defineConnector({
    title: 'Workato auth',
    connection: { baseUri: () => server.url, authorization },
    actions: {
      me: { execute: ({ http }) => http.get('/me') },
      create: { execute: ({ http }) => http.post('/items', { name: 'a' }) },
    },
  });
  return createConnectorRuntime(connector, { connection, ...(logger ? { logger } : {}) });
}

const paths = () => server.requests.map((r) => `${r.method} ${r.path}`);

/** `/session` hands out `sid-1`, `sid-2`, ...; `/me` and `/items` answer `answer` unless the session is the newest. */
function sessionApi(answer: () => { status: number; body: unknown }) {
  let sessions = 0;
  server.handle((request) => {
    if (request.path === '/session') {
      sessions += 1;
      return { body: { sid: `sid-${sessions}` } };
    }
    return request.headers['x-sid'] === `sid-${sessions}` && sessions > 0 ? { body: { id: 1 } } : answer();
  });
}

const withAcquire = (extra: Record<string, unknown> = {}): Authorization =>
  ({
    type: 'custom_auth',
    acquire: async ({ http }) => ({ sid: (await http.post<{ sid: string }>('/session', {})).sid }),
    apply: ({ connection, request }) => request.headers({ 'X-Sid': String(connection.sid ?? 'none') }),
    ...extra,
  }) as Authorization;

describe('custom_auth with only apply', () => {
  it('sends what the connection holds and never re-authorizes', async () => {
    server.handle(() => ({ status: 401, body: { error: 'nope' } }));
    const runtime = runtimeFor(
      {
        type: 'custom_auth',
        apply: ({ connection, request }) => request.headers({ 'X-Sid': String(connection.sid) }),
      },
      { sid: 'fixed' },
    );
    await expect(runtime.runAction('me', {})).rejects.toMatchObject({ status: 401 });
    expect(paths()).toEqual(['GET /me']);
    expect(server.requests[0]?.headers['x-sid']).toBe('fixed');
  });
});

describe('re-authorization without refreshOn', () => {
  it('acquires and sends once more after any failed response, a 500 on a POST included', async () => {
    sessionApi(() => ({ status: 500, body: { error: 'boom' } }));
    const runtime = runtimeFor(withAcquire());
    await expect(runtime.runAction('create', {})).resolves.toEqual({ id: 1 });
    expect(paths()).toEqual(['POST /items', 'POST /session', 'POST /items']);
  });

  it('gives up after the one retry', async () => {
    server.handle((request) =>
      request.path === '/session' ? { body: { sid: 'x' } } : { status: 403, body: {} },
    );
    const runtime = runtimeFor(withAcquire());
    await expect(runtime.runAction('me', {})).rejects.toMatchObject({ status: 403 });
    expect(paths()).toEqual(['GET /me', 'POST /session', 'GET /me']);
  });

  it('lets api_key acquire too', async () => {
    sessionApi(() => ({ status: 401, body: {} }));
    const runtime = runtimeFor({ ...withAcquire(), type: 'api_key' } as Authorization);
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    expect(runtime.connection.sid).toBe('sid-1');
  });
});

describe('refreshOn and detectOn strings match as the gem does', () => {
  it('matches a string refreshOn against the whole "401 Unauthorized" message, not a part of it', async () => {
    sessionApi(() => ({ status: 401, body: { error: 'expired' } }));
    const whole = runtimeFor(withAcquire({ refreshOn: ['401 Unauthorized'] }));
    await expect(whole.runAction('me', {})).resolves.toEqual({ id: 1 });
    const part = runtimeFor(withAcquire({ refreshOn: ['Unauthorized'] }));
    await expect(part.runAction('me', {})).rejects.toMatchObject({ status: 401 });
  });

  it('matches a string refreshOn against the whole body, a RegExp against part of it', async () => {
    sessionApi(() => ({ status: 400, body: 'token expired' }));
    const part = runtimeFor(withAcquire({ refreshOn: ['expired'] }));
    await expect(part.runAction('me', {})).rejects.toMatchObject({ status: 400 });
    const regexp = runtimeFor(withAcquire({ refreshOn: [/expired/] }));
    await expect(regexp.runAction('me', {})).resolves.toEqual({ id: 1 });
  });

  it('flags a success whose whole body equals a detectOn string, and re-acquires for it', async () => {
    server.handle((request) => {
      if (request.path === '/session') return { body: { sid: 'good' } };
      return request.headers['x-sid'] === 'good' ? { body: { id: 1 } } : { body: { status: 'EXPIRED' } };
    });
    const runtime = runtimeFor(withAcquire({ detectOn: ['{"status":"EXPIRED"}'] }));
    await expect(runtime.runAction('me', {})).resolves.toEqual({ id: 1 });
    const partial = runtimeFor(withAcquire({ detectOn: ['EXPIRED'] }));
    await expect(partial.runAction('me', {})).resolves.toEqual({ status: 'EXPIRED' });
  });
});

describe('acquired values are secrets', () => {
  it('lists them in secrets() and logs the acquire exchange only once they are known', async () => {
    sessionApi(() => ({ status: 401, body: {} }));
    const lines: string[] = [];
    let runtime: ReturnType<typeof runtimeFor> | undefined;
    const write = (fields: unknown, message?: string) => {
      let line = `${message ?? ''} ${JSON.stringify(fields)}`;
      for (const secret of runtime?.secrets() ?? []) line = line.replaceAll(secret, '[secret]');
      lines.push(line);
    };
    const logger: Logger = {
      debug: write,
      info: write,
      warn: write,
      error: write,
      child: () => logger,
    };
    runtime = runtimeFor(withAcquire(), {}, logger);
    await runtime.runAction('me', {});
    expect(runtime.secrets()).toContain('sid-1');
    expect(lines.join('\n')).not.toContain('sid-1');
    expect(lines.some((line) => line.includes('[secret]'))).toBe(true);
  });
});
