import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { HttpTransportError, isSluiceError } from '@sluice/sdk';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const routes = new Map<string, Handler>();
const sockets = new Set<Socket>();
let connections = 0;
let server: Server;
let base: string;
let closedPort: number;
const transport = createUndiciTransport({ keepAliveTimeoutMs: 1000 });

const text = 'hello, compressed world';
routes.set('/plain', (_req, res) => {
  res.setHeader('Set-Cookie', ['a=1', 'b=2']);
  res.setHeader('X-Many', ['one', 'two']);
  res.setHeader('Content-Type', 'text/plain');
  res.end('plain body');
});
routes.set('/echo', (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        method: req.method,
        auth: req.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      }),
    );
  });
});
routes.set('/target', (req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ url: req.url, host: req.headers.host }));
});
routes.set('/gzip', (_req, res) => {
  res.setHeader('Content-Encoding', 'gzip');
  res.end(gzipSync(text));
});
routes.set('/deflate', (_req, res) => {
  res.setHeader('Content-Encoding', 'deflate');
  res.end(deflateSync(text));
});
routes.set('/deflate-raw', (_req, res) => {
  res.setHeader('Content-Encoding', 'deflate');
  res.end(deflateRawSync(text));
});
routes.set('/br', (_req, res) => {
  res.setHeader('Content-Encoding', 'br');
  res.end(brotliCompressSync(text));
});
routes.set('/gzip-then-br', (_req, res) => {
  res.setHeader('Content-Encoding', 'gzip, br');
  res.end(brotliCompressSync(gzipSync(text)));
});
routes.set('/bad-gzip', (_req, res) => {
  res.setHeader('Content-Encoding', 'gzip');
  res.end('this is not gzip');
});
routes.set('/redirect', (_req, res) => {
  res.writeHead(302, { Location: '/plain' });
  res.end();
});
routes.set('/teapot', (_req, res) => {
  res.writeHead(418);
  res.end('short and stout');
});
routes.set('/reset', (req) => {
  req.socket.resetAndDestroy();
});
routes.set('/hang', () => {});
routes.set('/hang-body', (_req, res) => {
  res.writeHead(200, { 'Content-Length': '100' });
  res.write('partial');
});
routes.set('/truncated', (req, res) => {
  res.writeHead(200, { 'Content-Length': '100' });
  res.write('only ten b', () => req.socket.destroy());
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const handler = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (handler) handler(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  await transport.close?.();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const get = (path: string, options: { readTimeoutMs?: number; signal?: AbortSignal } = {}) =>
  transport.send({ method: 'GET', url: `${base}${path}`, headers: {} }, options);

async function failure(promise: Promise<unknown>): Promise<HttpTransportError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpTransportError);
  return err as HttpTransportError;
}

describe('createUndiciTransport', () => {
  it('returns the status, status text, lower-case headers and the body', async () => {
    const res = await get('/plain');
    expect(res.status).toBe(200);
    expect(res.statusText).toBe('OK');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['x-many']).toBe('one, two');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(Buffer.from(res.body).toString()).toBe('plain body');
  });

  it('sends the method, headers and body of the request', async () => {
    const res = await transport.send(
      { method: 'POST', url: `${base}/echo`, headers: { Authorization: 'Bearer t' }, body: 'a=1' },
      {},
    );
    expect(JSON.parse(Buffer.from(res.body).toString())).toEqual({
      method: 'POST',
      auth: 'Bearer t',
      body: 'a=1',
    });
    const bytes = await transport.send(
      { method: 'PUT', url: `${base}/echo`, headers: {}, body: new TextEncoder().encode('raw') },
      {},
    );
    expect(JSON.parse(Buffer.from(bytes.body).toString())).toMatchObject({ method: 'PUT', body: 'raw' });
  });

  it('sends the path and query of the URL, without its fragment, to its host and port', async () => {
    for (const [path, sent] of [
      ['/target', '/target'],
      ['/target?a=1&b=x%20y', '/target?a=1&b=x%20y'],
      ['/target?#frag', '/target'],
      ['/target?q=1#frag', '/target?q=1'],
    ] as const) {
      const res = await get(path);
      expect(JSON.parse(Buffer.from(res.body).toString())).toEqual({ url: sent, host: new URL(base).host });
    }
  });

  it('returns an empty body as zero bytes', async () => {
    const res = await get('/redirect');
    expect(res.body).toBeInstanceOf(Uint8Array);
    expect(res.body.byteLength).toBe(0);
  });

  it.each(['/gzip', '/deflate', '/deflate-raw', '/br', '/gzip-then-br'])(
    'decompresses a %s body',
    async (path) => {
      const res = await get(path);
      expect(Buffer.from(res.body).toString()).toBe(text);
    },
  );

  it('returns a redirect as it is, without following it', async () => {
    const res = await get('/redirect');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/plain');
  });

  it('returns error statuses as responses', async () => {
    const res = await get('/teapot');
    expect(res.status).toBe(418);
    expect(res.statusText).toBe("I'm a Teapot");
  });

  it('keeps connections alive between requests', async () => {
    await get('/plain');
    const before = connections;
    await get('/plain');
    await get('/plain');
    expect(connections).toBe(before);
  });

  it('raises a connect error when the port is closed', async () => {
    const err = await failure(
      transport.send({ method: 'POST', url: `http://127.0.0.1:${closedPort}/x`, headers: {} }, {}),
    );
    expect(err.kind).toBe('connect');
    expect(err.timedOut).toBe(false);
    expect(err.code).toBe('SLUICE_HTTP_CONNECT');
    expect(err.message).toBe(
      `connection refused by 127.0.0.1:${closedPort} (POST http://127.0.0.1:${closedPort}/x)`,
    );
  });

  it('raises a read error when the server resets the connection', async () => {
    const err = await failure(get('/reset'));
    expect(err.kind).toBe('read');
    expect(err.timedOut).toBe(false);
    expect(err.code).toBe('SLUICE_HTTP_READ');
    expect(err.message).toMatch(/^connection reset by 127\.0\.0\.1:\d+ before the response arrived \(GET /);
  });

  it('raises a connect error when the host name does not resolve', async () => {
    const err = await failure(
      transport.send(
        { method: 'GET', url: 'http://no-such-host.invalid/', headers: {} },
        { connectTimeoutMs: 2000 },
      ),
    );
    expect(err.kind).toBe('connect');
    expect(err.message).toMatch(/no-such-host\.invalid/);
  });

  it('raises a read timeout when the server never answers', async () => {
    const err = await failure(get('/hang', { readTimeoutMs: 150 }));
    expect(err.kind).toBe('read');
    expect(err.timedOut).toBe(true);
    expect(err.code).toBe('SLUICE_HTTP_TIMEOUT');
    expect(err.message).toMatch(/^read timed out after 150 ms \(GET /);
  });

  it('raises a read timeout when the body stalls', async () => {
    const err = await failure(get('/hang-body', { readTimeoutMs: 150 }));
    expect(err.kind).toBe('read');
    expect(err.timedOut).toBe(true);
  });

  it('raises a read error when the body is shorter than its Content-Length', async () => {
    const err = await failure(get('/truncated'));
    expect(err.kind).toBe('read');
    expect(err.timedOut).toBe(false);
  });

  it('raises an other error for a corrupt compressed body', async () => {
    const err = await failure(get('/bad-gzip'));
    expect(err.kind).toBe('other');
    expect(err.message).toMatch(/^cannot decode the gzip response body/);
  });

  it.each([
    ['not a url', /^invalid URL/],
    ['ftp://127.0.0.1/file', /^unsupported URL scheme ftp:/],
  ])('raises an other error for the URL %s', async (url, message) => {
    const err = await failure(transport.send({ method: 'GET', url, headers: {} }, {}));
    expect(err.kind).toBe('other');
    expect(err.code).toBe('SLUICE_HTTP_OTHER');
    expect(err.message).toMatch(message);
  });

  it('raises an other error for a header value it cannot send', async () => {
    const err = await failure(
      transport.send({ method: 'GET', url: `${base}/plain`, headers: { 'x-bad': 'a\nb' } }, {}),
    );
    expect(err.kind).toBe('other');
    expect(isSluiceError(err, 'SLUICE_HTTP_OTHER')).toBe(true);
  });

  it('rejects with the abort reason when the signal fires mid-request', async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const pending = get('/hang', { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });

  it('rejects with the abort reason when the signal already fired', async () => {
    const reason = new Error('too late');
    await expect(get('/plain', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('can be closed twice and opens fresh pools when used again', async () => {
    const own = createUndiciTransport({ connections: 2 });
    await own.send({ method: 'GET', url: `${base}/plain`, headers: {} }, { connectTimeoutMs: 1000 });
    await own.close?.();
    await own.close?.();
    const res = await own.send({ method: 'GET', url: `${base}/plain`, headers: {} }, {});
    expect(res.status).toBe(200);
    await own.close?.();
  });
});
