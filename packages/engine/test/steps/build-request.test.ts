import { describe, expect, it } from 'vitest';
import { ApiSpecShapeError, buildRequest } from '../../src/steps/http/build-request.js';

const KEY = '00000000-0000-5000-8000-000000000000';

describe('buildRequest', () => {
  it('appends params Rails-style to the query and adds the Idempotency-Key', () => {
    const req = buildRequest(
      { url: 'http://h/x?a=1', method: 'get', params: { ids: [1, 2], q: 'a b' }, headers: { 'X-N': 3 } },
      KEY,
    );
    expect(req).toEqual({
      method: 'GET',
      url: 'http://h/x?a=1&ids%5B%5D=1&ids%5B%5D=2&q=a%20b',
      headers: { 'X-N': '3', 'Idempotency-Key': KEY },
    });
  });

  it('sends json_body as JSON and data as a form when it is an object, raw when a string', () => {
    expect(buildRequest({ url: 'http://h/', method: 'POST', json_body: { a: [1] } }, KEY)).toMatchObject({
      body: '{"a":[1]}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(buildRequest({ url: 'http://h/', method: 'POST', data: { a: 'x y', b: 1 } }, KEY)).toMatchObject({
      body: 'a=x+y&b=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const raw = buildRequest(
      { url: 'http://h/', method: 'PUT', data: '<x/>', headers: { 'content-type': 'text/xml' } },
      KEY,
    );
    expect(raw.body).toBe('<x/>');
    expect(raw.headers).toEqual({ 'content-type': 'text/xml', 'Idempotency-Key': KEY });
  });

  it("keeps the author's own Idempotency-Key and a ready-made query string", () => {
    const req = buildRequest(
      { url: 'http://h/x', method: 'GET', params: '?a=1&b=2', headers: { 'idempotency-key': 'mine' } },
      KEY,
    );
    expect(req.url).toBe('http://h/x?a=1&b=2');
    expect(req.headers).toEqual({ 'idempotency-key': 'mine' });
  });

  it.each([
    ['X-A', 'a\r\nInjected: 1', 'the value of header X-A contains a line break (CR or LF) once rendered'],
    ['X-A', 'a\u0000', 'the value of header X-A contains a NUL character once rendered'],
    ['X-A', 'a\u0007', 'the value of header X-A contains the control character U+0007 once rendered'],
    [
      'X-A',
      '\u20ac',
      'the value of header X-A contains the character € (U+20AC, beyond Latin-1) once rendered',
    ],
    ['X\r\nB', 'x', '"X\\r\\nB" is not an HTTP header name'],
    ['X B', 'x', '"X B" is not an HTTP header name'],
  ])('refuses the header %j: %j that HTTP cannot carry, naming it', (name, value, message) => {
    const build = () => buildRequest({ url: 'http://h/', method: 'GET', headers: { [name]: value } }, KEY);
    expect(build).toThrow(ApiSpecShapeError);
    expect(build).toThrow(`apispec.headers: ${message}`);
  });

  it('sends Latin-1 and tab in header values, and a header named __proto__ as a header', () => {
    const headers = JSON.parse('{"__proto__": "p", "X-L": "caf\\u00e9\\tok"}') as object;
    const req = buildRequest({ url: 'http://h/', method: 'GET', headers }, KEY);
    expect(Object.entries(req.headers)).toEqual([
      ['__proto__', 'p'],
      ['X-L', 'café\tok'],
      ['Idempotency-Key', KEY],
    ]);
  });

  it('refuses a url or headers of the wrong shape, naming the field', () => {
    expect(() => buildRequest({ url: 42, method: 'GET' }, KEY)).toThrow(ApiSpecShapeError);
    expect(() => buildRequest({ url: 'http://h', method: 'GET', headers: ['a'] }, KEY)).toThrow(
      'apispec.headers: must render to an object, got a list',
    );
  });
});
