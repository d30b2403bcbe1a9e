import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConnector, isSluiceError } from '@sluice/sdk';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { createTestRuntime } from '@sluice/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KEY = 'key-5b1e0c9d-secret';

const connector = defineConnector({
  title: 'Notes',
  connection: {
    fields: [{ name: 'base_url' }, { name: 'key', controlType: 'password' }],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.headers({ 'X-Key': String(connection.key) }),
    },
  },
  actions: {
    get_note: {
      inputFields: [{ name: 'id', type: 'integer' }],
      outputFields: [{ name: 'id', type: 'integer' }, { name: 'text' }],
      execute: async ({ http, input }) => http.get(`/notes/${input.id}`, { key_echo: 'no' }),
    },
  },
  triggers: {
    new_note: {
      poll: async ({ http, closure }) => {
        const after = typeof closure === 'number' ? closure : 0;
        const { notes } = await http.get<{ notes: { id: number }[] }>('/notes', { after });
        return { events: notes, nextPoll: notes.at(-1)?.id ?? after };
      },
      dedup: (note) => String(note.id),
    },
  },
});

let server: Server;
let baseUrl: string;
let dir: string;
const transport = createUndiciTransport();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-test-runtime-'));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (req.headers['x-key'] !== KEY) {
      res.statusCode = 401;
      res.end('{"error":"bad key"}');
      return;
    }
    const one = /^\/notes\/(\d+)$/.exec(url.pathname);
    if (one !== null) {
      res.end(JSON.stringify({ id: String(one[1]), text: `note ${one[1]}`, seen_key: KEY }));
      return;
    }
    const after = Number(url.searchParams.get('after') ?? 0);
    res.end(JSON.stringify({ notes: [1, 2, 3].filter((id) => id > after).map((id) => ({ id })) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await transport.close?.();
  if (server.listening) await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function scenario(runtime: ReturnType<typeof createTestRuntime>['runtime']) {
  const note = await runtime.runAction('get_note', { id: 7 });
  const first = await runtime.pollTrigger('new_note', { input: {} });
  const second = await runtime.pollTrigger('new_note', { input: {}, state: first.state });
  return { note, first: first.events, second: second.events };
}

describe('createTestRuntime', () => {
  it('runs against the API without a cassette', async () => {
    const { runtime, cassette } = createTestRuntime(connector, {
      connection: { base_url: baseUrl, key: KEY },
      transport,
    });
    expect(cassette).toBeUndefined();
    expect(await runtime.runAction('get_note', { id: 1 })).toMatchObject({ id: 1, text: 'note 1' });
  });

  it('records a cassette without the password field, then replays it with the server closed', async () => {
    const file = join(dir, 'notes.cassette.json');
    const recording = createTestRuntime(connector, {
      connection: { base_url: baseUrl, key: KEY },
      cassette: file,
      transport,
    });
    expect(recording.cassette?.mode).toBe('record');
    const live = await scenario(recording.runtime);
    await recording.save();
    expect(live.note).toEqual({ id: 7, text: 'note 7', seen_key: KEY });
    expect(live.first.map((n) => (n as { id: number }).id)).toEqual([1, 2, 3]);
    expect(live.second).toEqual([]);
    expect(readFileSync(file, 'utf8')).not.toContain(KEY);

    await new Promise((resolve) => server.close(resolve));
    const replaying = createTestRuntime(connector, {
      connection: { base_url: baseUrl, key: KEY },
      cassette: file,
    });
    expect(replaying.cassette?.mode).toBe('replay');
    const replayed = await scenario(replaying.runtime);
    // The recorded response bodies have the key masked too.
    expect(replayed).toEqual({ ...live, note: { ...(live.note as object), seen_key: '[secret]' } });
  });

  it('fails at once when told to replay a cassette that does not exist', () => {
    let caught: unknown;
    try {
      createTestRuntime(connector, { cassette: join(dir, 'none.json'), mode: 'replay' });
    } catch (err) {
      caught = err;
    }
    expect(isSluiceError(caught, 'SLUICE_CASSETTE_FILE')).toBe(true);
  });
});
