import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError } from '@sluice/sdk';
import { createUndiciTransport } from '@sluice/sdk/internal';
import {
  type Cassette,
  readCassetteFile,
  recordingTransport,
  replayTransport,
  useCassette,
} from '@sluice/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'tok-3f9a8c1d-very-secret';
const PASSWORD = 'p@ss word/42';

type Wire = { method: string; url: string; headers: Record<string, string>; body?: string | Uint8Array };

let server: Server;
let base: string;
let dir: string;
let hits = 0;
const transport = createUndiciTransport();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cassette-'));
  server = createServer((req, res) => {
    hits += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/binary') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from([0xff, 0x00, 0xfe, 0x80]));
        return;
      }
      if (url.pathname === '/counter') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ hit: hits }));
        return;
      }
      res.writeHead(url.pathname === '/missing' ? 404 : 201, {
        'content-type': 'application/json',
        'x-echo-token': url.searchParams.get('api_token') ?? '',
      });
      res.end(
        JSON.stringify({
          method: req.method,
          auth: req.headers.authorization ?? null,
          received: Buffer.concat(chunks).toString('utf8'),
          token: url.searchParams.get('api_token'),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await transport.close?.();
  if (server.listening) await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The requests of the scenario: a query token, a basic-auth header, a JSON body, binary, repeats. */
function scenario(token: string, password: string): Wire[] {
  const basic = `Basic ${Buffer.from(`me:${password}`).toString('base64')}`;
  return [
    { method: 'GET', url: `${base}/customers?api_token=${encodeURIComponent(token)}&id=1`, headers: {} },
    {
      method: 'POST',
      url: `${base}/customers?api_token=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'application/json', authorization: basic },
      body: new TextEncoder().encode(JSON.stringify({ name: 'Ann', token })),
    },
    { method: 'GET', url: `${base}/missing`, headers: { authorization: `Bearer ${token}` } },
    { method: 'GET', url: `${base}/binary`, headers: {} },
    { method: 'GET', url: `${base}/counter`, headers: {} },
    { method: 'GET', url: `${base}/counter`, headers: {} },
  ];
}

async function play(t: { send: typeof transport.send }, requests: Wire[]) {
  const out = [];
  for (const request of requests) {
    const res = await t.send(request, {});
    out.push({ status: res.status, headers: res.headers, body: Buffer.from(res.body).toString('base64') });
  }
  return out;
}

describe('recordingTransport and replayTransport', () => {
  let file: string;
  let recorded: Awaited<ReturnType<typeof play>>;

  it('records every exchange with secrets masked in URLs, headers and bodies', async () => {
    file = join(dir, 'nested', 'scenario.cassette.json');
    const recorder = recordingTransport(transport, { secrets: () => [TOKEN, PASSWORD] });
    recorded = await play(recorder, scenario(TOKEN, PASSWORD));
    await recorder.save(file);

    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(encodeURIComponent(TOKEN));
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`me:${PASSWORD}`).toString('base64'));
    const cassette = JSON.parse(text) as Cassette;
    expect(cassette.version).toBe(1);
    expect(cassette.exchanges).toHaveLength(6);
    const [get, post, missing, binary] = cassette.exchanges;
    expect(get?.request).toEqual({
      method: 'GET',
      url: `${base}/customers?api_token=[secret]&id=1`,
      headers: {},
    });
    expect(post?.request.body).toBe('{"name":"Ann","token":"[secret]"}');
    expect(post?.response?.status).toBe(201);
    expect(post?.response?.headers['x-echo-token']).toBe('[secret]');
    expect(JSON.parse(post?.response?.body ?? '')).toMatchObject({ token: '[secret]', method: 'POST' });
    expect(missing?.response?.status).toBe(404);
    expect(binary?.response).toMatchObject({
      bodyEncoding: 'base64',
      body: Buffer.from([0xff, 0, 0xfe, 0x80]).toString('base64'),
    });
  });

  it('replays the same results with the server closed, matching requests made with the real secrets', async () => {
    await new Promise((resolve) => server.close(resolve));
    const replay = replayTransport(file, { secrets: [TOKEN, PASSWORD] });
    const replayed = await play(replay, scenario(TOKEN, PASSWORD));
    const masked = (r: (typeof recorded)[number]) => ({
      ...r,
      // The recording masks secrets, and the credentials the server echoed, in response bodies too.
      body: Buffer.from(r.body, 'base64')
        .toString('utf8')
        .replaceAll(TOKEN, '[secret]')
        .replace(/"auth":"[^"]+"/, '"auth":"[secret]"'),
      headers: { ...r.headers, 'x-echo-token': r.headers['x-echo-token'] ? '[secret]' : undefined },
    });
    expect(replayed.map(masked)).toEqual(recorded.map(masked));
    // Repeated identical requests get their recordings in order.
    expect(replayed.slice(4).map((r) => JSON.parse(Buffer.from(r.body, 'base64').toString()).hit)).toEqual(
      recorded.slice(4).map((r) => JSON.parse(Buffer.from(r.body, 'base64').toString()).hit),
    );
    expect(replay.unused()).toEqual([]);
  });

  it('matches a recording when the replay uses other secret values', async () => {
    const replay = replayTransport(file, { secrets: ['another-token-123', 'other pw'] });
    const [first] = await play(replay, scenario('another-token-123', 'other pw').slice(0, 1));
    expect(first?.status).toBe(201);
    expect(replay.unused()).toHaveLength(5);
  });

  it('raises SLUICE_CASSETTE_MISS naming the request and what was recorded', async () => {
    const replay = replayTransport(file, { secrets: [TOKEN] });
    const err = await replay
      .send({ method: 'DELETE', url: `${base}/customers/9`, headers: {} }, {})
      .catch((e) => e);
    expect(isSluiceError(err, 'SLUICE_CASSETTE_MISS')).toBe(true);
    expect(err.message).toBe(
      `no recorded exchange for DELETE ${base}/customers/9; recorded: GET ${base}/customers?api_token=[secret]&id=1, ` +
        `POST ${base}/customers?api_token=[secret], GET ${base}/missing, GET ${base}/binary, GET ${base}/counter (x2)`,
    );
    expect(err.hint).toMatch(/record the cassette again/);

    const counter = { method: 'GET', url: `${base}/counter`, headers: {} };
    await replay.send(counter, {});
    await replay.send(counter, {});
    const spent = await replay.send(counter, {}).catch((e) => e);
    expect(spent.message).toContain(`GET ${base}/counter (all 2 recording(s) of it were already replayed)`);

    const body = {
      ...counter,
      method: 'POST',
      url: `${base}/customers?api_token=${TOKEN}`,
      body: '{"other":1}',
    };
    const differs = await replay.send(body, {}).catch((e) => e);
    expect(differs.message).toContain('(the 1 unused recording(s) of it have a different body)');
    expect(differs.message).not.toContain(TOKEN);
  });

  it('records a connection failure and replays it as the same transport error', async () => {
    const fresh = createUndiciTransport();
    const recorder = recordingTransport(fresh);
    const down = { method: 'GET', url: `${base}/customers`, headers: {} };
    const original = await recorder.send(down, {}).catch((e) => e);
    await recorder.close?.();
    expect(original.code).toBe('SLUICE_HTTP_CONNECT');
    const replayed = await replayTransport(recorder.cassette())
      .send(down, {})
      .catch((e) => e);
    expect(replayed.code).toBe('SLUICE_HTTP_CONNECT');
    expect(replayed.kind).toBe('connect');
    expect(replayed.message).toBe(original.message);
  });
});

describe('cassette files', () => {
  it.each([
    ['missing.json', null, /^cannot read cassette file .*missing\.json: ENOENT/],
    ['broken.json', '{"version": 1, "exchanges": [', /^cassette file .*broken\.json is not valid JSON: /],
    ['old.json', '{"version": 0, "exchanges": []}', /^cassette file .*old\.json: unsupported version 0/],
    [
      'shape.json',
      '{"version": 1, "exchanges": [{"request": {"method": "GET", "url": "http://x/"}, "response": {"status": "200"}}]}',
      /^cassette file .*shape\.json: exchanges\[0\]\.response\.status must be a number$/,
    ],
  ])('rejects %s with SLUICE_CASSETTE_FILE naming the file', (name, content, message) => {
    const file = join(dir, name);
    if (content !== null) writeFileSync(file, content);
    const err = (() => {
      try {
        replayTransport(file);
      } catch (e) {
        return e as Error & { hint?: string };
      }
      return undefined;
    })();
    expect(isSluiceError(err, 'SLUICE_CASSETTE_FILE')).toBe(true);
    expect(err?.message).toMatch(message);
    expect(err?.message).toContain(file);
    expect(err?.hint).toBeTruthy();
  });

  it('reads back what it writes', async () => {
    const recorder = recordingTransport(replayTransport({ version: 1, exchanges: [] }));
    const file = join(dir, 'empty.cassette.json');
    await recorder.save(file);
    expect(readCassetteFile(file)).toEqual({ version: 1, exchanges: [] });
  });
});

describe('useCassette', () => {
  it('records when the file is missing in auto mode, then replays it', async () => {
    const api = createServer((_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/ping?key=${TOKEN}`;
    const file = join(dir, 'auto.cassette.json');
    try {
      const first = useCassette(file, { secrets: [TOKEN], transport });
      expect(first.mode).toBe('record');
      await first.transport.send({ method: 'GET', url, headers: {} }, {});
      await first.save();
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    const second = useCassette(file, { secrets: [TOKEN] });
    expect(second.mode).toBe('replay');
    const res = await second.transport.send({ method: 'GET', url, headers: {} }, {});
    expect(new TextDecoder().decode(res.body)).toBe('{"ok":true}');
    await second.save();
    expect(useCassette(file, { mode: 'record' }).mode).toBe('record');
  });

  it('fails at once when replay mode is asked for a file that does not exist', () => {
    expect(() => useCassette(join(dir, 'nope.json'), { mode: 'replay' })).toThrow(
      /cannot read cassette file/,
    );
  });
});
