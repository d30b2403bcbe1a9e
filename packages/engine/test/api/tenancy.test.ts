/**
 * Tenancy over every route of the API: the routes come from the OpenAPI document, and each must be
 * classified in `ROUTES` below (a new route fails the first test until it is). acme (an admin and a
 * member) owns a workflow with a webhook trigger, a run, a connection and a global workflow, all made
 * through the API; globex's member and admin must get 404 for acme's resources (never 403, never the
 * data) and lists without acme's items; only acme's admins write the global workflow.
 */
import { randomBytes } from 'node:crypto';
import { createApiKey } from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import type { InjectOptions } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { codeOf, type Keys, useApiHarness } from './harness.js';

const METRICS_TOKEN = 'metrics-7c1d9e3a5b';

/** A small connector: one secret field, no test. */
const ledger: Connector = defineConnector({
  title: 'Ledger',
  connection: { fields: [{ name: 'api_key', controlType: 'password', optional: false }] },
});

const h = useApiHarness({
  waitLimitMs: 10_000,
  metricsToken: METRICS_TOKEN,
  // A revoked key must be refused on the next request here; api-key-cache.test.ts covers the cache.
  apiKeyCacheMs: 0,
  engine: { connectors: new Map([['ledger', ledger]]), secretKey: randomBytes(32) },
});

/** acme's resources, made through the API before each test. */
interface Acme {
  /** A workspace workflow with a webhook trigger. */
  workflow: string;
  /** A global workflow (with a webhook trigger too). */
  global: string;
  run: string;
  connection: string;
  /** The hook path of `workflow`, secret included. */
  hook: string;
}

/** Strings that only acme's own answers may hold (never a URL's own parameters). */
const ACME_DATA = ['Acme orders (private)', '/acme-order', 'acme-input-5521', 'acme-value-8842'];

type Who = 'globexMember' | 'globexAdmin';
const GLOBEX: Who[] = ['globexMember', 'globexAdmin'];

type Method = NonNullable<InjectOptions['method']>;

/** What globex's member and admin must get on a route called with acme's resources. */
type GlobexRule =
  /** 404 `SLUICE_API_NOT_FOUND`, with nothing of acme's in the body. */
  | { kind: 'not-found' }
  /** 200 with a list (`items` of the body) holding none of acme's workspace items (by their `id` field). */
  | { kind: 'list'; items: string; id: string }
  /** 200 with the same answer acme gets: the catalog is the same for every workspace. */
  | { kind: 'shared' }
  /** Makes the caller's own resource; the check says what must hold (acme's stays as it was). */
  | { kind: 'own'; check: (acme: Acme, who: Who) => Promise<void> };

/** How a route is tested. */
interface Rule {
  /** A public route (no API key): checks it on its own credentials instead. */
  public?: (acme: Acme) => Promise<void>;
  /** The URLs to call, with acme's resources in the path parameters (the first is used for 401s). */
  urls?: (acme: Acme) => string[];
  body?: (acme: Acme) => unknown;
  globex?: GlobexRule;
  /**
   * Routes of a workflow, on acme's global workflow: the status globex's callers get, and for writes
   * the 403 of acme's member (only admins of acme write it).
   */
  global?: { urls: (acme: Acme) => string[]; body?: (acme: Acme) => unknown; globex: number; write?: true };
}

/** A workflow with a webhook trigger whose step calls `path` on the test server. */
const doc = (uid: string, name: string, extra: object = {}, path = '/shared') => ({
  uid,
  name,
  default_retry: { total: 0 },
  steps: [{ name: 'call', apispec: { url: h.server.url(path) } }],
  trigger: { webhook: {} },
  ...extra,
});

/** The routes, as `<METHOD> <OpenAPI path>`. Add every new route here. */
const ROUTES: Record<string, Rule> = {
  'GET /health': {
    public: async () => {
      const res = await h.call(undefined, 'GET', '/health');
      expect([res.status, res.body.status]).toEqual([200, 'ok']);
    },
  },
  'GET /metrics': {
    public: async () => {
      // Its own token, never an API key (the metrics span every workspace).
      for (const key of [undefined, h.keys.acmeAdmin, h.keys.globexAdmin]) {
        const res = await h.app.inject({
          method: 'GET',
          url: '/metrics',
          headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
        });
        expect(res.statusCode).toBe(401);
      }
      const res = await h.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(res.statusCode).toBe(200);
    },
  },
  'POST /v1/hooks/{uid}/{secret}': {
    public: async (acme) => {
      // The secret is the credential: the hook answers without a key, and a wrong secret is a 404.
      const delivered = await h.call(undefined, 'POST', acme.hook, { order: 1 });
      expect(delivered.status).toBe(202);
      const wrong = await h.call(h.keys.globexAdmin, 'POST', `/v1/hooks/${acme.workflow}/not-the-secret`, {});
      expect([wrong.status, codeOf(wrong)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    },
  },
  'POST /v1/hooks/connectors/{workspace}/{connector}/{secret}': {
    public: async () => {
      // A connector's static webhook: the secret (derived from workspace and connector) is the credential.
      const wrong = await h.call(
        h.keys.globexAdmin,
        'POST',
        '/v1/hooks/connectors/acme/ledger/not-the-secret',
        {},
      );
      expect([wrong.status, codeOf(wrong)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    },
  },
  'POST /v1/workflows': {
    urls: () => ['/v1/workflows'],
    body: () => doc('any', 'any'),
    globex: {
      kind: 'own',
      check: async (acme, who) => {
        const own = await h.call(h.keys[who], 'POST', '/v1/workflows', doc(`wf-${who}`, 'own'));
        expect([own.status, own.body.workspace_id]).toEqual([201, 'globex']);
        // uids are unique across workspaces: a taken one answers 409, without acme's workflow.
        const taken = await h.call(h.keys[who], 'POST', '/v1/workflows', doc(acme.workflow, 'mine'));
        expect([taken.status, codeOf(taken)]).toEqual([409, 'SLUICE_WORKFLOW_CONFLICT']);
        expectNoAcmeData(taken.body);
      },
    },
  },
  'GET /v1/me': {
    urls: () => ['/v1/me'],
    globex: {
      kind: 'own',
      check: async (_acme, who) => {
        const me = await h.call(h.keys[who], 'GET', '/v1/me');
        expect([me.status, me.body.workspace_id]).toEqual([200, 'globex']);
        expectNoAcmeData(me.body);
      },
    },
  },
  'GET /v1/workflows': {
    urls: () => ['/v1/workflows', '/v1/workflows?limit=1'],
    globex: { kind: 'list', items: 'workflows', id: 'uid' },
  },
  'POST /v1/workflows/validate': {
    urls: (a) => [`/v1/workflows/validate?uid=${a.workflow}`],
    body: (a) => doc(a.workflow, 'taken over'),
    globex: { kind: 'not-found' },
    global: {
      urls: (a) => [`/v1/workflows/validate?uid=${a.global}`],
      body: (a) => doc(a.global, 'taken over', { scope: 'global' }),
      globex: 403,
      write: true,
    },
  },
  'GET /v1/workflows/{uid}/versions': {
    urls: (a) => [`/v1/workflows/${a.workflow}/versions`],
    globex: { kind: 'not-found' },
    global: { urls: (a) => [`/v1/workflows/${a.global}/versions`], globex: 200 },
  },
  'GET /v1/triggers': {
    urls: () => ['/v1/triggers'],
    globex: { kind: 'list', items: 'triggers', id: 'workflow_uid' },
  },
  'GET /v1/workflows/{uid}': {
    urls: (a) => [`/v1/workflows/${a.workflow}`, `/v1/workflows/${a.workflow}?version=1`],
    globex: { kind: 'not-found' },
    global: {
      urls: (a) => [`/v1/workflows/${a.global}`, `/v1/workflows/${a.global}?version=1`],
      globex: 200,
    },
  },
  'PUT /v1/workflows/{uid}': {
    urls: (a) => [`/v1/workflows/${a.workflow}`],
    body: (a) => doc(a.workflow, 'taken over'),
    globex: { kind: 'not-found' },
    global: {
      urls: (a) => [`/v1/workflows/${a.global}`],
      body: (a) => doc(a.global, 'taken over', { scope: 'global' }),
      globex: 403,
      write: true,
    },
  },
  'DELETE /v1/workflows/{uid}': {
    urls: (a) => [`/v1/workflows/${a.workflow}`],
    globex: { kind: 'not-found' },
    global: { urls: (a) => [`/v1/workflows/${a.global}`], globex: 403, write: true },
  },
  'GET /v1/workflows/{uid}/trigger': {
    urls: (a) => [`/v1/workflows/${a.workflow}/trigger`],
    globex: { kind: 'not-found' },
    // The hook secret is acme's: another workspace does not see the trigger of a global workflow.
    global: { urls: (a) => [`/v1/workflows/${a.global}/trigger`], globex: 404 },
  },
  'POST /v1/workflows/{uid}/trigger/enable': {
    urls: (a) => [`/v1/workflows/${a.workflow}/trigger/enable`],
    globex: { kind: 'not-found' },
    global: { urls: (a) => [`/v1/workflows/${a.global}/trigger/enable`], globex: 403, write: true },
  },
  'POST /v1/workflows/{uid}/trigger/disable': {
    urls: (a) => [`/v1/workflows/${a.workflow}/trigger/disable`],
    globex: { kind: 'not-found' },
    global: { urls: (a) => [`/v1/workflows/${a.global}/trigger/disable`], globex: 403, write: true },
  },
  'POST /v1/workflows/{uid}/runs': {
    urls: (a) => [`/v1/workflows/${a.workflow}/runs`],
    body: () => ({ input: {} }),
    globex: { kind: 'not-found' },
    // Runnable by every workspace (the run is the caller's: see "runs follow their caller").
    global: { urls: (a) => [`/v1/workflows/${a.global}/runs`], body: () => ({ input: {} }), globex: 202 },
  },
  'POST /v1/workflows/{uid}/steps/{name}/test': {
    urls: (a) => [`/v1/workflows/${a.workflow}/steps/call/test`],
    body: () => ({ state: {} }),
    globex: { kind: 'not-found' },
    // Testable by every workspace that may run it (nothing is recorded).
    global: {
      urls: (a) => [`/v1/workflows/${a.global}/steps/call/test`],
      body: () => ({ state: {} }),
      globex: 200,
    },
  },
  'GET /v1/runs/{id}': { urls: (a) => [`/v1/runs/${a.run}`], globex: { kind: 'not-found' } },
  'GET /v1/runs/{id}/attempts': {
    urls: (a) => [`/v1/runs/${a.run}/attempts`, `/v1/runs/${a.run}/attempts?step=call&item=0`],
    globex: { kind: 'not-found' },
  },
  'GET /v1/settings': {
    urls: () => ['/v1/settings'],
    globex: {
      kind: 'own',
      check: async (_acme, who) => {
        const own = await h.call(h.keys[who], 'GET', '/v1/settings');
        expect([own.status, own.body.workspace_id]).toEqual([200, 'globex']);
      },
    },
  },
  'PUT /v1/settings': {
    urls: () => ['/v1/settings'],
    body: () => ({ attempt_retention_days: 3 }),
    globex: {
      kind: 'own',
      check: async (_acme, who) => {
        // Each workspace's own settings; only its admins change them.
        const own = await h.call(h.keys[who], 'PUT', '/v1/settings', { attempt_retention_days: 2 });
        expect(own.status).toBe(who === 'globexAdmin' ? 200 : 403);
        if (who === 'globexAdmin') expect(own.body.workspace_id).toBe('globex');
        const acmes = await h.call(h.keys.acmeMember, 'GET', '/v1/settings');
        expect(acmes.body.attempt_retention_days).toBe(7);
      },
    },
  },
  'GET /v1/runs': {
    urls: (a) => ['/v1/runs', `/v1/runs?workflow=${a.workflow}`, '/v1/runs?status=succeeded'],
    globex: { kind: 'list', items: 'runs', id: 'id' },
  },
  'POST /v1/runs/{id}/cancel': { urls: (a) => [`/v1/runs/${a.run}/cancel`], globex: { kind: 'not-found' } },
  'POST /v1/runs/{id}/retry': { urls: (a) => [`/v1/runs/${a.run}/retry`], globex: { kind: 'not-found' } },
  'POST /v1/connections': {
    urls: () => ['/v1/connections'],
    body: (a) => ({ name: a.connection, connector: 'ledger', values: { api_key: 'k' } }),
    globex: {
      kind: 'own',
      check: async (acme, who) => {
        // The same name in globex is globex's own connection; acme's keeps its values.
        const own = await h.call(h.keys[who], 'POST', '/v1/connections', {
          name: acme.connection,
          connector: 'ledger',
          values: { api_key: `globex-${who}` },
        });
        expect(own.status).toBe(who === 'globexMember' ? 201 : 200);
        expectNoAcmeData(own.body);
        const theirs = await h.call(h.keys[who], 'GET', `/v1/credentials/${acme.connection}`);
        expect(theirs.body.values).toEqual({ api_key: `globex-${who}` });
        const acmes = await h.call(h.keys.acmeMember, 'GET', `/v1/credentials/${acme.connection}`);
        expect(acmes.body.values).toEqual({ api_key: 'acme-value-8842' });
      },
    },
  },
  'GET /v1/connections': {
    urls: () => ['/v1/connections'],
    globex: { kind: 'list', items: 'connections', id: 'name' },
  },
  'GET /v1/connections/{name}': {
    urls: (a) => [`/v1/connections/${a.connection}`],
    globex: { kind: 'not-found' },
  },
  'DELETE /v1/connections/{name}': {
    urls: (a) => [`/v1/connections/${a.connection}`],
    globex: { kind: 'not-found' },
  },
  'POST /v1/connections/{name}/test': {
    urls: (a) => [`/v1/connections/${a.connection}/test`],
    globex: { kind: 'not-found' },
  },
  'GET /v1/connectors': { urls: () => ['/v1/connectors'], globex: { kind: 'shared' } },
  'GET /v1/connectors/{name}': { urls: () => ['/v1/connectors/ledger'], globex: { kind: 'shared' } },
  // The service's filter names and SYSTEM_APIS keys: the same for every workspace.
  'GET /v1/templates/reference': { urls: () => ['/v1/templates/reference'], globex: { kind: 'shared' } },
  'GET /v1/credentials/{name}': {
    urls: (a) => [`/v1/credentials/${a.connection}`],
    globex: { kind: 'not-found' },
  },
};

function expectNoAcmeData(body: unknown): void {
  const text = JSON.stringify(body);
  for (const data of ACME_DATA) expect(text).not.toContain(data);
}

/** Calls `method url` as `who` (a harness key, or any key), with the rule's body if it has one. */
function send(key: string | undefined, method: Method, url: string, body?: unknown) {
  return h.call(key, method, url, body);
}

/** The routes of the OpenAPI document, as `<METHOD> <path>`. */
async function documentedRoutes(): Promise<string[]> {
  await h.app.ready();
  const { paths } = h.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Every classified route with what the sweep needs of it. */
function rules(filter: (rule: Rule) => boolean): [Method, string, Rule][] {
  return Object.entries(ROUTES)
    .filter(([, rule]) => filter(rule))
    .map(([route, rule]) => {
      const [method, path] = route.split(' ') as [Method, string];
      return [method, path, rule];
    });
}

let acme: Acme;

beforeEach(async () => {
  const { acmeAdmin, acmeMember } = h.keys;
  for (const path of ['/acme-order', '/shared']) h.server.script(path, [{ status: 200, body: { ok: true } }]);
  const workflow = await h.call(
    acmeMember,
    'POST',
    '/v1/workflows',
    doc('wf-acme', 'Acme orders (private)', {}, '/acme-order'),
  );
  const global = await h.call(
    acmeAdmin,
    'POST',
    '/v1/workflows',
    doc('wf-acme-global', 'Shared', { scope: 'global' }),
  );
  expect([workflow.status, global.status]).toEqual([201, 201]);
  const connection = await h.call(acmeMember, 'POST', '/v1/connections', {
    name: 'acme-ledger',
    connector: 'ledger',
    values: { api_key: 'acme-value-8842' },
  });
  expect(connection.status).toBe(201);
  const run = await h.call(acmeMember, 'POST', '/v1/workflows/wf-acme/runs?wait=true', {
    input: { marker: 'acme-input-5521' },
  });
  expect(run.body.status).toBe('succeeded');
  const trigger = await h.call(acmeMember, 'GET', '/v1/workflows/wf-acme/trigger');
  expect(trigger.body).toMatchObject({ kind: 'webhook', enabled: true });
  acme = {
    workflow: 'wf-acme',
    global: 'wf-acme-global',
    run: String(run.body.id),
    connection: 'acme-ledger',
    hook: String(trigger.body.hook_path),
  };
});

/** acme's resources are as `beforeEach` left them. */
async function expectAcmeIntact(): Promise<void> {
  const { acmeMember } = h.keys;
  const workflow = await h.call(acmeMember, 'GET', `/v1/workflows/${acme.workflow}`);
  expect(workflow.body).toMatchObject({ version: 1, deleted: false, name: 'Acme orders (private)' });
  const global = await h.call(acmeMember, 'GET', `/v1/workflows/${acme.global}`);
  expect(global.body).toMatchObject({ version: 1, deleted: false, name: 'Shared' });
  for (const uid of [acme.workflow, acme.global]) {
    const trigger = await h.call(acmeMember, 'GET', `/v1/workflows/${uid}/trigger`);
    expect([uid, trigger.body.enabled]).toEqual([uid, true]);
  }
  expect((await h.call(acmeMember, 'GET', `/v1/runs/${acme.run}`)).body.status).toBe('succeeded');
  const credentials = await h.call(acmeMember, 'GET', `/v1/credentials/${acme.connection}`);
  expect(credentials.body.values).toEqual({ api_key: 'acme-value-8842' });
}

describe('the tenancy table', () => {
  it('classifies every route of the OpenAPI document, and only those', async () => {
    const routes = await documentedRoutes();
    const missing = routes.filter((route) => ROUTES[route] === undefined);
    expect(
      missing,
      `these routes are not in ROUTES of packages/engine/test/api/tenancy.test.ts: classify each ` +
        `(public, or its URLs with acme's resources and what globex's callers must get)`,
    ).toEqual([]);
    const stale = Object.keys(ROUTES).filter((route) => !routes.includes(route));
    expect(stale, 'these ROUTES entries name no route of the app any more: remove them').toEqual([]);
    for (const [route, rule] of Object.entries(ROUTES)) {
      const classified = rule.public !== undefined || (rule.urls !== undefined && rule.globex !== undefined);
      expect([route, classified]).toEqual([route, true]);
    }
  });
});

describe('authentication', () => {
  it('answers 401 on every route but the public ones without a key, with a malformed header or a revoked key', async () => {
    const { key: revoked, row } = await createApiKey(h.store, {
      workspace: 'acme',
      email: 'old@acme.test',
      role: 'admin',
    });
    expect((await h.call(revoked, 'GET', `/v1/workflows/${acme.workflow}`)).status).toBe(200);
    expect(await h.store.apiKeys.revoke(row.id, new Date().toISOString())).toBe(true);
    for (const [method, path, rule] of rules((r) => r.public === undefined)) {
      const url = (rule.urls?.(acme) ?? [])[0] as string;
      const body = rule.body?.(acme);
      for (const [label, headers] of [
        ['no key', {}],
        ['a malformed header', { authorization: `Basic ${h.keys.acmeAdmin}` }],
        ['a revoked key', { authorization: `Bearer ${revoked}` }],
      ] as const) {
        const res = await h.call(undefined, method, url, body, headers);
        expect([method, path, label, res.status, codeOf(res)]).toEqual([
          method,
          path,
          label,
          401,
          'SLUICE_API_UNAUTHORIZED',
        ]);
      }
    }
    await expectAcmeIntact();
  });

  it('does not open a route through a public prefix (dot segments, encodings)', async () => {
    for (const url of [
      '/v1/hooks/../workflows',
      '/v1/hooks/%2e%2e/%2e%2e/v1/workflows',
      '/v1/hooks/..%2f..%2fv1/workflows',
      '/health/../v1/workflows',
      '/docs/../v1/workflows',
      '/metrics/../v1/runs',
      '/openapi.json/../v1/connections',
      `/v1/hooks/${acme.workflow}/x/../../../workflows/${acme.workflow}`,
    ]) {
      const res = await h.call(undefined, 'GET', url);
      expect([url, res.status === 401 || res.status === 404]).toEqual([url, true]);
      expectNoAcmeData(res.body);
    }
  });

  it('serves the public routes on their own credentials', async () => {
    for (const [, , rule] of rules((r) => r.public !== undefined)) await rule.public?.(acme);
  });
});

describe("globex's callers on acme's resources", () => {
  it('get 404, never 403 and never the data, on every route of a resource (HEAD too)', async () => {
    for (const [method, path, rule] of rules((r) => r.globex?.kind === 'not-found')) {
      for (const url of rule.urls?.(acme) ?? []) {
        for (const who of GLOBEX) {
          const res = await send(h.keys[who], method, url, rule.body?.(acme));
          expect([who, method, path, url, res.status, codeOf(res)]).toEqual([
            who,
            method,
            path,
            url,
            404,
            'SLUICE_API_NOT_FOUND',
          ]);
          expect(Object.keys(res.body)).toEqual(['error']);
          expectNoAcmeData(res.body);
          if (method === 'GET') {
            const head = await h.app.inject({
              method: 'HEAD',
              url,
              headers: { authorization: `Bearer ${h.keys[who]}` },
            });
            expect([who, 'HEAD', url, head.statusCode]).toEqual([who, 'HEAD', url, 404]);
          }
        }
      }
    }
    await expectAcmeIntact();
  });

  it("get lists that hold none of acme's workspace items (the global workflow is listed)", async () => {
    const acmeItems = [acme.workflow, acme.run, acme.connection];
    for (const [method, path, rule] of rules((r) => r.globex?.kind === 'list')) {
      const { items, id } = rule.globex?.kind === 'list' ? rule.globex : { items: '', id: '' };
      for (const url of rule.urls?.(acme) ?? []) {
        for (const who of GLOBEX) {
          const res = await send(h.keys[who], method, url);
          const list = res.body[items] as Record<string, unknown>[];
          expect([who, path, url, res.status, Array.isArray(list)]).toEqual([who, path, url, 200, true]);
          const leaked = list.map((item) => item[id]).filter((value) => acmeItems.includes(String(value)));
          expect([who, url, leaked]).toEqual([who, url, []]);
          expectNoAcmeData(list);
        }
      }
    }
    // The lists are not empty by accident: acme sees its items, and globex the global workflow.
    const own = await h.call(h.keys.acmeMember, 'GET', '/v1/runs');
    expect((own.body.runs as { id: string }[]).map((r) => r.id)).toContain(acme.run);
    const listed = await h.call(h.keys.globexMember, 'GET', '/v1/workflows');
    expect((listed.body.workflows as { uid: string }[]).map((w) => w.uid)).toEqual([acme.global]);
  });

  it('get the same connector catalog as acme', async () => {
    for (const [method, path, rule] of rules((r) => r.globex?.kind === 'shared')) {
      for (const url of rule.urls?.(acme) ?? []) {
        const theirs = await send(h.keys.acmeMember, method, url);
        expect([path, theirs.status]).toEqual([path, 200]);
        for (const who of GLOBEX) expect(await send(h.keys[who], method, url)).toEqual(theirs);
      }
    }
  });

  it("make their own resources, leaving acme's as they were", async () => {
    for (const [, , rule] of rules((r) => r.globex?.kind === 'own')) {
      for (const who of GLOBEX) if (rule.globex?.kind === 'own') await rule.globex.check(acme, who);
    }
    await expectAcmeIntact();
  });
});

describe("acme's global workflow", () => {
  it("is read and run by globex, and written only by acme's admins (403 to members and to globex's admin)", async () => {
    for (const [method, path, rule] of rules((r) => r.global !== undefined)) {
      const global = rule.global as NonNullable<Rule['global']>;
      const callers: (keyof Keys)[] = global.write === true ? [...GLOBEX, 'acmeMember'] : GLOBEX;
      for (const url of global.urls(acme)) {
        for (const who of callers) {
          const res = await send(h.keys[who], method, url, global.body?.(acme));
          expect([who, method, path, res.status]).toEqual([who, method, path, global.globex]);
          if (res.status === 403) expect(codeOf(res)).toBe('SLUICE_API_FORBIDDEN');
          if (res.status === 404) expectNoAcmeData(res.body);
        }
      }
    }
    await expectAcmeIntact();
    // acme's admin does write it.
    const disabled = await h.call(h.keys.acmeAdmin, 'POST', `/v1/workflows/${acme.global}/trigger/disable`);
    expect([disabled.status, disabled.body.enabled]).toEqual([200, false]);
    const updated = await h.call(h.keys.acmeAdmin, 'PUT', `/v1/workflows/${acme.global}`, {
      ...doc(acme.global, 'Shared v2', { scope: 'global' }),
    });
    expect([updated.status, updated.body.version]).toEqual([200, 2]);
  });

  it('cannot be published or made global by a member (403), in either workspace', async () => {
    for (const who of ['acmeMember', 'globexMember'] as const) {
      const res = await h.call(
        h.keys[who],
        'POST',
        '/v1/workflows',
        doc(`wf-${who}`, 'g', { scope: 'global' }),
      );
      expect([who, res.status, codeOf(res)]).toEqual([who, 403, 'SLUICE_API_FORBIDDEN']);
    }
    const promoted = await h.call(h.keys.acmeMember, 'PUT', `/v1/workflows/${acme.workflow}`, {
      ...doc(acme.workflow, 'Acme orders (private)', { scope: 'global' }),
    });
    expect([promoted.status, codeOf(promoted)]).toEqual([403, 'SLUICE_API_FORBIDDEN']);
    await expectAcmeIntact();
  });

  it("starts runs that belong to their caller's workspace: globex's run is not acme's", async () => {
    const run = await h.call(h.keys.globexMember, 'POST', `/v1/workflows/${acme.global}/runs?wait=true`, {});
    expect(run.body).toMatchObject({ status: 'succeeded', workspace_id: 'globex' });
    const id = String(run.body.id);
    for (const who of ['acmeAdmin', 'acmeMember'] as const) {
      const read = await h.call(h.keys[who], 'GET', `/v1/runs/${id}`);
      expect([who, read.status, codeOf(read)]).toEqual([who, 404, 'SLUICE_API_NOT_FOUND']);
      const list = await h.call(h.keys[who], 'GET', `/v1/runs?workflow=${acme.global}`);
      expect(JSON.stringify(list.body)).not.toContain(id);
    }
    const theirs = await h.call(h.keys.globexAdmin, 'GET', `/v1/runs?workflow=${acme.global}`);
    expect((theirs.body.runs as { id: string }[]).map((r) => r.id)).toEqual([id]);
  });
});
