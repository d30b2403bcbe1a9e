/**
 * Attacks on redaction (issue 12, item 4): a connection secret, a run token or a webhook secret sent or
 * echoed where the engine stores, shows or logs it. Each attack runs against a real engine and API on a
 * real database (SQLite, and PostgreSQL with `SLUICE_TEST_PG_URL`), with a loopback server for the
 * steps; afterwards the secret, in each of its spellings, must appear in no API answer, no database
 * row (read raw) or SQLite file, and no log line of the engine or the API.
 *
 * - run input: a secret under an innocent key of a run's input (API, webhook JSON, form, text) is stored
 *   and shown redacted, while the steps still send the real value, after a restart too;
 * - depth: a secret nested far deeper than any fixed limit, in an input or a step's output;
 * - the 1 KB cut of an error body: a secret across the cut leaves no piece behind;
 * - spellings: percent-encoded (either hex case, `+` for a space), JSON-escaped, ASCII-only JSON;
 * - webhook URLs: a hook secret in a URL that matches no route (a GET, a trailing `/`, other shapes).
 *
 * Each attack is a row of a table: a later one is one more row.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createApi, createApiKey, createEngine, createRedactor, type Engine, REDACTED } from '@sluice/engine';
import { type Connector, defineConnector, type Logger } from '@sluice/sdk';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.js';
import { type DialectContext, describeEachDialect } from '../store/dialects.js';

/** A connection secret with every character class a spelling treats apart: space, URL-reserved, JSON-escaped, non-ASCII, astral. */
const SECRET = 'Zq7 pä$$/wö:rd+&=?#%"\\é😀~k3y9';
/** A plain one, for the cut of error bodies (bytes and characters coincide). */
const PLAIN = 'QpL4inS3cr3tV4lu3Xy';
const SECRET_KEY = randomBytes(32);

const myApp: Connector = defineConnector({
  title: 'My App',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'password', controlType: 'password', optional: false },
      { name: 'pin', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
  },
});

/** `\uXXXX` for every non-ASCII UTF-16 unit, as ASCII-only JSON encoders (Python's json.dumps) write. */
function asciiJson(text: string, upper = false): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    });
}

const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, (code) => code.toLowerCase());
/** Hex digits in alternating case: no encoder writes it, anyone can. */
const mixedHex = (text: string): string => {
  let i = 0;
  return text.replace(/%[0-9A-Fa-f]{2}/g, (code) => (i++ % 2 === 0 ? code.toLowerCase() : code));
};
const formEncoded = (text: string): string => new URLSearchParams({ v: text }).toString().slice(2);

/** The spellings of a secret, by name: each is a row of the spelling table, and each is looked for everywhere. */
const SPELLINGS: readonly { name: string; spell: (secret: string) => string }[] = [
  { name: 'as is', spell: (s) => s },
  { name: 'encodeURIComponent', spell: encodeURIComponent },
  { name: 'encodeURIComponent, lower-case hex', spell: (s) => lowerHex(encodeURIComponent(s)) },
  { name: 'encodeURI', spell: encodeURI },
  { name: 'encodeURI, lower-case hex', spell: (s) => lowerHex(encodeURI(s)) },
  { name: 'form encoding (+ for a space)', spell: formEncoded },
  { name: 'form encoding, lower-case hex', spell: (s) => lowerHex(formEncoded(s)) },
  { name: 'mixed-case hex', spell: (s) => mixedHex(encodeURIComponent(s)) },
  { name: 'JSON.stringify escapes', spell: (s) => JSON.stringify(s).slice(1, -1) },
  { name: 'ASCII-only JSON, lower-case hex', spell: (s) => asciiJson(s) },
  { name: 'ASCII-only JSON, upper-case hex', spell: (s) => asciiJson(s, true) },
];

function spellingsOf(secret: string): string[] {
  return [...new Set(SPELLINGS.map(({ spell }) => spell(secret)))];
}

/** A logger that keeps every line (all levels), as JSON. */
function capturingLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (first: Record<string, unknown> | string, message?: string): void => {
      const fields = typeof first === 'string' ? { msg: first } : { ...first, msg: message };
      try {
        lines.push(JSON.stringify({ level, ...bindings, ...fields }));
      } catch {
        lines.push(String(fields.msg));
      }
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => capturingLogger(lines, { ...bindings, ...more }),
    isLevelEnabled: () => true,
  };
}

/** What an attack works with: fresh per test. */
interface Target {
  t: DialectContext;
  engine: Engine;
  app: FastifyInstance;
  server: FlakyServer;
  key: string;
  /** Every answer of the API, as sent. */
  answers: string[];
  /** Every log line of the engine and of the API. */
  logs: string[];
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Starts a run of `uid` with `input`, waits for its end; its record. */
  run(uid: string, input: unknown): Promise<Record<string, unknown>>;
  /** Saves connection `main` (connector my_app) with `password` and `pin`. */
  saveConnection(password: string, pin?: string): Promise<void>;
  publish(document: object): Promise<string>;
}

function useTarget(t: DialectContext): Target {
  const target = { t } as Target;
  beforeEach(async () => {
    target.answers = [];
    target.logs = [];
    target.server = await startFlakyServer();
    target.engine = createEngine({
      store: t.store,
      secretKey: SECRET_KEY,
      connectors: new Map([['my_app', myApp]]),
      logger: capturingLogger(target.logs),
      closeGraceMs: 0,
    });
    await target.engine.start({ baseUrl: 'http://127.0.0.1:1' });
    target.app = await createApi({
      engine: target.engine,
      logLevel: 'debug',
      logStream: { write: (line) => void target.logs.push(line) },
    });
    target.key = (
      await createApiKey(t.store, { workspace: 'acme', email: 'ann@acme.test', role: 'member' })
    ).key;
    target.call = async (method, url, body, headers = {}) => {
      const res = await target.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${target.key}`,
          ...(body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      target.answers.push(res.body);
      return {
        status: res.statusCode,
        body: res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>),
      };
    };
    target.publish = async (document) => {
      const res = await target.call('POST', '/v1/workflows', { default_retry: { total: 0 }, ...document });
      expect(res.status).toBe(201);
      return String(res.body.uid);
    };
    target.run = async (uid, input) => {
      const started = await target.call('POST', `/v1/workflows/${uid}/runs`, { input });
      expect(started.status).toBe(202);
      return waitForRecord(target, String(started.body.id));
    };
    target.saveConnection = async (password, pin = 'unused-pin-000') => {
      const res = await target.call('POST', '/v1/connections', {
        name: 'main',
        connector: 'my_app',
        values: { base_url: target.server.origin, password, pin },
      });
      expect(res.status).toBe(201);
    };
  });
  afterEach(async () => {
    await target.app.close();
    await target.engine.close();
    await target.server.close();
  });
  return target;
}

async function waitForRecord(target: Target, id: string): Promise<Record<string, unknown>> {
  await target.engine.waitForRun(id, 15_000);
  const record = await target.call('GET', `/v1/runs/${id}`);
  expect(record.status).toBe(200);
  return record.body;
}

/** Every value of every row of every table, as text (JSON columns as the database returns them). */
async function databaseTexts(t: DialectContext): Promise<string[]> {
  const texts: string[] = [];
  for (const table of await t.db.tables()) {
    for (const row of await t.db.query<Record<string, unknown>>(`select * from "${table}"`)) {
      for (const value of Object.values(row)) {
        if (typeof value === 'string') texts.push(value);
        else if (Buffer.isBuffer(value)) texts.push(value.toString('utf8'));
        else if (value !== null && typeof value === 'object') texts.push(JSON.stringify(value));
      }
    }
  }
  if (t.dialect.name === 'sqlite') {
    // The files themselves, the WAL included: a row rewritten since keeps its old bytes there for a while.
    const dir = dirname(t.db.where);
    for (const file of readdirSync(dir).filter((f) => f.startsWith(basename(t.db.where)))) {
      texts.push(readFileSync(join(dir, file)).toString('utf8'));
    }
  }
  return texts;
}

/** Where any spelling of `secret` (and any `pieces`) shows: `[]` when nowhere. */
async function leaksOf(target: Target, secret: string, pieces: readonly string[] = []): Promise<string[]> {
  const sources = {
    answer: target.answers,
    log: target.logs,
    database: await databaseTexts(target.t),
  };
  // Each also as a JSON text holds it (a JSON column, an API answer): escaped once more.
  const wanted = [...spellingsOf(secret), ...pieces].flatMap((text) => [
    text,
    JSON.stringify(text).slice(1, -1),
  ]);
  const leaks: string[] = [];
  for (const [source, texts] of Object.entries(sources)) {
    for (const spelling of wanted) {
      if (texts.some((text) => text.includes(spelling))) leaks.push(`${source}: ${JSON.stringify(spelling)}`);
    }
  }
  return leaks;
}

/** A workflow whose one step POSTs `json_body` to `/sink` (the real values reach the server). */
function sinkFlow(server: FlakyServer, uid: string, jsonBody: unknown, extra: object = {}): object {
  return {
    uid,
    name: uid,
    steps: [{ name: 'sink', apispec: { url: server.url('/sink'), method: 'post', json_body: jsonBody } }],
    ...extra,
  };
}

// Every test starts on an empty database; on PostgreSQL, a schema an earlier test of the suite emptied.
describeEachDialect('redaction attacks', { reuse: true }, (t) => {
  const target = useTarget(t);

  describe('a secret in a run input under an innocent key', () => {
    const ROWS: readonly {
      name: string;
      /** Starts the run; resolves its id. */
      start: (target: Target, secret: string) => Promise<string>;
      /** What `INPUT.note` is, as the step sends it. */
      sent: (secret: string) => unknown;
    }[] = [
      {
        name: 'through the API',
        start: async (target, secret) =>
          String((await target.call('POST', '/v1/workflows/in/runs', { input: { note: secret } })).body.id),
        sent: (secret) => secret,
      },
      {
        name: 'through the API, inside a longer text',
        start: async (target, secret) =>
          String(
            (await target.call('POST', '/v1/workflows/in/runs', { input: { note: `see <${secret}> here` } }))
              .body.id,
          ),
        sent: (secret) => `see <${secret}> here`,
      },
      {
        name: 'in a webhook JSON body',
        start: (target, secret) => deliver(target, JSON.stringify({ note: secret }), 'application/json'),
        sent: (secret) => secret,
      },
      {
        name: 'in a webhook form body',
        start: (target, secret) =>
          deliver(
            target,
            new URLSearchParams({ note: secret }).toString(),
            'application/x-www-form-urlencoded',
          ),
        sent: (secret) => secret,
      },
    ];

    it.each(ROWS)('is stored and shown redacted, and sent for real: $name', async ({ start, sent }) => {
      await target.saveConnection(SECRET);
      target.server.script('/sink', [{ status: 200, body: { ok: true } }]);
      await target.publish(sinkFlow(target.server, 'in', { note: '{{ INPUT.note }}' }, hook()));
      const id = await start(target, SECRET);
      const record = await waitForRecord(target, id);
      expect(record.status).toBe('succeeded');
      expect(JSON.stringify(record.input)).toContain(REDACTED);
      // The template saw the real input.
      expect(JSON.parse(target.server.requests('/sink')[0]?.body ?? '{}')).toEqual({ note: sent(SECRET) });
      expect(await leaksOf(target, SECRET)).toEqual([]);
    });

    it('is redacted in a webhook text body', async () => {
      await target.saveConnection(PLAIN);
      target.server.script('/sink', [{ status: 200, body: { ok: true } }]);
      await target.publish(sinkFlow(target.server, 'in', { text: '{{ INPUT }}' }, hook()));
      const record = await waitForRecord(target, await deliver(target, `token is ${PLAIN}.`, 'text/plain'));
      expect(record).toMatchObject({ status: 'succeeded', input: `token is ${REDACTED}.` });
      expect(target.server.requests('/sink')[0]?.body).toContain(PLAIN);
      expect(await leaksOf(target, PLAIN)).toEqual([]);
    });

    it('is redacted when it is a run token or an API key, whoever it belongs to', async () => {
      target.server.script('/sink', [{ status: 200, body: { ok: true } }]);
      await target.publish(sinkFlow(target.server, 'in', '{{ INPUT }}'));
      const caller = { id: 'u1', email: 'bob@acme.test', workspace_id: 'acme', role: 'member' } as const;
      const token = target.engine.runTokens.issue(caller, 'another-run');
      const record = await target.run('in', { forwarded: token, key: target.key });
      expect(record).toMatchObject({ status: 'succeeded', input: { forwarded: REDACTED, key: REDACTED } });
      expect(JSON.parse(target.server.requests('/sink')[0]?.body ?? '{}')).toEqual({
        forwarded: token,
        key: target.key,
      });
      expect(await leaksOf(target, token)).toEqual([]);
      expect(await leaksOf(target, target.key)).toEqual([]);
    });

    it('still reaches the steps after the engine stopped mid-run (read back from its sealed copy)', async () => {
      await target.saveConnection(SECRET);
      target.server.script('/first', [{ hang: true }]);
      target.server.script('/sink', [{ status: 200, body: { ok: true } }]);
      await target.publish({
        uid: 'in',
        name: 'in',
        steps: [
          { name: 'first', apispec: { url: target.server.url('/first') } },
          {
            name: 'sink',
            apispec: {
              url: target.server.url('/sink'),
              method: 'post',
              json_body: { note: '{{ INPUT.note }}' },
            },
          },
        ],
      });
      const started = await target.call('POST', '/v1/workflows/in/runs', { input: { note: SECRET } });
      const id = String(started.body.id);
      while (target.server.count('/first') === 0) await new Promise((r) => setTimeout(r, 5));
      await target.engine.close();

      // Another engine on the same database and secret key takes the run over.
      target.server.script('/first', [{ status: 200, body: { ok: true } }]);
      await using next = createEngine({
        store: t.store,
        secretKey: SECRET_KEY,
        connectors: new Map([['my_app', myApp]]),
        logger: capturingLogger(target.logs),
        closeGraceMs: 0,
      });
      expect(await next.start({ baseUrl: 'http://127.0.0.1:1' })).toBe(1);
      await next.waitForRun(id, 15_000);
      const record = await target.call('GET', `/v1/runs/${id}`);
      expect(record.body).toMatchObject({ status: 'succeeded', input: { note: REDACTED } });
      expect(JSON.parse(target.server.requests('/sink')[0]?.body ?? '{}')).toEqual({ note: SECRET });
      expect(await leaksOf(target, SECRET)).toEqual([]);
      await next.close();
    });
  });

  describe('a secret nested deeper than any fixed limit', () => {
    /** `{"a": {"a": ... {"note": secret}}}`, `depth` levels. */
    const nest = (depth: number, secret: string): unknown => {
      let value: unknown = { note: secret };
      for (let i = 0; i < depth; i++) value = { a: value };
      return value;
    };

    it('is redacted in a run input 500 levels deep', async () => {
      await target.saveConnection(SECRET);
      target.server.script('/sink', [{ status: 200, body: { ok: true } }]);
      await target.publish(sinkFlow(target.server, 'deep', { ok: true }));
      const record = await target.run('deep', nest(500, SECRET));
      expect(JSON.stringify(record.input)).toContain(REDACTED);
      expect(await leaksOf(target, SECRET)).toEqual([]);
    });

    it('is redacted in a step output 500 levels deep', async () => {
      await target.saveConnection(SECRET);
      target.server.script('/sink', [{ status: 200, body: nest(500, SECRET) as object }]);
      await target.publish(sinkFlow(target.server, 'deep', { ok: true }));
      const record = await target.run('deep', {});
      expect(record.status).toBe('succeeded');
      expect(JSON.stringify(record.steps)).toContain(REDACTED);
      expect(await leaksOf(target, SECRET)).toEqual([]);
    });

    it('is redacted however deep, and a secret key is found however deep (no stack to overflow)', () => {
      const redact = createRedactor({ values: [SECRET], names: ['api_token'] });
      const deep = nest(200_000, SECRET);
      expect(JSON.stringify(innermost(redact.value(deep)))).toBe(JSON.stringify({ note: REDACTED }));
      let keyed: unknown = { api_token: 'deep-token-value', text: 'has deep-token-value' };
      for (let i = 0; i < 200_000; i++) keyed = [keyed];
      expect(innermost(redact.value(keyed))).toEqual({ api_token: REDACTED, text: 'has deep-token-value' });
    });
  });

  describe('an error body cut at 1 KB', () => {
    // The plain secret where bytes must be characters; the rich one, spelled in ASCII, elsewhere.
    const ROWS: readonly {
      name: string;
      secret: string;
      before: number;
      spell: (secret: string) => string;
    }[] = [
      { name: 'its first 4 characters before the cut', secret: PLAIN, before: 4, spell: (s) => s },
      {
        name: 'all but its last character before it',
        secret: PLAIN,
        before: PLAIN.length - 1,
        spell: (s) => s,
      },
      {
        name: 'percent-encoded, 9 characters before it',
        secret: SECRET,
        before: 9,
        spell: encodeURIComponent,
      },
      {
        name: 'ASCII-only JSON, 13 characters before it',
        secret: SECRET,
        before: 13,
        spell: (s) => asciiJson(s),
      },
    ];

    it.each(ROWS)('keeps no piece of a secret across the cut: $name', async ({ secret, before, spell }) => {
      await target.saveConnection(secret);
      const spelled = spell(secret);
      const body = `${'x'.repeat(1024 - before)}${spelled} and more`;
      target.server.script('/sink', [{ status: 500, body }]);
      await target.publish(sinkFlow(target.server, 'cut', { ok: true }));
      const record = await target.run('cut', {});
      const error = (record.steps as { error: { body: string } }[])[0]?.error;
      expect(Buffer.byteLength(error?.body ?? '')).toBeLessThanOrEqual(1024);
      expect(error?.body.startsWith('xxxx')).toBe(true);
      expect(await leaksOf(target, secret, [spelled.slice(0, before)])).toEqual([]);
    });
    it('keeps no piece of a secret that the cut reaches only because earlier secrets shrank', async () => {
      // 100 copies of a 100-character secret redact to 1,000 characters: the kept KB then reaches 9,000
      // characters further into the body (beyond any fixed margin), where PLAIN straddles it.
      const long = `L0ng${'s'.repeat(92)}3nd!`;
      await target.saveConnection(long, PLAIN);
      const body = `${long.repeat(100)}${'x'.repeat(1024 - 100 * REDACTED.length - 4)}${PLAIN} and more`;
      target.server.script('/sink', [{ status: 500, body }]);
      await target.publish(sinkFlow(target.server, 'cut', { ok: true }));
      const record = await target.run('cut', {});
      const error = (record.steps as { error: { body: string } }[])[0]?.error;
      expect(error?.body.startsWith(REDACTED.repeat(100))).toBe(true);
      expect(Buffer.byteLength(error?.body ?? '')).toBe(1024);
      expect(await leaksOf(target, PLAIN, [PLAIN.slice(0, 4)])).toEqual([]);
      expect(await leaksOf(target, long)).toEqual([]);
    });
  });

  describe('a connection secret spelled otherwise', () => {
    it.each(SPELLINGS)('is redacted from step outputs and error bodies: $name', async ({ spell }) => {
      await target.saveConnection(SECRET);
      const spelled = spell(SECRET);
      target.server.script('/echo', [
        { status: 200, headers: { 'content-type': 'text/plain' }, body: `echo ${spelled} end` },
      ]);
      target.server.script('/sink', [
        { status: 400, headers: { 'content-type': 'application/json' }, body: `{"error":"${spelled}"}` },
      ]);
      await target.publish({
        uid: 'spell',
        name: 'spell',
        steps: [
          { name: 'echo', apispec: { url: target.server.url('/echo') } },
          { name: 'sink', apispec: { url: target.server.url('/sink') } },
        ],
      });
      const record = await target.run('spell', {});
      const steps = record.steps as { output: unknown; error: { body: string } | null }[];
      expect(steps[0]?.output).toBe(`echo ${REDACTED} end`);
      expect(steps[1]?.error?.body).toBe(`{"error":"${REDACTED}"}`);
      expect(await leaksOf(target, SECRET)).toEqual([]);
    });

    it.each([
      { name: 'in a path (urlencode filter)', url: '/p/{{ INPUT.q | urlencode }}/x', params: undefined },
      { name: 'in a query string (params)', url: '/q', params: { q: '{{ INPUT.q }}' } },
    ])('is redacted from the URL a failed call names: $name', async ({ url, params }) => {
      await target.saveConnection(SECRET);
      await target.publish({
        uid: 'url',
        name: 'url',
        steps: [
          {
            name: 'call',
            apispec: { url: `${target.server.origin}${url}`, ...(params === undefined ? {} : { params }) },
          },
        ],
      });
      const record = await target.run('url', { q: SECRET });
      expect(record.status).toBe('failed');
      const message = (record.steps as { error: { message: string } }[])[0]?.error.message;
      expect(message).toContain(REDACTED);
      expect(await leaksOf(target, SECRET)).toEqual([]);
    });
  });

  describe('a webhook secret in a URL', () => {
    /** Request shapes that carry a hook secret (`path` from `GET .../trigger`, `secret` its last part). */
    const ROWS: readonly {
      name: string;
      method: 'GET' | 'POST' | 'PUT' | 'DELETE';
      url: (path: string, secret: string) => string;
    }[] = [
      { name: 'GET of the hook URL', method: 'GET', url: (path) => path },
      { name: 'a trailing slash', method: 'POST', url: (path) => `${path}/` },
      { name: 'PUT of the hook URL', method: 'PUT', url: (path) => path },
      { name: 'one more segment', method: 'POST', url: (path) => `${path}/extra` },
      { name: 'a query string', method: 'POST', url: (path) => `${path}?x=1` },
      { name: 'HOOKS in capitals', method: 'POST', url: (path) => path.replace('hooks', 'HOOKS') },
      { name: 'a doubled slash', method: 'POST', url: (path) => path.replace('/hooks/', '/hooks//') },
      { name: 'webhooks for hooks', method: 'POST', url: (path) => path.replace('/hooks/', '/webhooks/') },
      { name: 'a typo before hooks', method: 'POST', url: (path) => path.replace('/v1/', '/v2/') },
      {
        name: 'a percent-escaped letter (still delivered)',
        method: 'POST',
        url: (path, secret) =>
          path.replace(secret, `%${secret.charCodeAt(0).toString(16)}${secret.slice(1)}`),
      },
      { name: 'a malformed escape after it', method: 'POST', url: (path) => `${path}%zz` },
      {
        name: 'a uid longer than the router takes',
        method: 'POST',
        url: (_path, secret) => `/v1/hooks/${'u'.repeat(300)}/${secret}`,
      },
      {
        name: 'the secret in a query',
        method: 'GET',
        url: (_path, secret) => `/v1/hooks/orders?secret=${secret}`,
      },
      {
        name: 'the secret under another route',
        method: 'GET',
        url: (_path, secret) => `/v1/workflows/orders/${secret}`,
      },
      {
        name: 'the secret where the uid goes',
        method: 'POST',
        url: (_path, secret) => `/v1/hooks/${secret}/x`,
      },
    ];

    it.each(ROWS)('shows up in no log line or answer: $name', async ({ method, url }) => {
      target.server.script('/sink', [{ status: 200, body: { ok: true } }]);
      await target.publish(sinkFlow(target.server, 'orders', { ok: true }, hook()));
      const path = await hookPathOf(target, 'orders');
      const secret = path.split('/').at(-1) as string;
      const res = await target.app.inject({
        method,
        url: url(path, secret),
        headers: { 'content-type': 'application/json' },
        payload: method === 'GET' ? undefined : '{}',
      });
      target.answers.push(res.body);
      expect(target.logs.some((line) => line.includes('"msg":"request"'))).toBe(true);
      // The secret, and the percent-escaped spellings of it the rows send.
      const escaped = `%${secret.charCodeAt(0).toString(16)}${secret.slice(1)}`;
      expect(await leaksOf(target, secret, [escaped, secret.slice(1)])).toEqual([]);
    });
  });
});

/** The value at the bottom of a chain of one-key objects or one-item arrays. */
function innermost(value: unknown): unknown {
  let current = value;
  for (;;) {
    if (Array.isArray(current) && current.length === 1) current = current[0];
    else if (current !== null && typeof current === 'object' && 'a' in current) current = current.a;
    else return current;
  }
}

/** A webhook trigger for `sinkFlow`. */
function hook(): object {
  return { trigger: { webhook: {} } };
}

/** Delivers `body` to the `in` workflow's hook; resolves the run id. */
async function deliver(target: Target, body: string, type: string): Promise<string> {
  const res = await target.app.inject({
    method: 'POST',
    url: await hookPathOf(target, 'in'),
    headers: { 'content-type': type },
    payload: body,
  });
  target.answers.push(res.body);
  expect(res.statusCode).toBe(202);
  return String((JSON.parse(res.body) as { run_id: string }).run_id);
}

/** The hook path of `uid`, read without keeping the answer (it holds the secret, as it should). */
async function hookPathOf(target: Target, uid: string): Promise<string> {
  const res = await target.app.inject({
    method: 'GET',
    url: `/v1/workflows/${uid}/trigger`,
    headers: { authorization: `Bearer ${target.key}` },
  });
  return String((JSON.parse(res.body) as { hook_path: string }).hook_path);
}
