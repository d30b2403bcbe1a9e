import {
  createHttpClient,
  type HttpClientOptions,
  isSluiceError,
  type LogFn,
  type Logger,
  type RequestBuilder,
  RequestFailedError,
  type SluiceError,
} from '@sluice/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpTransport, WireRequest } from '../../src/http/transport.js';
import { type LoopbackServer, sendJson, startServer } from './loopback-server.js';

let server: LoopbackServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
  server.handle((_req, res) => sendJson(res, 200, { ok: true }));
});

async function rejection(request: PromiseLike<unknown>): Promise<unknown> {
  try {
    await request;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

function thrown(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string | undefined;
}

function capturingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string): LogFn =>
    (first: Record<string, unknown> | string, message?: string) => {
      if (typeof first === 'string') lines.push({ level, fields: {}, message: first });
      else lines.push({ level, fields: first, message });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

describe('createHttpClient prepare', () => {
  it('runs prepare once before each send, and sends what it returns without preparing it again', async () => {
    let calls = 0;
    const http = createHttpClient({
      baseUri: server.origin,
      prepare: (request) => {
        calls += 1;
        return request.headers({ 'X-Api-Key': `key-${calls}` }).params({ api_token: 'xyz' });
      },
    });
    const request = http.get('/v1/customers.json', { id: 1 });
    await request;
    await request;
    expect(calls).toBe(2);
    expect(server.received.map((r) => [r.url, r.headers['x-api-key']])).toEqual([
      ['/v1/customers.json?id=1&api_token=xyz', 'key-1'],
      ['/v1/customers.json?id=1&api_token=xyz', 'key-2'],
    ]);
    expect(request.toSpec().params).toEqual({ id: 1 });
    expect(request.toSpec().headers).toEqual({});
  });

  it('accepts an async prepare that sends its own requests first', async () => {
    server.handle((req, res) =>
      req.url === '/token'
        ? sendJson(res, 200, { token: 't-1' })
        : sendJson(res, 200, { auth: req.headers.authorization }),
    );
    let calls = 0;
    const http: ReturnType<typeof createHttpClient> = createHttpClient({
      baseUri: server.origin,
      prepare: async (request) => {
        calls += 1;
        if (request.toSpec().url === '/token') return request;
        const { token } = await http.post<{ token: string }>('/token');
        return request.headers({ Authorization: `Bearer ${token}` });
      },
    });
    await expect(http.get('/me')).resolves.toEqual({ auth: 'Bearer t-1' });
    expect(calls).toBe(2);
    expect(server.received.map((r) => r.url)).toEqual(['/token', '/me']);
  });

  it('does not send the request when prepare awaits it', async () => {
    const http = createHttpClient({
      baseUri: server.origin,
      prepare: async (request) => {
        await request;
        return request;
      },
    });
    await http.get('/once');
    expect(server.received).toHaveLength(1);
  });

  it('rejects with SLUICE_HTTP_OPTION when prepare returns something other than a builder', async () => {
    const http = createHttpClient({
      baseUri: server.origin,
      prepare: () => ({ not: 'a builder' }) as unknown as RequestBuilder<unknown>,
    });
    const err = (await rejection(http.get('/x'))) as SluiceError;
    expect(err.code).toBe('SLUICE_HTTP_OPTION');
    expect(err.message).toBe('prepare returned an object instead of a request builder (GET /x)');
    expect(server.received).toHaveLength(0);
  });
});

describe('createHttpClient around', () => {
  it('lets around refresh credentials and send once more after a 401', async () => {
    server.handle((req, res) =>
      req.headers.authorization === 'Bearer fresh'
        ? sendJson(res, 200, { me: 'ann' })
        : sendJson(res, 401, { error: 'expired' }),
    );
    let token = 'stale';
    const http = createHttpClient({
      baseUri: server.origin,
      prepare: (request) => request.headers({ Authorization: `Bearer ${token}` }),
      around: async (send) => {
        try {
          return await send();
        } catch (err) {
          if (!(err instanceof RequestFailedError) || err.status !== 401) throw err;
          token = 'fresh';
          return send();
        }
      },
    });
    await expect(http.get('/me')).resolves.toEqual({ me: 'ann' });
    expect(server.received.map((r) => r.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('runs afterErrorResponse handlers only after around has given up', async () => {
    server.handle((_req, res) => sendJson(res, 401, { error: 'expired' }));
    const events: string[] = [];
    const http = createHttpClient({
      baseUri: server.origin,
      around: async (send) => {
        try {
          return await send();
        } catch (err) {
          events.push(`around saw ${(err as RequestFailedError).status}`);
          return send();
        }
      },
    });
    const result = await http.get('/me').afterErrorResponse(401, ({ status }) => {
      events.push('handler');
      return status;
    });
    expect(result).toBe(401);
    expect(events).toEqual(['around saw 401', 'handler']);
    expect(server.received).toHaveLength(2);
  });
});

describe('createHttpClient detectOn', () => {
  const options = (extra: HttpClientOptions = {}): HttpClientOptions => ({
    baseUri: server.origin,
    detectOn: [/"error":\s*"invalid_token"/, '"SESSION EXPIRED"'],
    ...extra,
  });

  it('raises RequestFailedError for a 2xx whose body matches', async () => {
    server.handle((_req, res) => sendJson(res, 200, { error: 'invalid_token' }));
    const err = (await rejection(createHttpClient(options()).get('/x'))) as RequestFailedError;
    expect(err).toBeInstanceOf(RequestFailedError);
    expect([err.status, err.body, err.hint]).toEqual([
      200,
      { error: 'invalid_token' },
      "the response body matched the client's detectOn pattern",
    ]);
  });

  it('lets around and afterErrorResponse see a detected failure, and passes other bodies', async () => {
    server.handle((req, res) => res.writeHead(200).end(req.url === '/bad' ? '"SESSION EXPIRED"' : '"fine"'));
    let seen = 0;
    const http = createHttpClient(
      options({
        around: async (send) => {
          try {
            return await send();
          } catch (err) {
            seen += 1;
            throw err;
          }
        },
      }),
    );
    await expect(http.get('/bad').afterErrorResponse('EXPIRED', () => 'handled')).resolves.toBe('handled');
    expect(seen).toBe(1);
    await expect(http.get('/good')).resolves.toBe('fine');
  });
});

describe('createHttpClient logging and secrets', () => {
  it('logs each request and response at debug with secrets masked', async () => {
    const secret = 'sk-live-123456';
    server.handle((_req, res) => sendJson(res, 200, { echoed: secret }));
    const lines: LogLine[] = [];
    const http = createHttpClient({
      baseUri: server.origin,
      logger: capturingLogger(lines),
      secrets: [secret],
    });
    await http
      .post('/v1/x', { token: secret, note: 'hi' })
      .params({ api_token: secret })
      .headers({ 'X-Key': secret, Authorization: 'Bearer other' });
    const request = lines.find((l) => l.message === 'request');
    const response = lines.find((l) => l.message === 'response');
    expect(request?.level).toBe('debug');
    expect(request?.fields).toMatchObject({
      method: 'POST',
      url: `${server.origin}/v1/x?api_token=[secret]`,
      headers: { 'X-Key': '[secret]', Authorization: '[secret]' },
      body: '{"token":"[secret]","note":"hi"}',
    });
    expect(response?.fields).toMatchObject({ status: 200, attempts: 1, body: '{"echoed":"[secret]"}' });
    expect(typeof response?.fields.durationMs).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('masks the basic auth password and cuts logged bodies to 2 KB', async () => {
    const lines: LogLine[] = [];
    const http = createHttpClient({ baseUri: server.origin, logger: capturingLogger(lines) });
    await http
      .post('/big', { data: 'x'.repeat(5000), pw: 'hunter2-pass' })
      .user('u')
      .password('hunter2-pass');
    const body = String(lines.find((l) => l.message === 'request')?.fields.body);
    expect(body.startsWith('{"data":"xxx')).toBe(true);
    expect(body).toMatch(/\.\.\. \[5\d{3} characters in all\]$/);
    expect(body.length).toBeLessThan(2100);
    expect(JSON.stringify(lines)).not.toContain('hunter2-pass');
  });

  it('masks secrets in the URL of a RequestFailedError, but not in what afterResponse gets', async () => {
    server.handle((_req, res) => sendJson(res, 403, {}));
    const http = createHttpClient({ baseUri: server.origin, secrets: ['tok-98765'] });
    const err = (await rejection(http.get('/x', { api_token: 'tok-98765' }))) as RequestFailedError;
    expect(err.url).toBe(`${server.origin}/x?api_token=[secret]`);
    expect(err.message).not.toContain('tok-98765');
    server.handle((_req, res) => sendJson(res, 200, {}));
    const url = await http.get('/x', { api_token: 'tok-98765' }).afterResponse((response) => response.url);
    expect(url).toBe(`${server.origin}/x?api_token=tok-98765`);
  });

  it('masks secrets in the URL of a connection error, and of the retry error that wraps it', async () => {
    const closed = await startServer();
    const origin = closed.origin;
    await closed.close();
    const http = createHttpClient({ baseUri: origin, secrets: ['tok-98765'] });
    const plain = (await rejection(http.get('/x', { api_token: 'tok-98765' }))) as SluiceError;
    expect(plain.code).toBe('SLUICE_HTTP_CONNECT');
    expect(plain.message).toContain(`${origin}/x?api_token=[secret]`);
    const retried = (await rejection(
      http.get('/x', { api_token: 'tok-98765' }).retry({ total: 1 }),
    )) as SluiceError & { url: string; cause: SluiceError };
    expect(retried.code).toBe('SLUICE_HTTP_MAX_RETRIES');
    expect(retried.url).toBe(`${origin}/x?api_token=[secret]`);
    expect(`${retried.message} ${retried.stack} ${retried.cause.message}`).not.toContain('tok-98765');
  });
});

describe('createHttpClient signal and transport', () => {
  it('cancels requests when the client signal aborts, with its reason', async () => {
    server.handle(() => {});
    const controller = new AbortController();
    const http = createHttpClient({ baseUri: server.origin, signal: controller.signal });
    const pending = http.get('/slow').send({ signal: new AbortController().signal });
    await server.nextRequest();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(http.get('/after')).rejects.toBe(reason);
    expect(server.received.map((r) => r.url)).toEqual(['/slow']);
  });

  it('sends through the transport it is given', async () => {
    const sent: WireRequest[] = [];
    const transport: HttpTransport = {
      send: async (request) => {
        sent.push(request);
        return {
          status: 200,
          statusText: 'OK',
          headers: {},
          body: new TextEncoder().encode('{"fake":true}'),
        };
      },
    };
    const http = createHttpClient({ baseUri: 'https://api.example.invalid', transport });
    await expect(http.put('/v1/x', { a: 1 })).resolves.toEqual({ fake: true });
    expect(sent).toEqual([
      {
        method: 'PUT',
        url: 'https://api.example.invalid/v1/x',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: '{"a":1}',
      },
    ]);
  });
});

describe('createHttpClient retry', () => {
  it("retries under the client's policy, unless a request sets its own", async () => {
    let calls = 0;
    server.handle((_req, res) => {
      calls += 1;
      if (calls % 3 === 0) sendJson(res, 200, { calls });
      else sendJson(res, 503, { error: 'busy' });
    });
    const lines: LogLine[] = [];
    const http = createHttpClient({
      baseUri: server.origin,
      retry: { total: 2, status_forcelist: [503], backoff_factor: 0 },
      logger: capturingLogger(lines),
    });
    await expect(http.get('/flaky')).resolves.toEqual({ calls: 3 });
    expect(lines.find((l) => l.message === 'response')?.fields.attempts).toBe(3);
    const err = (await rejection(http.get('/flaky').retry({ total: 0 }))) as RequestFailedError;
    expect([err.status, err.attempts]).toEqual([503, 1]);
  });

  it('does not retry by default', async () => {
    server.handle((_req, res) => sendJson(res, 503, {}));
    const err = (await rejection(
      createHttpClient({ baseUri: server.origin }).get('/x'),
    )) as RequestFailedError;
    expect([err.status, err.attempts, server.received.length]).toEqual([503, 1, 1]);
  });
});

describe('createHttpClient options', () => {
  it('rejects an unknown option, naming it', () => {
    const err = thrown(() => createHttpClient({ baseURI: 'https://x' } as HttpClientOptions));
    expect(err.code).toBe('SLUICE_HTTP_OPTION');
    expect(err.message).toMatch(
      /^createHttpClient\(\) option baseURI: unknown option; known options are baseUri, /,
    );
  });

  it('rejects a base URI that is not an absolute http(s) URL', () => {
    expect(thrown(() => createHttpClient({ baseUri: '/relative' })).message).toBe(
      'createHttpClient() option baseUri: "/relative" is not an absolute http(s) URL',
    );
    expect(thrown(() => createHttpClient({ baseUri: 'ftp://h' })).code).toBe('SLUICE_HTTP_URL');
  });

  it('rejects options of the wrong type with SLUICE_HTTP_OPTION', () => {
    const bad: unknown[] = [
      { prepare: 'x' },
      { around: 1 },
      { detectOn: [] },
      { detectOn: {} },
      { secrets: 'one' },
      { signal: {} },
      { logger: {} },
      { transport: {} },
    ];
    for (const options of bad) {
      expect(thrown(() => createHttpClient(options as HttpClientOptions)).code).toBe('SLUICE_HTTP_OPTION');
    }
  });
});
