/**
 * Hostile requests against a real engine and API listening on loopback: ONE table, each row a request
 * and what it must answer. Whatever the row, the answer is no 500, an error answer has the API's shape
 * `{"error": {"code", "message", "details"}}`, and no answer names a file or folder of the server.
 * Adding an attack is adding a row. The table runs on SQLite, and on PostgreSQL too with
 * `SLUICE_TEST_PG_URL`.
 */
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, flow, useApiHarness } from '../api/harness.js';
import { type RawResponse, sendRaw } from '../helpers/raw-http.js';
import { DIALECTS } from '../store/dialects.js';

/** Whose key the request carries: a member of acme, a member of globex, or none. */
type Who = 'acme' | 'globex' | 'none';

type Vars = Record<string, string>;

interface Attack {
  name: string;
  /** Prepares what the request names; the values fill `{name}` placeholders in the path and body. */
  setup?: (h: ApiHarness) => Promise<Vars>;
  /** @default 'GET' */
  method?: string;
  path: string;
  /** @default 'acme' */
  who?: Who;
  headers?: Record<string, string>;
  /** Text is sent as it is (with the row's content type, JSON by default); anything else as JSON. */
  body?: unknown;
  /** The whole request, for what is not a well-formed one; `{host}` and `{key}` are filled in. */
  raw?: string;
  status: number;
  /** The `error.code` of an error answer. */
  code?: string;
  /** More checks on the parsed answer. */
  check?: (body: Record<string, unknown>) => void;
  /** It answered 500, naming the database file, before issue 12: its log lines are checked too. */
  was500?: true;
}

/** A step name only acme's private first version has: no answer to globex may contain it. */
const PRIVATE_MARK = 'acme_private_only';

const nested = (depth: number, leaf = '1') => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function publish(h: ApiHarness, key: string, doc: object, uid?: string): Promise<string> {
  const res =
    uid === undefined
      ? await h.call(key, 'POST', '/v1/workflows', doc)
      : await h.call(key, 'PUT', `/v1/workflows/${uid}`, doc);
  expect(res.status, JSON.stringify(res.body)).toBe(uid === undefined ? 201 : 200);
  return res.body.uid as string;
}

/** A workflow of acme (scope workspace). */
async function acmeWorkflow(h: ApiHarness): Promise<Vars> {
  return { uid: await publish(h, h.keys.acmeMember, flow(h.server, 'acme-flow', ['a'])) };
}

/** Versions of one acme workflow with these scopes, in order; version 1 has the private mark. */
function versions(...scopes: ('workspace' | 'global')[]): (h: ApiHarness) => Promise<Vars> {
  return async (h) => {
    let uid: string | undefined;
    for (const [i, scope] of scopes.entries()) {
      const steps = i === 0 ? [PRIVATE_MARK] : [`v${i + 1}`];
      uid = await publish(h, h.keys.acmeAdmin, flow(h.server, 'shared-flow', steps, { scope }), uid);
    }
    return { uid: uid as string };
  };
}

/** An acme workflow and a run of it. */
async function acmeRun(h: ApiHarness): Promise<Vars> {
  const { uid = '' } = await acmeWorkflow(h);
  const run = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, {});
  expect(run.status).toBe(202);
  return { uid, run: run.body.id as string };
}

const versionList = (body: Record<string, unknown>) =>
  (body.versions as { version: number }[]).map((v) => v.version);

const ATTACKS: readonly Attack[] = [
  // Numbers in query strings (issue 12, item 6): decimal integers in range, or 400.
  {
    name: 'limit=Infinity on runs',
    path: '/v1/runs?limit=Infinity',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
    was500: true,
  },
  {
    name: 'limit=Infinity on workflows',
    path: '/v1/workflows?limit=Infinity',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
    was500: true,
  },
  { name: 'limit=-Infinity', path: '/v1/runs?limit=-Infinity', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'limit=1e400 (Infinity once read)',
    path: '/v1/workflows?limit=1e400',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
    was500: true,
  },
  { name: 'limit=NaN', path: '/v1/runs?limit=NaN', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  { name: 'a negative limit', path: '/v1/runs?limit=-1', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  { name: 'limit=0', path: '/v1/workflows?limit=0', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'a limit over the page size',
    path: '/v1/runs?limit=101',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a 20-digit limit',
    path: '/v1/runs?limit=99999999999999999999',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  { name: 'a fractional limit', path: '/v1/runs?limit=1.5', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  { name: 'a hexadecimal limit', path: '/v1/runs?limit=0x10', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'a limit in exponent form',
    path: '/v1/runs?limit=1e1',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  { name: 'a limit with a space', path: '/v1/runs?limit=%205', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  { name: 'an empty limit', path: '/v1/runs?limit=', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  { name: 'a repeated limit', path: '/v1/runs?limit=1&limit=2', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'version=Infinity',
    setup: acmeWorkflow,
    path: '/v1/workflows/{uid}?version=Infinity',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
    was500: true,
  },
  {
    name: 'a version past PostgreSQL integers',
    setup: acmeWorkflow,
    path: '/v1/workflows/{uid}?version=2147483648',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
    was500: true,
  },
  {
    name: 'version=0',
    setup: acmeWorkflow,
    path: '/v1/workflows/{uid}?version=0',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'the largest version, which does not exist',
    setup: acmeWorkflow,
    path: '/v1/workflows/{uid}?version=2147483647',
    status: 404,
    code: 'SLUICE_API_NOT_FOUND',
  },
  // Other query parameters.
  { name: 'an unknown status', path: '/v1/runs?status=done', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'a repeated status',
    path: '/v1/runs?status=pending&status=failed',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a bracketed array parameter',
    path: '/v1/runs?status[]=failed',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  { name: 'an unknown parameter', path: '/v1/runs?admin=true', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'a workflow filter with a path in it',
    path: '/v1/runs?workflow=..%2F..%2Fetc%2Fpasswd',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a cursor that is no cursor',
    path: '/v1/runs?cursor=nope',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a cursor holding NUL',
    path: `/v1/runs?cursor=${cursor(['\u0000', 'x'])}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a workflows cursor holding NUL',
    path: `/v1/workflows?cursor=${cursor(['a\u0000', 'b'])}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a cursor of numbers',
    path: `/v1/workflows?cursor=${cursor([1, 2])}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a cursor of __proto__',
    path: `/v1/workflows?cursor=${Buffer.from('{"__proto__":{"x":1}}').toString('base64url')}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a cursor over 1024 characters',
    path: `/v1/runs?cursor=${'a'.repeat(2000)}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  // Path parameters.
  {
    name: 'path traversal in a uid',
    path: '/v1/workflows/..%2F..%2Fetc%2Fpasswd',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'path traversal in a run id',
    path: '/v1/runs/..%2F..%2F',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  { name: 'a NUL byte in a uid', path: '/v1/workflows/a%00b', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  { name: 'a NUL byte in a run id', path: '/v1/runs/%00', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  { name: 'a unicode uid', path: '/v1/workflows/%E2%98%83', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'a uid that is not UTF-8 once decoded',
    path: '/v1/workflows/%E0%A4%A',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  { name: 'a lone percent sign', path: '/v1/runs/%', status: 400, code: 'SLUICE_API_BAD_REQUEST' },
  {
    name: 'a uid of 128 characters (the longest)',
    path: `/v1/workflows/${'u'.repeat(128)}`,
    status: 404,
    code: 'SLUICE_API_NOT_FOUND',
  },
  {
    name: 'a webhook secret holding NUL',
    setup: acmeWorkflow,
    who: 'none',
    method: 'POST',
    path: '/v1/hooks/{uid}/%00',
    body: {},
    status: 404,
    code: 'SLUICE_API_NOT_FOUND',
  },
  {
    name: 'a webhook uid holding NUL',
    who: 'none',
    method: 'POST',
    path: '/v1/hooks/%00/secret',
    body: {},
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  // Issue 12, item 8: Fastify's own 414 and Node's 431 answer in the API's shape.
  {
    name: 'a uid of 129 characters',
    path: `/v1/workflows/${'u'.repeat(129)}`,
    status: 414,
    code: 'SLUICE_API_URI_TOO_LONG',
  },
  {
    name: 'a run id of 10,000 characters',
    method: 'POST',
    path: `/v1/runs/${'r'.repeat(10_000)}/cancel`,
    status: 414,
    code: 'SLUICE_API_URI_TOO_LONG',
  },
  {
    name: 'a header of 20 KB',
    path: '/v1/workflows',
    headers: { 'x-padding': 'p'.repeat(20_000) },
    status: 431,
    code: 'SLUICE_API_HEADERS_TOO_LARGE',
  },
  {
    name: 'a query string of 20 KB',
    path: `/v1/runs?cursor=${'c'.repeat(20_000)}`,
    status: 431,
    code: 'SLUICE_API_HEADERS_TOO_LARGE',
  },
  {
    name: '5,000 headers',
    path: '/v1/runs',
    headers: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`x-h${i}`, 'v'])),
    status: 431,
    code: 'SLUICE_API_HEADERS_TOO_LARGE',
  },
  // Requests Node's parser refuses.
  {
    name: 'an HTTP/1.1 request without Host',
    raw: 'GET /v1/runs HTTP/1.1\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n',
    path: '',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a request line that is no HTTP',
    raw: 'GARBAGE\r\n\r\n',
    path: '',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a Content-Length that is no number',
    raw: 'POST /v1/workflows HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\n{}',
    path: '',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'Content-Length and chunked together (request smuggling)',
    raw:
      'POST /v1/workflows HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    path: '',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'an Expect header other than 100-continue',
    path: '/v1/runs',
    headers: { expect: 'teapot' },
    status: 417,
    code: 'SLUICE_API_EXPECTATION',
  },
  // Keys.
  { name: 'no key', who: 'none', path: '/v1/runs', status: 401, code: 'SLUICE_API_UNAUTHORIZED' },
  {
    name: 'a 10 KB bearer token',
    who: 'none',
    path: '/v1/runs',
    headers: { authorization: `Bearer ${'k'.repeat(10_000)}` },
    status: 401,
    code: 'SLUICE_API_UNAUTHORIZED',
  },
  {
    name: "another workspace's run",
    setup: acmeRun,
    who: 'globex',
    path: '/v1/runs/{run}',
    status: 404,
    code: 'SLUICE_API_NOT_FOUND',
  },
  {
    name: "cancelling another workspace's run",
    setup: acmeRun,
    who: 'globex',
    method: 'POST',
    path: '/v1/runs/{run}/cancel',
    status: 404,
    code: 'SLUICE_API_NOT_FOUND',
  },
  // Bodies (issue 12, item 6: a deep input answered 500 naming the database file).
  {
    name: 'a run input nested 5,000 levels',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: `{"input": ${nested(5000)}}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
    check: (body) => expect(body).toMatchObject({ error: { details: { limit: 1000 } } }),
    was500: true,
  },
  {
    name: 'a body nested 1,001 levels (one over the limit)',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: `{"input": ${nested(1000)}}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a body nested 1,000 levels (the limit)',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: `{"input": ${nested(999)}}`,
    status: 202,
  },
  {
    name: 'brackets inside a string, which nest nothing',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: { input: `\\"${'['.repeat(5000)}` },
    status: 202,
  },
  {
    name: 'a workflow document nested 5,000 levels',
    method: 'POST',
    path: '/v1/workflows',
    body: `{"name": "deep", "steps": [], "x": ${nested(5000)}}`,
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a YAML workflow document nested 5,000 levels',
    method: 'POST',
    path: '/v1/workflows',
    headers: { 'content-type': 'application/yaml' },
    body: `name: deep\nsteps: []\nx: ${nested(5000)}\n`,
    status: 400,
    code: 'SLUICE_WORKFLOW_PARSE',
  },
  {
    name: 'a NUL character in a workflow name',
    method: 'POST',
    path: '/v1/workflows',
    body: { name: 'a\u0000b', steps: [{ name: 'a', apispec: { url: 'https://example.test/a' } }] },
    status: 400,
    code: 'SLUICE_WORKFLOW_INVALID',
  },
  {
    name: 'a NUL character in a connection name',
    method: 'POST',
    path: '/v1/connections',
    body: { name: 'crm\u0000', connector: 'crm', values: {} },
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a NUL character in a connector name',
    method: 'POST',
    path: '/v1/connections',
    body: { name: 'crm', connector: 'crm\u0000', values: { 'k\u0000': 'v\u0000' } },
    status: 400,
    code: 'SLUICE_CONNECTION',
  },
  {
    name: 'a NUL character in a run input',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: { input: { note: 'a\u0000b', 'k\u0000': 1 } },
    status: 202,
  },
  {
    name: 'a lone surrogate in a run input',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: '{"input": "\\ud800"}',
    status: 202,
  },
  {
    name: 'a huge JSON number as input',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: '{"input": 1e999999}',
    status: 202,
  },
  {
    name: 'a __proto__ key in a body',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: '{"input": {"__proto__": {"admin": true}}}',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a constructor.prototype key in a body',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: '{"input": {"constructor": {"prototype": {"admin": true}}}}',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a JSON array where an object is expected',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: [1, 2],
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'an unknown body field',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: { input: {}, workspace_id: 'globex' },
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'JSON that does not parse',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: '{"input": ',
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a body as text/plain',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    headers: { 'content-type': 'text/plain' },
    body: '{"input": {}}',
    status: 415,
    code: 'SLUICE_API_MEDIA_TYPE',
  },
  {
    name: 'a body over 1 MB',
    setup: acmeWorkflow,
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: { input: 'x'.repeat(1_100_000) },
    status: 413,
    code: 'SLUICE_API_BODY_TOO_LARGE',
  },
  {
    name: 'an If-Match that is no version',
    setup: acmeWorkflow,
    method: 'PUT',
    path: '/v1/workflows/{uid}',
    headers: { 'if-match': '"1" OR 1=1' },
    body: { name: 'acme-flow', steps: [{ name: 'a', apispec: { url: 'https://example.test/a' } }] },
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  // Issue 12, item 7: a workflow republished as global keeps its private versions private.
  {
    name: 'reading the private version 1 of a workflow now global, from another workspace',
    setup: versions('workspace', 'global'),
    who: 'globex',
    path: '/v1/workflows/{uid}?version=1',
    status: 404,
    code: 'SLUICE_API_NOT_FOUND',
  },
  {
    name: 'listing the versions of a workflow now global, from another workspace (global ones only)',
    setup: versions('workspace', 'global'),
    who: 'globex',
    path: '/v1/workflows/{uid}/versions',
    status: 200,
    check: (body) => expect(versionList(body)).toEqual([2]),
  },
  {
    name: 'a private version between two global ones stays private',
    setup: versions('global', 'workspace', 'global'),
    who: 'globex',
    path: '/v1/workflows/{uid}/versions',
    status: 200,
    check: (body) => expect(versionList(body)).toEqual([3, 1]),
  },
  {
    name: 'a global version 1 of a workflow now private, from another workspace',
    setup: versions('global', 'workspace'),
    who: 'globex',
    path: '/v1/workflows/{uid}?version=1',
    status: 404,
    code: 'SLUICE_API_NOT_FOUND',
  },
  {
    name: 'the global version of a workflow republished as global, from another workspace',
    setup: versions('workspace', 'global'),
    who: 'globex',
    path: '/v1/workflows/{uid}?version=2',
    status: 200,
  },
  {
    name: 'the private version 1, from its own workspace',
    setup: versions('workspace', 'global'),
    path: '/v1/workflows/{uid}?version=1',
    status: 200,
    check: (body) => expect(JSON.stringify(body)).toContain(PRIVATE_MARK),
  },
  {
    name: 'starting a run pinned to the private version (query)',
    setup: versions('workspace', 'global'),
    who: 'globex',
    method: 'POST',
    path: '/v1/workflows/{uid}/runs?version=1',
    body: {},
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'starting a run pinned to the private version (body)',
    setup: versions('workspace', 'global'),
    who: 'globex',
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: { version: 1, workflow_version: 1 },
    status: 400,
    code: 'SLUICE_API_BAD_REQUEST',
  },
  {
    name: 'a run of a workflow republished as global runs the global version',
    setup: versions('workspace', 'global'),
    who: 'globex',
    method: 'POST',
    path: '/v1/workflows/{uid}/runs',
    body: {},
    status: 202,
    check: (body) => expect(body).toMatchObject({ workflow_version: 2 }),
  },
];

/** Text that would give away where the server keeps its files, or a stack trace. */
function serverPaths(h: ApiHarness): (string | RegExp)[] {
  const engineDir = fileURLToPath(new URL('../../', import.meta.url));
  return [h.dir, process.cwd(), engineDir, 'node_modules', 'sluice.db', /\.[cm]?[jt]s:\d+/];
}

/** Fails when `text` names a path of {@link serverPaths}. */
export function expectNoServerPath(h: ApiHarness, text: string): void {
  for (const path of serverPaths(h)) {
    if (typeof path === 'string') expect(text).not.toContain(path);
    else expect(text).not.toMatch(path);
  }
}

function fill(text: string, vars: Vars): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

function keyOf(h: ApiHarness, who: Who | undefined): string | undefined {
  if (who === 'none') return undefined;
  return who === 'globex' ? h.keys.globexMember : h.keys.acmeMember;
}

/** The row as the bytes of one HTTP/1.1 request (`Connection: close`, so the answer ends the stream). */
function requestOf(h: ApiHarness, attack: Attack, vars: Vars): string {
  const host = new URL(h.baseUrl as string).host;
  const key = keyOf(h, attack.who) ?? '';
  if (attack.raw !== undefined) return fill(attack.raw, { ...vars, host, key });
  const headers: Record<string, string> = { host, connection: 'close' };
  if (key !== '') headers.authorization = `Bearer ${key}`;
  let body = '';
  if (attack.body !== undefined) {
    body = typeof attack.body === 'string' ? fill(attack.body, vars) : JSON.stringify(attack.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  Object.assign(headers, attack.headers);
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  const method = attack.method ?? 'GET';
  return `${method} ${fill(attack.path, vars)} HTTP/1.1\r\n${head.join('\r\n')}\r\n\r\n${body}`;
}

function parsed(res: RawResponse): Record<string, unknown> {
  expect(res.headers['content-type'], res.body).toMatch(/^application\/json/);
  return JSON.parse(res.body) as Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe.skipIf(dialect.skip)(`hostile requests on ${dialect.name}`, () => {
    // One engine and API for the table: every row names what it made (a uid, a run id) in workspaces of its own.
    const h = useApiHarness({ listen: true, dialect, perSuite: true });

    it.each(ATTACKS.map((attack) => [attack.name, attack] as const))('%s', async (_name, attack) => {
      const vars = (await attack.setup?.(h)) ?? {};
      const res = await sendRaw(h.baseUrl as string, requestOf(h, attack, vars));
      expect(res.status, res.body).not.toBe(500);
      expect(res.status, res.body).toBe(attack.status);
      expectNoServerPath(h, res.body);
      const body = parsed(res);
      if (attack.status >= 400) {
        expect(Object.keys(body)).toEqual(['error']);
        const error = body.error as Record<string, unknown>;
        expect(Object.keys(error).sort()).toEqual(['code', 'details', 'message']);
        expect(typeof error.message).toBe('string');
        expect(error.code).toBe(attack.code);
      }
      if (attack.who === 'globex') expect(res.body).not.toContain(PRIVATE_MARK);
      attack.check?.(body);
    });
  });
}

describe('the log of hostile requests', () => {
  const lines: string[] = [];
  const h = useApiHarness({
    listen: true,
    logLevel: 'info',
    logStream: { write: (line) => lines.push(line) },
  });
  beforeEach(() => {
    lines.length = 0;
  });
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const ERROR = 50;

  it('names no server path below error for the requests that answered 500 before', async () => {
    for (const attack of ATTACKS.filter((a) => a.was500 === true)) {
      const vars = (await attack.setup?.(h)) ?? {};
      const res = await sendRaw(h.baseUrl as string, requestOf(h, attack, vars));
      expect(res.status, attack.name).toBe(attack.status);
    }
    const below = logged().filter((line) => (line.level as number) < ERROR);
    expect(below.filter((line) => line.msg === 'request').length).toBeGreaterThanOrEqual(6);
    for (const line of below) expectNoServerPath(h, JSON.stringify(line));
  });

  it('answers a failure the caller did not cause as "internal error" with the request id, and logs the cause at error', async () => {
    await h.store.close(); // a real failure: every store call now throws SLUICE_STORE naming the file
    const host = new URL(h.baseUrl as string).host;
    const request = `GET /v1/runs HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${h.keys.acmeMember}\r\nConnection: close\r\n\r\n`;
    const res = await sendRaw(h.baseUrl as string, request);
    expect(res.status).toBe(500);
    const body = parsed(res);
    const requestId = (body.error as { details: { request_id: string } }).details.request_id;
    expect(body).toEqual({
      error: { code: 'SLUICE_API_INTERNAL', message: 'internal error', details: { request_id: requestId } },
    });
    expectNoServerPath(h, res.body);
    const mine = logged().filter((line) => line.reqId === requestId);
    const failure = mine.find((line) => line.level === ERROR);
    expect(JSON.stringify(failure)).toContain('the store is closed');
    for (const line of mine.filter((l) => (l.level as number) < ERROR))
      expectNoServerPath(h, JSON.stringify(line));
  });
});
