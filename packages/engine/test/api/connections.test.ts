/**
 * The connections and credentials API over a real SQLite file and a loopback API: CRUD per workspace,
 * values never in an answer but the credentials one nor in the database file, connection tests, and a
 * published workflow that fetches its credentials with `USER.token`.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { internalsOf } from '@sluice/engine/internal';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { RunTokens } from '../../src/secrets/run-token.js';
import { codeOf, useApiHarness } from './harness.js';

const API_KEY = 'ak-live-7f3a9c1e5b2d';
const PIN = '864209';
const GLOBEX_KEY = 'ak-globex-0c9d8e7f6a5b';

/** A tiny connector: an API key and a PIN (both passwords), and a test that calls `/me`. */
const crm: Connector = defineConnector({
  title: 'Tiny CRM',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'api_key', controlType: 'password', optional: false },
      { name: 'pin', controlType: 'password', optional: false },
      {
        name: 'region',
        optional: true,
        options: [
          ['EU', 'eu'],
          ['US', 'us'],
        ],
      },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) =>
        request.headers({ 'x-api-key': String(connection.api_key), 'x-pin': String(connection.pin) }),
    },
  },
  test: async ({ http }) => {
    const me = await http.get<{ id: string; active: boolean; echo?: string }>('/me');
    if (!me.active) throw new Error(`account ${me.id} is not active`);
    return me;
  },
});

const h = useApiHarness({
  waitLimitMs: 10_000,
  listen: true,
  engine: { connectors: new Map([['crm', crm]]), secretKey: randomBytes(32) },
});

const values = (extra: object = {}) => ({ base_url: h.server.origin, api_key: API_KEY, pin: PIN, ...extra });

/** Every string of an answer's JSON must not hold a secret. */
function expectNoSecrets(body: unknown): void {
  const text = JSON.stringify(body);
  for (const secret of [API_KEY, PIN, GLOBEX_KEY]) expect(text).not.toContain(secret);
}

const save = (key: string, name: string, body: object = {}) =>
  h.call(key, 'POST', '/v1/connections', { name, connector: 'crm', values: values(), ...body });

describe('POST /v1/connections', () => {
  it('creates (201) and replaces (200) a connection, answering its value names, never the values', async () => {
    const created = await save(h.keys.acmeMember, 'main');
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/v1/connections/main');
    expect(created.body).toEqual({
      name: 'main',
      connector: 'crm',
      fields: ['api_key', 'base_url', 'pin'],
      created_at: expect.any(String),
      updated_at: expect.any(String),
      user_id: 'bob@acme.test',
    });
    const replaced = await save(h.keys.acmeAdmin, 'main', { values: values({ region: 'eu' }) });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      fields: ['api_key', 'base_url', 'pin', 'region'],
      created_at: created.body.created_at,
      user_id: 'ann@acme.test',
    });
    expectNoSecrets([created.body, replaced.body]);
  });

  it('refuses an unregistered connector, values that break the fields, and a bad body, naming the field', async () => {
    const unknown = await save(h.keys.acmeMember, 'x', { connector: 'nope' });
    expect([unknown.status, codeOf(unknown)]).toEqual([400, 'SLUICE_CONNECTION']);
    expect((unknown.body.error as { message: string }).message).toBe(
      'connection x: connector "nope" is not registered (registered: crm)',
    );

    const bad = await save(h.keys.acmeMember, 'x', {
      values: { base_url: h.server.origin, pin: 12, region: 'mars' },
    });
    expect([bad.status, codeOf(bad)]).toEqual([400, 'SLUICE_CONNECTION']);
    const error = bad.body.error as { message: string; details: { problems: { path: string }[] } };
    expect(error.message).toContain('connection x: the values break the connection fields of crm');
    expect(error.details.problems.map((p) => p.path).sort()).toEqual([
      'values.api_key',
      'values.pin',
      'values.region',
    ]);

    for (const [body, path] of [
      [{ name: 'has space', connector: 'crm', values: {} }, 'body.name'],
      [{ connector: 'crm', values: {} }, 'body'],
      [{ name: 'x', connector: 'crm', values: [] }, 'body.values'],
      [{ name: 'x', connector: 'crm', values: {}, extra: 1 }, 'body.extra'],
    ] as const) {
      const res = await h.call(h.keys.acmeMember, 'POST', '/v1/connections', body);
      expect([res.status, codeOf(res)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
      const problems = (res.body.error as { details: { problems: { path: string }[] } }).details.problems;
      expect(problems.map((p) => p.path)).toContain(path);
    }
    const list = await h.call(h.keys.acmeMember, 'GET', '/v1/connections');
    expect(list.body).toEqual({ connections: [] });
  });
});

describe('connections per workspace', () => {
  it('lists, reads and deletes only inside the workspace; another workspace gets 404 as for a missing one', async () => {
    await save(h.keys.acmeMember, 'main');
    await save(h.keys.acmeMember, 'backup');
    await save(h.keys.globexMember, 'main', { values: values({ api_key: GLOBEX_KEY }) });

    const acme = await h.call(h.keys.acmeAdmin, 'GET', '/v1/connections');
    expect((acme.body.connections as { name: string }[]).map((c) => c.name)).toEqual(['backup', 'main']);
    const one = await h.call(h.keys.acmeAdmin, 'GET', '/v1/connections/main');
    expect(one.body).toMatchObject({ name: 'main', connector: 'crm', user_id: 'bob@acme.test' });
    const globex = await h.call(h.keys.globexAdmin, 'GET', '/v1/connections');
    expect((globex.body.connections as { user_id: string }[]).map((c) => c.user_id)).toEqual([
      'gil@globex.test',
    ]);
    expectNoSecrets([acme.body, one.body, globex.body]);

    for (const [method, url] of [
      ['GET', '/v1/connections/backup'],
      ['DELETE', '/v1/connections/backup'],
      ['POST', '/v1/connections/backup/test'],
      ['GET', '/v1/credentials/backup'],
      ['GET', '/v1/connections/nothing'],
      ['GET', '/v1/credentials/nothing'],
    ] as const) {
      const res = await h.call(h.keys.globexMember, method, url);
      expect([method, url, res.status, codeOf(res)]).toEqual([method, url, 404, 'SLUICE_API_NOT_FOUND']);
    }

    const deleted = await h.call(h.keys.acmeMember, 'DELETE', '/v1/connections/backup');
    expect(deleted.status).toBe(204);
    const gone = await h.call(h.keys.acmeMember, 'GET', '/v1/connections/backup');
    expect(gone.status).toBe(404);
    const again = await h.call(h.keys.acmeMember, 'DELETE', '/v1/connections/backup');
    expect(again.status).toBe(404);
    const kept = await h.call(h.keys.globexMember, 'GET', '/v1/credentials/main');
    expect(kept.body).toMatchObject({ values: { api_key: GLOBEX_KEY } });
  });

  it('answers the values only through GET /v1/credentials/{name}, and stores them sealed', async () => {
    await save(h.keys.acmeMember, 'main');
    const credentials = await h.call(h.keys.acmeAdmin, 'GET', '/v1/credentials/main');
    expect(credentials.status).toBe(200);
    expect(credentials.headers['cache-control']).toBe('no-store');
    expect(credentials.body).toEqual({ name: 'main', connector: 'crm', values: values() });

    const row = await h.store.connections.get('acme', 'main');
    expect(row?.sealed_values).toMatch(/^v1\./);
    // Every byte SQLite wrote (the database and its WAL) is free of the values.
    const files = readdirSync(h.dir).filter((f) => f.startsWith('sluice.db'));
    expect(files).toContain('sluice.db');
    for (const file of files) {
      const bytes = readFileSync(join(h.dir, file));
      for (const secret of [API_KEY, PIN]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });
});

describe('POST /v1/connections/{name}/test', () => {
  it("answers 200 with the test's result when it passes", async () => {
    h.server.script('/me', [{ status: 200, body: { id: 'u1', active: true, echo: API_KEY } }]);
    await save(h.keys.acmeMember, 'main');
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/connections/main/test');
    expect(res.status).toBe(200);
    // A secret the API echoes back is masked.
    expect(res.body).toEqual({ ok: true, result: { id: 'u1', active: true, echo: '[redacted]' } });
    const seen = h.server.requests('/me')[0];
    expect(seen?.headers['x-api-key']).toBe(API_KEY);
    expect(seen?.headers['x-pin']).toBe(PIN);
  });

  it("answers 422 SLUICE_CONNECTION_TEST with the test's error when it fails", async () => {
    await save(h.keys.acmeMember, 'main');
    h.server.script('/me', [{ status: 200, body: { id: 'u1', active: false } }]);
    const inactive = await h.call(h.keys.acmeMember, 'POST', '/v1/connections/main/test');
    expect([inactive.status, codeOf(inactive)]).toEqual([422, 'SLUICE_CONNECTION_TEST']);
    expect((inactive.body.error as { message: string }).message).toBe(
      'connection main: the test failed: account u1 is not active',
    );
    h.server.script('/me', [{ status: 401, body: { error: 'bad key' } }]);
    const refused = await h.call(h.keys.acmeMember, 'POST', '/v1/connections/main/test');
    expect([refused.status, codeOf(refused)]).toEqual([422, 'SLUICE_CONNECTION_TEST']);
    expect((refused.body.error as { message: string }).message).toMatch(
      /^connection main: the test failed: 401 Unauthorized \(GET http:\/\/127\.0\.0\.1:\d+\/me\)$/,
    );
    expectNoSecrets([inactive.body, refused.body]);
  });
});

describe('USER.token and SYSTEM_APIS.credentials', () => {
  it('lets a step fetch its credentials with USER.token; the run record shows them and the token redacted', async () => {
    await save(h.keys.acmeMember, 'main');
    await save(h.keys.globexMember, 'theirs', { values: values({ api_key: GLOBEX_KEY }) });
    h.server.script('/use', [{ status: 200, body: { ok: true } }]);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'fetch-credentials',
      default_retry: { total: 0 },
      steps: [
        {
          name: 'credentials',
          apispec: {
            url: '{{ SYSTEM_APIS.credentials }}/main',
            headers: { Authorization: 'Bearer {{ USER.token }}' },
          },
        },
        {
          name: 'use',
          apispec: {
            url: h.server.url('/use'),
            method: 'post',
            headers: { 'x-token': '{{ USER.token }}' },
            json_body: {
              key: '{{ STEPS.credentials.output.values.api_key }}',
              pin: '{{ STEPS.credentials.output.values.pin }}',
              apis: '{{ SYSTEM_APIS }}',
            },
          },
        },
      ],
    });
    expect(published.status).toBe(201);
    const run = await h.call(
      h.keys.acmeMember,
      'POST',
      `/v1/workflows/${published.body.uid}/runs?wait=true`,
      {},
    );
    expect(run.body).toMatchObject({ status: 'succeeded' });

    // The step got the values and the engine's own base URLs.
    const used = h.server.requests('/use')[0];
    const sent = JSON.parse(used?.body ?? '{}') as { key: string; pin: string; apis: Record<string, string> };
    expect([sent.key, sent.pin]).toEqual([API_KEY, PIN]);
    expect(sent.apis).toEqual({
      sluice: h.baseUrl,
      credentials: `${h.baseUrl}/v1/credentials`,
      workflows: `${h.baseUrl}/v1/workflows`,
      runs: `${h.baseUrl}/v1/runs`,
    });
    const token = String(used?.headers['x-token']);
    expect(token).toMatch(/^rt_/);

    // The stored record has neither the values nor the token.
    const record = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${run.body.id}`);
    const steps = record.body.steps as { output: unknown; history: unknown }[];
    expect(steps[0]?.output).toMatchObject({
      name: 'main',
      values: { api_key: '[redacted]', pin: '[redacted]', base_url: h.server.origin },
    });
    const text = JSON.stringify(record.body);
    expect(text).not.toContain(token);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(PIN);
    for (const file of readdirSync(h.dir).filter((f) => f.startsWith('sluice.db'))) {
      const bytes = readFileSync(join(h.dir, file));
      for (const secret of [token, API_KEY, PIN]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }

    // The run ended, so its token no longer opens the API (run-token-scope.test.ts: what a live one may do).
    const after = await h.call(token, 'GET', '/v1/credentials/main');
    expect([after.status, codeOf(after)]).toEqual([401, 'SLUICE_API_UNAUTHORIZED']);
  });

  it('answers 401 to a garbage, forged or expired run token', async () => {
    await save(h.keys.acmeMember, 'main');
    const caller = {
      id: 'bob@acme.test',
      email: 'bob@acme.test',
      workspace_id: 'acme',
      role: 'member' as const,
    };
    const expired = new RunTokens(internalsOf(h.engine).deriveKey('run-tokens'), {
      now: () => Date.now() - 2 * 60 * 60 * 1000,
    }).issue(caller, 'run-1');
    const forged = new RunTokens(randomBytes(32)).issue(caller, 'run-1');
    const valid = h.engine.runTokens.issue(caller, 'run-1');
    // Well signed, but for a run that is not in the store.
    expect((await h.call(valid, 'GET', '/v1/credentials/main')).status).toBe(401);
    for (const [token, message] of [
      ['rt_garbage', 'the run token is not valid'],
      [`${valid.slice(0, -2)}xx`, 'the run token is not valid'],
      [forged, 'the run token is not valid'],
      [expired, 'the run token has expired'],
    ] as const) {
      const res = await h.call(token, 'GET', '/v1/credentials/main');
      expect([res.status, codeOf(res), (res.body.error as { message: string }).message]).toEqual([
        401,
        'SLUICE_API_UNAUTHORIZED',
        message,
      ]);
    }
  });
});
