import { createHttpClient, MaxRetryError } from '@sluice/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoopbackServer, sendJson, startServer } from './loopback-server.js';

let server: LoopbackServer;
beforeEach(async () => {
  server = await startServer();
  // `/to/<status>` redirects to `/done` with that status; `/loop` redirects to itself.
  server.handle((req, res) => {
    const redirect = /^\/to\/(\d{3})/.exec(req.url);
    if (redirect !== null) return res.writeHead(Number(redirect[1]), { location: '/done' }).end();
    if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    return sendJson(res, 200, { method: req.method, body: req.body.toString() });
  });
});
afterEach(async () => {
  await server.close();
});

const paths = () => server.received.map((r) => `${r.method} ${r.url}`);

describe('redirects of a request without a retry policy', () => {
  it('follows 301, 302, 307 and 308 for GET by default', async () => {
    const http = createHttpClient({ baseUri: server.origin });
    for (const status of [301, 302, 307, 308]) {
      await expect(http.get(`/to/${status}`)).resolves.toEqual({ method: 'GET', body: '' });
    }
    expect(paths().filter((p) => p === 'GET /done')).toHaveLength(4);
  });

  it('follows them for HEAD by default', async () => {
    const http = createHttpClient({ baseUri: server.origin });
    await http.head('/to/302').responseFormatRaw();
    expect(paths()).toEqual(['HEAD /to/302', 'HEAD /done']);
  });

  it('returns a 302 to a POST as it is, but follows a 303 as a GET without the body', async () => {
    const http = createHttpClient({ baseUri: server.origin });
    const status = await http
      .post('/to/302', { a: 1 })
      .afterResponse(({ status: code, headers }) => [code, headers.location]);
    expect(status).toEqual([302, '/done']);
    await expect(http.post('/to/303', { a: 1 })).resolves.toEqual({ method: 'GET', body: '' });
    expect(paths()).toEqual(['POST /to/302', 'POST /to/303', 'GET /done']);
  });

  it('follows a 307 for a POST with followRedirects(), keeping method and body', async () => {
    const http = createHttpClient({ baseUri: server.origin });
    await expect(http.post('/to/307', { a: 1 }).followRedirects()).resolves.toEqual({
      method: 'POST',
      body: '{"a":1}',
    });
  });

  it('returns the 3xx of a GET with ignoreRedirects(), even with a retry policy', async () => {
    const http = createHttpClient({ baseUri: server.origin });
    const plain = await http
      .get('/to/301')
      .ignoreRedirects()
      .afterResponse(({ status }) => status);
    const retried = await http
      .get('/to/301')
      .retry(2)
      .ignoreRedirects()
      .afterResponse(({ status }) => status);
    expect([plain, retried]).toEqual([301, 301]);
    expect(paths()).toEqual(['GET /to/301', 'GET /to/301']);
  });

  it('gives up after 10 hops with MaxRetryError (reason redirect)', async () => {
    const http = createHttpClient({ baseUri: server.origin });
    const err = await http.get('/loop').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MaxRetryError);
    expect(err).toMatchObject({ reason: 'redirect', attempts: 11 });
    expect(server.received).toHaveLength(11);
  });

  it('keeps the original builder unchanged', () => {
    const http = createHttpClient({ baseUri: server.origin });
    const base = http.get('/x');
    const follow = base.followRedirects();
    expect([
      base.toSpec().redirects,
      follow.toSpec().redirects,
      follow.ignoreRedirects().toSpec().redirects,
    ]).toEqual([undefined, 'follow', 'ignore']);
  });
});
