/**
 * Inspection (issue 15): every attempt records the request as sent and the response as received,
 * redacted (connection values, `Authorization`, cookies, run tokens) in the API answer and in the
 * database rows, bodies cut at 64 KiB, binary bodies in base64; `GET /v1/runs/{id}/attempts` with its
 * filters and workspace checks; the workspace's retention (`PUT /v1/settings`) and its pruning on an
 * injected clock; retention 0 records nothing.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import type { ApiCaller } from '@sluice/engine';
import type { AttemptsView, AttemptView } from '@sluice/engine/api-types';
import { internalsOf } from '@sluice/engine/internal';
import { type Connector, defineConnector } from '@sluice/sdk';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from './harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const CONNECTION_SECRET = 'conn-pw-7c1e5a9b';
const BEARER_SECRET = 'tok-9f2d41c7be';
const COOKIE_SECRET = 'sid-5b8e0a2d';
const SET_COOKIE_SECRET = 'srv-session-41aa7c';
const TEN_MB = 10 * 1024 * 1024;
const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0xc3, 0x28, 0x41, 0x42]);

/** What the target saw, by path. */
const seen = new Map<string, { headers: IncomingMessage['headers']; body: string }[]>();

/** The target: echoes the request as JSON and sets a cookie; serves large, binary and hostile answers. */
async function startTarget(): Promise<{ server: Server; url: (path: string) => string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      const body = Buffer.concat(chunks).toString('utf8');
      seen.set(path, [...(seen.get(path) ?? []), { headers: req.headers, body }]);
      if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(TEN_MB));
      } else if (path === '/binary') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(BINARY);
      } else if (path === '/big-binary') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.concat([BINARY, Buffer.alloc(100 * 1024, 0xff)]));
      } else if (path === '/huge-header') {
        res.writeHead(200, { 'x-huge': 'h'.repeat(12 * 1024), 'content-type': 'text/plain' });
        res.end('ok');
      } else if (path === '/redirect') {
        res.writeHead(302, { location: '/echo' });
        res.end();
      } else {
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': [`session=${SET_COOKIE_SECRET}; HttpOnly`, 'theme=dark'],
        });
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: (path) => `http://127.0.0.1:${port}${path}` };
}

/** A raw server whose answer has a CR inside a header value (no HTTP library would send it). */
async function startCrLfTarget(): Promise<{ server: NetServer; url: string }> {
  const server = createNetServer((socket) => {
    socket.once('data', () => {
      socket.end('HTTP/1.1 200 OK\r\nX-Bad: a\rb\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/crlf` };
}

/** Sends its connection's password as `x-api-key`: a connection value in a request. */
const vault: Connector = defineConnector({
  title: 'Vault',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'password', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.headers({ 'x-api-key': String(connection.password) }),
    },
  },
  actions: {
    fetch_twice: {
      execute: async ({ http }) => {
        await http.get('/echo?n=1');
        return http.get('/echo?n=2');
      },
    },
  },
});

let target: Awaited<ReturnType<typeof startTarget>>;
let crlf: Awaited<ReturnType<typeof startCrLfTarget>>;
beforeAll(async () => {
  target = await startTarget();
  crlf = await startCrLfTarget();
});
afterAll(async () => {
  await new Promise((resolve) => target.server.close(resolve));
  await new Promise((resolve) => crlf.server.close(resolve));
});

/** The engine's clock: now, plus what a test moved it on by. */
let offset = 0;
const h = useApiHarness({
  waitLimitMs: 20_000,
  engine: {
    connectors: new Map([['vault', vault]]),
    secretKey: randomBytes(32),
    now: () => Date.now() + offset,
  },
});

const acme = {
  workspace_id: 'acme',
  email: 'bob@acme.test',
  id: 'bob@acme.test',
  role: 'member',
} as ApiCaller;

async function runOf(workflow: object, key = h.keys.acmeMember, input: object = {}): Promise<string> {
  const published = await h.call(key, 'POST', '/v1/workflows', workflow);
  expect(published.status).toBe(201);
  const run = await h.call(key, 'POST', `/v1/workflows/${published.body.uid}/runs?wait=true`, { input });
  expect(run.status).toBe(200);
  return run.body.id as string;
}

async function attemptsOf(id: string, query = '', key = h.keys.acmeMember): Promise<AttemptView[]> {
  const res = await h.call(key, 'GET', `/v1/runs/${id}/attempts${query}`);
  expect(res.status).toBe(200);
  return (res.body as unknown as AttemptsView).attempts;
}

/** Every `exchanges` and `history` text of the run's rows, read from the database file directly. */
function rawRows(runId: string): { exchanges: (string | null)[]; text: string } {
  const db = new Sqlite(join(h.dir, 'sluice.db'), { readonly: true });
  try {
    const rows = [
      ...db.prepare('select exchanges, history from run_steps where run_id = ?').all(runId),
      ...db.prepare('select exchanges, history from run_step_items where run_id = ?').all(runId),
    ] as { exchanges: string | null; history: string | null }[];
    return { exchanges: rows.map((r) => r.exchanges), text: JSON.stringify(rows) };
  } finally {
    db.close();
  }
}

describe('GET /v1/runs/{id}/attempts', () => {
  it('answers each request as sent and each response as received, with every secret redacted in the answer and the rows', async () => {
    seen.clear();
    await h.engine.connections.save(acme, {
      name: 'main',
      connector: 'vault',
      values: { base_url: target.url(''), password: CONNECTION_SECRET },
    });
    const id = await runOf({
      name: 'inspect',
      default_retry: { total: 0 },
      steps: [
        {
          name: 'post',
          apispec: {
            url: target.url('/echo'),
            method: 'POST',
            params: { q: 'one', api_key: 'plain-key-value' },
            headers: {
              Authorization: `Bearer ${BEARER_SECRET}`,
              Cookie: `sid=${COOKIE_SECRET}`,
              'X-Run': '{{ USER.token }}',
            },
            json_body: { hello: 'world', token: '{{ USER.token }}', pw: CONNECTION_SECRET },
          },
        },
        { name: 'act', action: 'vault.fetch_twice', connection: 'main' },
      ],
    });
    const runToken = seen.get('/echo')?.[0]?.headers['x-run'] as string;
    expect(runToken).toMatch(/^rt_/);
    // The secrets did go out: the recording is what hides them.
    expect(seen.get('/echo')?.[0]?.headers.authorization).toBe(`Bearer ${BEARER_SECRET}`);
    expect(seen.get('/echo')?.[1]?.headers['x-api-key']).toBe(CONNECTION_SECRET);

    const res = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}/attempts`);
    expect(res.status).toBe(200);
    const { attempts, run_id } = res.body as unknown as AttemptsView;
    expect(run_id).toBe(id);
    expect(attempts.map((a) => [a.step, a.step_index, a.item_index, a.attempt, a.exchange])).toEqual([
      ['post', 0, 0, 1, 1],
      ['act', 1, 0, 1, 1],
      ['act', 1, 0, 1, 2],
    ]);
    const [post, first, second] = attempts as [AttemptView, AttemptView, AttemptView];
    expect(post).toMatchObject({ status: 200, wait_ms: 0, started_at: expect.any(String) });
    expect(post.request).toMatchObject({
      method: 'POST',
      url: expect.stringMatching(/\/echo\?q=one&api_key=\[redacted\]$/),
      encoding: 'utf-8',
      cut: false,
    });
    const sent = post.request?.headers ?? {};
    expect(sent.Authorization).toBe('[redacted]');
    expect(sent.Cookie).toBe('[redacted]');
    expect(sent['X-Run']).toBe('[redacted]');
    expect(Object.keys(sent).map((k) => k.toLowerCase())).toEqual(
      expect.arrayContaining(['content-type', 'idempotency-key']),
    );
    const sentBody = JSON.parse(post.request?.body ?? '') as Record<string, unknown>;
    expect(sentBody).toEqual({ hello: 'world', token: '[redacted]', pw: '[redacted]' });
    expect(post.request?.body_bytes).toBe(Buffer.byteLength(seen.get('/echo')?.[0]?.body ?? '', 'utf8'));
    expect(post.response).toMatchObject({ status: 200, encoding: 'utf-8', cut: false });
    expect(post.response?.headers['set-cookie']).toBe('[redacted]');
    expect(post.response?.headers['content-type']).toBe('application/json');
    const echoed = JSON.parse(post.response?.body ?? '') as {
      method: string;
      headers: Record<string, string>;
    };
    expect(echoed.method).toBe('POST');
    expect(echoed.headers.authorization).toBe('[redacted]');
    expect(echoed.headers.cookie).toBe('[redacted]');
    expect(echoed.headers['x-run']).toBe('[redacted]');

    expect(first.request?.url).toMatch(/\/echo\?n=1$/);
    expect(second.request?.url).toMatch(/\/echo\?n=2$/);
    expect(first.request?.headers['x-api-key']).toBe('[redacted]');
    expect(second.response?.status).toBe(200);

    const secrets = [
      CONNECTION_SECRET,
      BEARER_SECRET,
      COOKIE_SECRET,
      SET_COOKIE_SECRET,
      runToken,
      'plain-key-value',
    ];
    const answer = JSON.stringify(res.body);
    const rows = rawRows(id);
    expect(rows.exchanges.filter((e) => e !== null)).toHaveLength(2);
    for (const secret of secrets) {
      expect(answer).not.toContain(secret);
      expect(rows.text).not.toContain(secret);
    }
    // The run itself stays lean: no exchanges in GET /v1/runs/{id}.
    const view = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}`);
    expect(JSON.stringify(view.body)).not.toContain('"exchanges"');
  });

  it('cuts bodies past 64 KiB (10 MB response, large request), and keeps bodies that are not UTF-8 as base64', async () => {
    const id = await runOf({
      name: 'bodies',
      default_retry: { total: 0 },
      steps: [
        { name: 'big', apispec: { url: target.url('/big') }, output: '{{ CURRENT_STEP.response.status }}' },
        { name: 'binary', apispec: { url: target.url('/binary') } },
        { name: 'big_binary', apispec: { url: target.url('/big-binary') } },
        { name: 'upload', apispec: { url: target.url('/echo'), method: 'POST', data: 'y'.repeat(100_000) } },
      ],
    });
    const [big, binary, bigBinary, upload] = await attemptsOf(id);
    expect(big?.response).toMatchObject({ status: 200, encoding: 'utf-8', cut: true, body_bytes: TEN_MB });
    expect(big?.response?.body).toBe('x'.repeat(64 * 1024));
    expect(binary?.response).toMatchObject({ encoding: 'base64', cut: false, body_bytes: BINARY.length });
    expect(Buffer.from(binary?.response?.body ?? '', 'base64')).toEqual(BINARY);
    expect(bigBinary?.response).toMatchObject({
      encoding: 'base64',
      cut: true,
      body_bytes: BINARY.length + 100 * 1024,
    });
    const kept = Buffer.from(bigBinary?.response?.body ?? '', 'base64');
    expect(kept.length).toBe(64 * 1024);
    expect(kept.subarray(0, BINARY.length)).toEqual(BINARY);
    expect(upload?.request).toMatchObject({ cut: true, body_bytes: 100_000, encoding: 'utf-8' });
    expect(upload?.request?.body).toHaveLength(64 * 1024);
    expect(upload?.response).toMatchObject({ cut: true, body_bytes: expect.any(Number) });
  });

  it('records hostile answers: a header too large to read, a CR inside a header value, and no request for a header the step refused', async () => {
    const id = await runOf({
      name: 'hostile',
      default_retry: { total: 0 },
      steps: [
        { name: 'huge', apispec: { url: target.url('/huge-header') }, on_error: 'continue' },
        { name: 'crlf', apispec: { url: crlf.url }, on_error: 'continue' },
        {
          name: 'refused',
          apispec: { url: target.url('/echo'), headers: { 'X-Split': '{{ "a\\r\\nInjected: 1" }}' } },
        },
      ],
    });
    const attempts = await attemptsOf(id);
    const huge = attempts.find((a) => a.step === 'huge');
    expect(huge?.request?.url).toBe(target.url('/huge-header'));
    // Read whole (a cut header value is marked), or refused by the HTTP client (an error, no response).
    if (huge?.response === undefined) expect(huge?.error).toEqual(expect.any(String));
    else
      expect(
        huge.response.headers_cut === true || huge.response.headers['x-huge']?.length === 12 * 1024,
      ).toBe(true);
    const bad = attempts.find((a) => a.step === 'crlf');
    expect(bad).toMatchObject({ request: { method: 'GET', url: crlf.url } });
    expect(bad?.response === undefined ? bad?.error : String(bad.response.headers['x-bad'])).toEqual(
      expect.any(String),
    );
    expect(attempts.filter((a) => a.step === 'refused')).toEqual([]);
    expect(seen.get('/echo')?.some((r) => 'injected' in r.headers)).toBe(false);
  });

  it('lists redirect hops as attempts of their own, and filters by step and item', async () => {
    const id = await runOf({
      name: 'filters',
      steps: [
        { name: 'hop', apispec: { url: target.url('/redirect') } },
        {
          name: 'fan',
          input: [1, 2, 3],
          apispec: { url: target.url('/echo'), params: { n: '{{ CURRENT_STEP.input }}' } },
        },
      ],
    });
    const hop = await attemptsOf(id, '?step=hop');
    expect(hop.map((a) => [a.attempt, a.status, a.request?.url])).toEqual([
      [1, 302, target.url('/redirect')],
      [2, 200, target.url('/echo')],
    ]);
    const fan = await attemptsOf(id, '?step=fan');
    expect(fan.map((a) => [a.item_index, a.request?.url])).toEqual([
      [0, target.url('/echo?n=1')],
      [1, target.url('/echo?n=2')],
      [2, target.url('/echo?n=3')],
    ]);
    const one = await attemptsOf(id, '?step=fan&item=1');
    expect(one.map((a) => a.request?.url)).toEqual([target.url('/echo?n=2')]);
    expect(await attemptsOf(id, '?item=0')).toHaveLength(3);

    const unknown = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}/attempts?step=nope`);
    expect([unknown.status, codeOf(unknown)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    expect((unknown.body.error as { message: string }).message).toContain('"nope"');
    const badItem = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}/attempts?item=-1`);
    expect(badItem.status).toBe(400);
  });

  it("answers 404 for another workspace's run, and 401 without a key", async () => {
    const id = await runOf({ name: 'mine', steps: [{ name: 'a', apispec: { url: target.url('/echo') } }] });
    const other = await h.call(h.keys.globexMember, 'GET', `/v1/runs/${id}/attempts`);
    expect([other.status, codeOf(other)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    const missing = await h.call(h.keys.acmeMember, 'GET', '/v1/runs/no-such-run/attempts');
    expect(missing.status).toBe(404);
    expect((await h.call(undefined, 'GET', `/v1/runs/${id}/attempts`)).status).toBe(401);
  });
});

describe('retention (GET and PUT /v1/settings)', () => {
  it('answers the defaults, lets admins change them, and refuses bad values naming the field', async () => {
    const defaults = await h.call(h.keys.acmeMember, 'GET', '/v1/settings');
    expect(defaults.body).toEqual({
      workspace_id: 'acme',
      attempt_retention_days: 7,
      updated_at: null,
      updated_by: null,
    });
    const member = await h.call(h.keys.acmeMember, 'PUT', '/v1/settings', { attempt_retention_days: 3 });
    expect([member.status, codeOf(member)]).toEqual([403, 'SLUICE_API_FORBIDDEN']);
    for (const bad of [-1, 366, 1.5, '3', true, null]) {
      const res = await h.call(h.keys.acmeAdmin, 'PUT', '/v1/settings', { attempt_retention_days: bad });
      expect([res.status, codeOf(res)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
      expect((res.body.error as { message: string }).message).toContain('attempt_retention_days');
    }
    const unknown = await h.call(h.keys.acmeAdmin, 'PUT', '/v1/settings', { keep_forever: true });
    expect((unknown.body.error as { message: string }).message).toContain('keep_forever');
    const changed = await h.call(h.keys.acmeAdmin, 'PUT', '/v1/settings', { attempt_retention_days: 30 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ attempt_retention_days: 30, updated_by: 'ann@acme.test' });
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/settings')).body).toMatchObject({
      attempt_retention_days: 30,
    });
    // Another workspace keeps its own.
    expect((await h.call(h.keys.globexMember, 'GET', '/v1/settings')).body).toMatchObject({
      workspace_id: 'globex',
      attempt_retention_days: 7,
    });
  });

  it("prunes each workspace's exchanges past its retention on the engine's clock, keeping the attempts", async () => {
    expect(
      (await h.call(h.keys.acmeAdmin, 'PUT', '/v1/settings', { attempt_retention_days: 1 })).status,
    ).toBe(200);
    const flow = { name: 'kept', steps: [{ name: 'a', apispec: { url: target.url('/echo') } }] };
    const acmeRun = await runOf(flow);
    const globexRun = await runOf(flow, h.keys.globexMember);
    const prune = () => internalsOf(h.engine).pruneAttempts();
    try {
      expect(await prune()).toBe(0);
      offset += 2 * DAY_MS;
      expect(await prune()).toBe(1);
      const [pruned] = await attemptsOf(acmeRun);
      expect(pruned).toMatchObject({ step: 'a', attempt: 1, status: 200, pruned: true });
      expect(pruned?.request).toBeUndefined();
      expect(rawRows(acmeRun).exchanges).toEqual([null]);
      const [kept] = await attemptsOf(globexRun, '', h.keys.globexMember);
      expect(kept?.request?.method).toBe('GET');
      offset += 6 * DAY_MS;
      expect(await prune()).toBe(1);
      expect((await attemptsOf(globexRun, '', h.keys.globexMember))[0]?.pruned).toBe(true);
    } finally {
      offset = 0;
    }
  });

  it('records no exchange at all with retention 0', async () => {
    expect(
      (await h.call(h.keys.acmeAdmin, 'PUT', '/v1/settings', { attempt_retention_days: 0 })).status,
    ).toBe(200);
    const id = await runOf({
      name: 'none',
      steps: [
        { name: 'a', apispec: { url: target.url('/echo') } },
        { name: 'b', input: [1, 2], apispec: { url: target.url('/echo') } },
      ],
    });
    const attempts = await attemptsOf(id);
    expect(attempts).toHaveLength(3);
    expect(attempts.every((a) => a.pruned === true && a.request === undefined)).toBe(true);
    const rows = rawRows(id);
    expect(rows.exchanges.every((e) => e === null)).toBe(true);
    expect(rows.text).not.toContain('/echo');
  });
});
