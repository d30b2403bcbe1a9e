/**
 * What a run token (`USER.token`) may do over a real loopback API: read what its workspace may, start,
 * cancel and retry runs, and nothing else (403 on every other write, whatever the role); and only while
 * its run is unfinished (401 once it ended, or for a run not in the store).
 */
import { randomBytes } from 'node:crypto';
import { type ApiCaller, isSluiceError } from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { assertCallerMay } from '../../src/api/access.js';
import { codeOf, flow, useApiHarness } from './harness.js';

const API_KEY = 'ak-scope-3d9c2b7e1f';

/** A connector with one secret field and nothing to test. */
const vault: Connector = defineConnector({
  title: 'Vault',
  connection: { fields: [{ name: 'api_key', controlType: 'password', optional: false }] },
});

const h = useApiHarness({
  waitLimitMs: 10_000,
  listen: true,
  engine: { connectors: new Map([['vault', vault]]), secretKey: randomBytes(32) },
});

const ACME_ADMIN: ApiCaller = {
  id: 'ann@acme.test',
  email: 'ann@acme.test',
  workspace_id: 'acme',
  role: 'admin',
};

const errorOf = (res: { body: Record<string, unknown> }) => res.body.error as { message: string };

/** Publishes `document` as acme's admin and answers its uid. */
async function publish(document: object): Promise<string> {
  const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', document);
  expect(res.status).toBe(201);
  return String(res.body.uid);
}

/** Starts a run of `uid` whose only step hangs on the test server, and waits until it is running. */
async function hangingRun(): Promise<string> {
  h.server.script('/hang', [{ hang: true }]);
  const uid = await publish(flow(h.server, 'hangs', ['hang']));
  const run = await h.call(h.keys.acmeAdmin, 'POST', `/v1/workflows/${uid}/runs`, {});
  expect(run.status).toBe(202);
  while (h.server.count('/hang') === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  return String(run.body.id);
}

describe('USER.token in a step', () => {
  it('reads its workspace and starts a run, is refused a publish (403), and stops working when its run ended', async () => {
    h.server.script('/child', [{ status: 200, body: { ok: true } }]);
    h.server.script('/leak', [{ status: 200, body: {} }]);
    const child = await publish(flow(h.server, 'child', ['child']));
    const auth = { Authorization: 'Bearer {{ USER.token }}' };
    const parent = await publish({
      name: 'parent',
      default_retry: { total: 0 },
      steps: [
        { name: 'list', apispec: { url: '{{ SYSTEM_APIS.workflows }}', headers: auth } },
        {
          name: 'start',
          apispec: {
            url: `{{ SYSTEM_APIS.workflows }}/${child}/runs`,
            method: 'post',
            headers: auth,
            json_body: { input: { from: 'parent' } },
          },
        },
        { name: 'leak', apispec: { url: h.server.url('/leak'), headers: { 'x-token': '{{ USER.token }}' } } },
        {
          name: 'publish',
          apispec: {
            url: '{{ SYSTEM_APIS.workflows }}',
            method: 'post',
            headers: auth,
            json_body: {
              uid: 'sneaky',
              name: 'sneaky',
              steps: [{ name: 's', apispec: { url: h.server.url('/s') } }],
            },
          },
        },
      ],
    });

    const run = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${parent}/runs?wait=true`, {});
    expect(run.body.status).toBe('failed');
    const steps = run.body.steps as { name: string; status: string; output?: Record<string, unknown> }[];
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['list', 'succeeded'],
      ['start', 'succeeded'],
      ['leak', 'succeeded'],
      ['publish', 'failed'],
    ]);
    // The token read acme's workflows, not globex's.
    const listed = ((steps[0]?.output?.workflows ?? []) as { uid: string }[]).map((w) => w.uid).sort();
    expect(listed).toEqual([child, parent].sort());
    // The run it started is acme's, for the run's caller.
    const started = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${steps[1]?.output?.id}`);
    expect(started.body).toMatchObject({
      workflow_uid: child,
      workspace_id: 'acme',
      input: { from: 'parent' },
    });
    // The publish answered 403 and stored nothing.
    expect(run.body.error).toMatchObject({ type: 'status', status: 403 });
    const body = JSON.parse(String((run.body.error as { body: string }).body)) as {
      error: { code: string; message: string };
    };
    expect(body.error).toMatchObject({
      code: 'SLUICE_API_FORBIDDEN',
      message: 'run tokens cannot change configuration: POST /v1/workflows needs an API key',
    });
    expect((await h.call(h.keys.acmeAdmin, 'GET', '/v1/workflows/sneaky')).status).toBe(404);

    // The run ended: its token no longer opens anything.
    const token = String(h.server.requests('/leak')[0]?.headers['x-token']);
    expect(token).toMatch(/^rt_/);
    const after = await h.call(token, 'GET', '/v1/workflows');
    expect([after.status, codeOf(after), errorOf(after).message]).toEqual([
      401,
      'SLUICE_API_UNAUTHORIZED',
      'the run of this token has ended',
    ]);
  });
});

describe('run tokens issued with engine.runTokens', () => {
  it('read everything their workspace may read, the credentials included', async () => {
    const saved = await h.call(h.keys.acmeMember, 'POST', '/v1/connections', {
      name: 'main',
      connector: 'vault',
      values: { api_key: API_KEY },
    });
    expect(saved.status).toBe(201);
    const token = h.engine.runTokens.issue(ACME_ADMIN, await hangingRun());
    for (const url of [
      '/v1/workflows',
      '/v1/runs',
      '/v1/connections',
      '/v1/connectors',
      '/v1/connections/main',
    ]) {
      const res = await h.call(token, 'GET', url);
      expect([url, res.status]).toEqual([url, 200]);
    }
    const credentials = await h.call(token, 'GET', '/v1/credentials/main');
    expect([credentials.status, credentials.body.values]).toEqual([200, { api_key: API_KEY }]);
    // Only acme's: globex's connection answers 404, as a missing one.
    const theirs = await h.call(h.keys.globexMember, 'POST', '/v1/connections', {
      name: 'theirs',
      connector: 'vault',
      values: { api_key: 'globex' },
    });
    expect(theirs.status).toBe(201);
    const refused = await h.call(token, 'GET', '/v1/credentials/theirs');
    expect([refused.status, codeOf(refused)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    const listed = await h.call(token, 'GET', '/v1/connections');
    expect((listed.body.connections as { name: string }[]).map((c) => c.name)).toEqual(['main']);
  });

  it('retry a failed run, start a run and cancel their own run; then answer 401', async () => {
    h.server.script('/flaky', [{ status: 500, body: { error: 'down' } }]);
    const flaky = await publish(flow(h.server, 'flaky', ['flaky']));
    const failed = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${flaky}/runs?wait=true`, {});
    expect(failed.body.status).toBe('failed');
    const own = await hangingRun();
    const token = h.engine.runTokens.issue(ACME_ADMIN, own);

    h.server.script('/flaky', [{ status: 200, body: { ok: true } }]);
    const retried = await h.call(token, 'POST', `/v1/runs/${failed.body.id}/retry?wait=true`);
    expect([retried.status, retried.body.status]).toEqual([200, 'succeeded']);
    const started = await h.call(token, 'POST', `/v1/workflows/${flaky}/runs?wait=true`, { input: {} });
    expect([started.status, started.body.status]).toEqual([200, 'succeeded']);
    const cancelled = await h.call(token, 'POST', `/v1/runs/${own}/cancel`);
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);

    const after = await h.call(token, 'GET', `/v1/runs/${own}`);
    expect([after.status, codeOf(after), errorOf(after).message]).toEqual([
      401,
      'SLUICE_API_UNAUTHORIZED',
      'the run of this token has ended',
    ]);
    expect((await h.call(h.keys.acmeAdmin, 'GET', `/v1/runs/${own}`)).status).toBe(200);
  });

  it('answer 403 to every other write of the OpenAPI document, even with an admin role', async () => {
    const token = h.engine.runTokens.issue(ACME_ADMIN, await hangingRun());
    const allowed = [
      'POST /v1/workflows/{uid}/runs',
      'POST /v1/runs/{id}/cancel',
      'POST /v1/runs/{id}/retry',
    ];
    const paths = (h.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
    const writes = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .map((m) => m.toUpperCase())
        .filter((m) => m !== 'GET' && m !== 'HEAD')
        .map((m) => `${m} ${path}`),
    );
    const refused = writes.filter((w) => !allowed.includes(w) && !w.includes('/v1/hooks/'));
    // The sweep must cover the configuration writes (a route renamed would silently shrink it).
    expect(refused).toEqual(
      expect.arrayContaining([
        'POST /v1/workflows',
        'PUT /v1/workflows/{uid}',
        'DELETE /v1/workflows/{uid}',
        'POST /v1/workflows/{uid}/trigger/enable',
        'POST /v1/workflows/{uid}/trigger/disable',
        'POST /v1/connections',
        'DELETE /v1/connections/{name}',
        'POST /v1/connections/{name}/test',
      ]),
    );
    for (const write of refused) {
      const [method, path] = write.split(' ') as [string, string];
      const url = path.replace(/\{[^}]+\}/g, 'x');
      const res = await h.call(token, method as 'POST', url, {});
      const route = path.replace(/\{([^}]+)\}/g, ':$1');
      expect([write, res.status, codeOf(res), errorOf(res).message]).toEqual([
        write,
        403,
        'SLUICE_API_FORBIDDEN',
        `run tokens cannot change configuration: ${method} ${route} needs an API key`,
      ]);
    }
    // A write that matches no route is a 404, as with a key.
    const nowhere = await h.call(token, 'POST', '/v1/nowhere', {});
    expect([nowhere.status, codeOf(nowhere)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    // An API key of the same caller makes the same write.
    const key = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', flow(h.server, 'by-key', ['a']));
    expect(key.status).toBe(201);
  });

  it('answer 401 for a run that is not in the store or is another workspace’s', async () => {
    const own = await hangingRun();
    const globex: ApiCaller = { ...ACME_ADMIN, workspace_id: 'globex' };
    for (const token of [
      h.engine.runTokens.issue(ACME_ADMIN, 'no-such-run'),
      h.engine.runTokens.issue(globex, own),
    ]) {
      const res = await h.call(token, 'GET', '/v1/workflows');
      expect([res.status, codeOf(res), errorOf(res).message]).toEqual([
        401,
        'SLUICE_API_UNAUTHORIZED',
        'the run of this token is not in the store',
      ]);
    }
  });
});

describe('assertCallerMay', () => {
  const runCaller = { ...ACME_ADMIN, run_id: 'r1' };

  it('lets API keys through and unknown routes reach their 404', () => {
    expect(() => assertCallerMay(ACME_ADMIN, 'POST', '/v1/workflows')).not.toThrow();
    expect(() => assertCallerMay(runCaller, 'POST', undefined)).not.toThrow();
    expect(() => assertCallerMay(runCaller, 'HEAD', '/v1/workflows')).not.toThrow();
  });

  it('refuses a run token any write but starting, cancelling and retrying runs', () => {
    expect(() => assertCallerMay(runCaller, 'POST', '/v1/runs/:id/retry')).not.toThrow();
    const err = (() => {
      try {
        assertCallerMay(runCaller, 'PATCH', '/v1/runs/:id');
      } catch (e) {
        return e;
      }
    })();
    expect(isSluiceError(err, 'SLUICE_API_FORBIDDEN')).toBe(true);
  });
});
