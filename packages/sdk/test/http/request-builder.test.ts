import { deflateSync, gzipSync } from 'node:zlib';
import {
  createHttpClient,
  type HttpClient,
  isSluiceError,
  RequestFailedError,
  type SluiceError,
} from '@sluice/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LoopbackServer, sendJson, startServer } from './loopback-server.js';

let server: LoopbackServer;
let http: HttpClient;

beforeAll(async () => {
  server = await startServer();
  http = createHttpClient({ baseUri: server.origin });
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
  server.handle((_req, res) => sendJson(res, 200, { ok: true }));
});

function last() {
  const req = server.received.at(-1);
  if (req === undefined) throw new Error('the server received nothing');
  return req;
}

/** What a request rejects with (builders are thenables, not promises: they have no `catch`). */
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

describe('RequestBuilder verbs', () => {
  it('sends every verb with its method, and a payload only where one is given', async () => {
    await http.get('/r');
    await http.head('/r');
    await http.options('/r');
    await http.post('/r', { a: 1 });
    await http.put('/r', { a: 2 });
    await http.patch('/r', { a: 3 });
    await http.delete('/r');
    expect(server.received.map((r) => [r.method, r.body.toString()])).toEqual([
      ['GET', ''],
      ['HEAD', ''],
      ['OPTIONS', ''],
      ['POST', '{"a":1}'],
      ['PUT', '{"a":2}'],
      ['PATCH', '{"a":3}'],
      ['DELETE', ''],
    ]);
  });

  it('resolves to the parsed JSON body, and to null for an empty body', async () => {
    server.handle((_req, res) => sendJson(res, 200, { customer: { id: 1234, name: 'John Smith' } }));
    await expect(http.get<{ customer: { id: number } }>('/v1/customers.json')).resolves.toEqual({
      customer: { id: 1234, name: 'John Smith' },
    });
    server.handle((_req, res) => res.writeHead(204).end());
    await expect(http.delete('/v1/customers/1')).resolves.toBeNull();
  });

  it('ignores a payload on GET and HEAD, which never carry a body', async () => {
    await http.get('/r').payload({ a: 1 });
    expect(last().body.length).toBe(0);
    expect(last().headers['content-type']).toBeUndefined();
  });
});

describe('RequestBuilder URL and params', () => {
  it('merges the query of the URL with params, arrays Rails-style and dates as ISO 8601', async () => {
    await http
      .get('/v1/customers.json?api_token=xyz', { id: 1234 })
      .params({ ids: [1, 2], since: new Date('2024-01-02T03:04:05Z'), filter: { status: 'open' } })
      .params({ id: 99 });
    expect(decodeURIComponent(last().url)).toBe(
      '/v1/customers.json?api_token=xyz&id=99&ids[]=1&ids[]=2&since=2024-01-02T03:04:05.000Z&filter[status]=open',
    );
  });

  it('resolves relative URLs against the base URI as a browser resolves links', async () => {
    const withPath = createHttpClient({ baseUri: `${server.origin}/api/` });
    await withPath.get('v1/x');
    expect(last().url).toBe('/api/v1/x');
    await withPath.get('/v1/x');
    expect(last().url).toBe('/v1/x');
    await http.get('v1/x');
    expect(last().url).toBe('/v1/x');
  });

  it('uses an absolute URL as it is, whatever the base URI', async () => {
    const other = createHttpClient({ baseUri: 'http://example.invalid' });
    await other.get(`${server.origin}/abs?q=1`);
    expect(last().url).toBe('/abs?q=1');
  });

  it('rejects a relative URL when there is no base URI, naming the URL', async () => {
    const err = await rejection(createHttpClient().get('/v1/customers.json'));
    expect(isSluiceError(err, 'SLUICE_HTTP_URL')).toBe(true);
    expect((err as SluiceError).message).toBe(
      'cannot send GET "/v1/customers.json": the URL is relative and there is no base URI',
    );
    expect((err as SluiceError).hint).toContain('baseUri');
  });

  it('rejects a URL with a scheme other than http and https', async () => {
    await expect(http.get('ftp://example.invalid/file')).rejects.toMatchObject({ code: 'SLUICE_HTTP_URL' });
  });

  it('throws SLUICE_HTTP_URL at once for a URL that is not a string', () => {
    expect(thrown(() => http.get(42 as unknown as string)).code).toBe('SLUICE_HTTP_URL');
  });

  it('resolves the same path against the base URI of each client, every time', async () => {
    // Resolved URLs are kept by base URI and URL: one base must never get another's answer.
    const api = createHttpClient({ baseUri: `${server.origin}/api/` });
    const v2 = createHttpClient({ baseUri: `${server.origin}/v2/` });
    for (let i = 0; i < 2; i += 1) {
      await api.get('x', { n: i });
      expect(last().url).toBe(`/api/x?n=${i}`);
      await v2.get('x', { n: i });
      expect(last().url).toBe(`/v2/x?n=${i}`);
      await http.get('x', { n: i });
      expect(last().url).toBe(`/x?n=${i}`);
    }
  });

  it('rejects a URL that does not resolve each time it is sent, not only the first', async () => {
    const request = createHttpClient().get('/relative');
    for (let i = 0; i < 2; i += 1) {
      expect(isSluiceError(await rejection(request), 'SLUICE_HTTP_URL')).toBe(true);
    }
    const badBase = createHttpClient({ baseUri: 'http://example.invalid' });
    for (let i = 0; i < 2; i += 1) {
      expect(isSluiceError(await rejection(badBase.get('http://[bad')), 'SLUICE_HTTP_URL')).toBe(true);
    }
  });

  it('sends the path and query of the URL, without its fragment', async () => {
    await http.get('/p%20q/r?a=1#frag', { b: 'x y' });
    expect(last().url).toBe('/p%20q/r?a=1&b=x%20y');
  });
});

describe('RequestBuilder headers and auth', () => {
  it('sends headers, later values replacing earlier ones whatever their case', async () => {
    await http
      .get('/r')
      .headers({ 'X-Trace': 1, 'content-type': 'a' })
      .headers({ 'Content-Type': 'text/plain' });
    expect(last().headers['x-trace']).toBe('1');
    expect(last().headers['content-type']).toBe('text/plain');
    expect(last().headers.accept).toBe('application/json');
  });

  it('sends user and password as basic auth', async () => {
    await http.get('/r').user('ann').password('pa:ss');
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from('ann:pa:ss').toString('base64')}`);
  });

  it('rejects invalid header names and values with SLUICE_HTTP_OPTION', () => {
    expect(thrown(() => http.get('/r').headers({ 'bad name': 'x' })).message).toBe(
      'headers() of GET /r: "bad name" is not a valid header name',
    );
    expect(thrown(() => http.get('/r').headers({ 'X-A': 'a\r\nX-B: b' })).code).toBe('SLUICE_HTTP_OPTION');
    expect(thrown(() => http.get('/r').headers({ 'X-A': {} as unknown as string })).code).toBe(
      'SLUICE_HTTP_OPTION',
    );
  });
});

describe('RequestBuilder request formats', () => {
  it('sends JSON with a content type only when there is a payload', async () => {
    await http.post('/r', { name: 'A', tags: ['x'] });
    expect(last().headers['content-type']).toBe('application/json');
    expect(JSON.parse(last().body.toString())).toEqual({ name: 'A', tags: ['x'] });
    await http.post('/r');
    expect(last().headers['content-type']).toBeUndefined();
  });

  it('merges object payloads and appends array payloads', async () => {
    await http.post('/r', { a: 1, b: 1 }).payload({ b: 2 });
    expect(JSON.parse(last().body.toString())).toEqual({ a: 1, b: 2 });
    await http.post('/r', [1]).payload([2]);
    expect(JSON.parse(last().body.toString())).toEqual([1, 2]);
  });

  it('sends XML built the Workato way', async () => {
    await http.post('/r', { '@id': 1, name: 'A', phone: ['1', '2'] }).requestFormatXml('customer');
    expect(last().headers['content-type']).toBe('application/xml');
    expect(last().body.toString()).toBe(
      '<customer id="1"><name>A</name><phone>1</phone><phone>2</phone></customer>',
    );
  });

  it('form-encodes nested payloads Rails-style', async () => {
    await http
      .post('/token', { grant_type: 'client_credentials', scope: 'a b', x: { y: [1] } })
      .requestFormatWwwFormUrlencoded();
    expect(last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(last().body.toString());
    expect([...form]).toEqual([
      ['grant_type', 'client_credentials'],
      ['scope', 'a b'],
      ['x[y][]', '1'],
    ]);
  });

  it('sends multipart bodies the server can parse, with file parts', async () => {
    await http
      .post('/upload', {
        title: 'T',
        file: Buffer.from('abc'),
        doc: { value: 'x', filename: 'a.txt', contentType: 'text/plain' },
      })
      .requestFormatMultipart();
    const req = last();
    const form = await new Response(req.body, {
      headers: { 'content-type': String(req.headers['content-type']) },
    }).formData();
    expect(form.get('title')).toBe('T');
    expect(await (form.get('file') as File).text()).toBe('abc');
    const doc = form.get('doc') as File;
    expect([doc.name, doc.type]).toEqual(['a.txt', 'text/plain']);
  });

  it('reports a payload that does not fit the format as SLUICE_HTTP_PAYLOAD', async () => {
    await expect(http.post('/r', [1]).requestFormatWwwFormUrlencoded()).rejects.toMatchObject({
      code: 'SLUICE_HTTP_PAYLOAD',
    });
    expect(server.received).toHaveLength(0);
  });
});

describe('RequestBuilder response formats', () => {
  const xml = '<customers><customer id="1"><name>A</name></customer></customers>';

  it('parses XML responses the Workato way', async () => {
    server.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(xml));
    await expect(http.get('/c.xml').responseFormatXml()).resolves.toEqual({
      customers: [{ customer: [{ '@id': '1', name: [{ 'content!': 'A' }] }] }],
    });
    expect(last().headers.accept).toBe('application/xml');
  });

  it('formatXml sets both directions', async () => {
    server.handle((_req, res) => res.writeHead(200).end(xml));
    const body = await http.post('/c', { name: 'A' }).formatXml('customer');
    expect(last().body.toString()).toBe('<customer><name>A</name></customer>');
    expect(body).toEqual({ customers: [{ customer: [{ '@id': '1', name: [{ 'content!': 'A' }] }] }] });
  });

  it('resolves to the text with responseFormatRaw', async () => {
    server.handle((_req, res) => res.writeHead(200).end('plain text'));
    await expect(http.get('/t').responseFormatRaw()).resolves.toBe('plain text');
  });

  it('decodes gzip and deflate responses', async () => {
    server.handle((req, res) => {
      const gzip = req.url === '/gzip';
      res.writeHead(200, { 'content-encoding': gzip ? 'gzip' : 'deflate' });
      res.end((gzip ? gzipSync : deflateSync)(JSON.stringify({ zipped: req.url })));
    });
    await expect(http.get('/gzip')).resolves.toEqual({ zipped: '/gzip' });
    await expect(http.get('/deflate')).resolves.toEqual({ zipped: '/deflate' });
  });

  it('raises SLUICE_HTTP_RESPONSE_FORMAT for a body that is not JSON, quoting its start', async () => {
    server.handle((_req, res) => res.writeHead(200).end('<html>hi</html>'));
    const err = (await rejection(http.get('/page'))) as SluiceError;
    expect(err.code).toBe('SLUICE_HTTP_RESPONSE_FORMAT');
    expect(err.message).toBe(`the response of GET ${server.origin}/page is not JSON: "<html>hi</html>"`);
  });
});

describe('RequestBuilder hooks', () => {
  it('runs afterResponse hooks in order, each getting the previous result', async () => {
    server.handle((_req, res) => sendJson(res, 201, { customer: { id: 7 } }));
    const seen: unknown[] = [];
    const id = await http
      .post('/c', { a: 1 })
      .afterResponse(({ body, status, headers, url }) => {
        seen.push(status, headers['content-type'], url);
        return (body as { customer: { id: number } }).customer;
      })
      .afterResponse(({ body }) => body.id);
    expect(id).toBe(7);
    expect(seen).toEqual([201, 'application/json', `${server.origin}/c`]);
  });

  it('passes a redirect that was not followed to afterResponse, its body as text when it is not JSON', async () => {
    server.handle((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end('Found. Redirecting'));
    const seen = await http
      .get('/old')
      .ignoreRedirects()
      .afterResponse(({ status, headers, body }) => [status, headers.location, body]);
    expect(seen).toEqual([302, '/elsewhere', 'Found. Redirecting']);
  });

  it('raises RequestFailedError with the response for an unhandled status of 400 or more', async () => {
    server.handle((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'x-request-id': 'r1' });
      res.end('{"error":"no such customer"}');
    });
    const err = await rejection(http.get('/v1/customers/9'));
    expect(err).toBeInstanceOf(RequestFailedError);
    const failed = err as RequestFailedError;
    expect(failed.message).toBe(`404 Not Found (GET ${server.origin}/v1/customers/9)`);
    expect(failed.code).toBe('SLUICE_HTTP_STATUS');
    expect([failed.status, failed.statusText, failed.method, failed.attempts]).toEqual([
      404,
      'Not Found',
      'GET',
      1,
    ]);
    expect(failed.url).toBe(`${server.origin}/v1/customers/9`);
    expect(failed.headers['x-request-id']).toBe('r1');
    expect(failed.body).toEqual({ error: 'no such customer' });
  });

  it('keeps the raw text as the error body when it does not decode', async () => {
    server.handle((_req, res) => res.writeHead(502).end('Bad gateway <b>oops</b>'));
    const err = (await rejection(http.get('/x'))) as RequestFailedError;
    expect(err.body).toBe('Bad gateway <b>oops</b>');
  });

  it('handles error responses with afterErrorResponse by status, string, RegExp and list', async () => {
    server.handle((_req, res) => sendJson(res, 429, { error: 'rate limit exceeded' }));
    const handled = (matcher: Parameters<ReturnType<HttpClient['get']>['afterErrorResponse']>[0]) =>
      http.get('/x').afterErrorResponse(matcher, ({ status, body, message }) => ({ status, body, message }));
    const expected = {
      status: 429,
      body: { error: 'rate limit exceeded' },
      message: `429 Too Many Requests (GET ${server.origin}/x)`,
    };
    await expect(handled(429)).resolves.toEqual(expected);
    await expect(handled('rate limit')).resolves.toEqual(expected);
    await expect(handled('Too Many Requests')).resolves.toEqual(expected);
    await expect(handled(/LIMIT/i)).resolves.toEqual(expected);
    await expect(handled([500, /exceeded/])).resolves.toEqual(expected);
    await expect(handled([500, 'nope'])).rejects.toBeInstanceOf(RequestFailedError);
  });

  it('uses the first matching afterErrorResponse handler, and rejects with what a handler throws', async () => {
    server.handle((_req, res) => sendJson(res, 401, { error: 'expired' }));
    const result = await http
      .get('/x')
      .afterErrorResponse(404, () => 'not found')
      .afterErrorResponse(401, () => 'first')
      .afterErrorResponse(/expired/, () => 'second');
    expect(result).toBe('first');
    const boom = new Error('boom');
    await expect(
      http.get('/x').afterErrorResponse(401, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  it('does not run afterErrorResponse handlers on success, nor afterResponse hooks on a handled error', async () => {
    const ok = await http.get('/x').afterErrorResponse(200, () => 'handled');
    expect(ok).toEqual({ ok: true });
    server.handle((_req, res) => sendJson(res, 500, {}));
    const calls: string[] = [];
    const out = await http
      .get('/x')
      .afterResponse(() => calls.push('after'))
      .afterErrorResponse(500, () => 'recovered');
    expect([out, calls]).toEqual(['recovered', []]);
  });

  it('rejects a bad matcher or a handler that is not a function with SLUICE_HTTP_OPTION', () => {
    expect(thrown(() => http.get('/x').afterErrorResponse([], () => 1)).code).toBe('SLUICE_HTTP_OPTION');
    expect(thrown(() => http.get('/x').afterErrorResponse(42, () => 1)).code).toBe('SLUICE_HTTP_OPTION');
    expect(thrown(() => http.get('/x').afterErrorResponse(404, 'x' as unknown as () => 1)).code).toBe(
      'SLUICE_HTTP_OPTION',
    );
    expect(thrown(() => http.get('/x').afterResponse(null as unknown as () => 1)).code).toBe(
      'SLUICE_HTTP_OPTION',
    );
  });
});

describe('RequestBuilder laziness and immutability', () => {
  it('sends nothing until awaited, and sends once per await', async () => {
    const request = http.get('/lazy');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.received).toHaveLength(0);
    await request;
    await request;
    expect(server.received.map((r) => r.url)).toEqual(['/lazy', '/lazy']);
  });

  it('leaves the original builder unchanged when chaining', async () => {
    const base = http.post('/r', { a: 1 }).params({ p: 1 }).headers({ 'X-A': '1' });
    const before = JSON.stringify(base.toSpec());
    const derived = base
      .params({ q: 2 })
      .payload({ b: 2 })
      .headers({ 'X-B': '2' })
      .user('u')
      .password('p')
      .formatXml('root')
      .timeout(5)
      .retry(2)
      .afterResponse(() => 'changed');
    expect(JSON.stringify(base.toSpec())).toBe(before);
    expect(derived.toSpec()).toMatchObject({
      params: { p: 1, q: 2 },
      payload: { a: 1, b: 2 },
      headers: { 'X-A': '1', 'X-B': '2' },
      user: 'u',
      requestFormat: 'xml',
      responseFormat: 'xml',
      xmlRoot: 'root',
      timeout: 5,
    });
    await base;
    expect(JSON.parse(last().body.toString())).toEqual({ a: 1 });
    expect(last().headers['x-b']).toBeUndefined();
  });

  it('keeps a copy of the values it was given, so later changes to them do not leak in', async () => {
    const params = { tags: ['a'] };
    const payload = { nested: { n: 1 } };
    const request = http.post('/r', payload).params(params);
    params.tags.push('b');
    payload.nested.n = 2;
    await request;
    expect(decodeURIComponent(last().url)).toBe('/r?tags[]=a');
    expect(JSON.parse(last().body.toString())).toEqual({ nested: { n: 1 } });
  });

  it('returns frozen plain data from toSpec', () => {
    const spec = http.get('/r', { a: { b: [1] } }).toSpec();
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.params)).toBe(true);
    expect(Object.isFrozen((spec.params.a as { b: number[] }).b)).toBe(true);
    expect(spec).toMatchObject({ method: 'GET', url: '/r', requestFormat: 'json', responseFormat: 'json' });
  });
});

describe('RequestBuilder timeout and cancellation', () => {
  it('rejects timeouts that are not a positive number of seconds', () => {
    for (const bad of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(thrown(() => http.get('/r').timeout(bad)).code).toBe('SLUICE_HTTP_OPTION');
    }
    expect(thrown(() => http.get('/r').timeout(-1)).message).toBe(
      'timeout() of GET /r: expected a positive number of seconds, got -1',
    );
  });

  it('fails with a read timeout when the server does not answer in time', async () => {
    server.handle(() => {
      // never answers; the server closes the connection at the end of the suite
    });
    const err = (await rejection(http.get('/slow').timeout(0.2))) as SluiceError;
    expect(err.code).toBe('SLUICE_HTTP_TIMEOUT');
  });

  it('rejects with the reason of the signal passed to send', async () => {
    server.handle(() => {});
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = http.get('/slow').send({ signal: controller.signal });
    await server.nextRequest();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('rejects the XML root name when it is not an XML name', () => {
    expect(thrown(() => http.post('/r').formatXml('1 bad')).code).toBe('SLUICE_HTTP_OPTION');
  });
});
