/**
 * The routes the web console needs (issue 7): `GET /v1/me`, `POST /v1/workflows/validate`,
 * `GET /v1/workflows/{uid}/versions`, `GET /v1/triggers`, and `last_run` in `GET /v1/workflows`; each
 * with its happy path, its bad input and its tenancy (globex never sees acme's).
 */
import { randomBytes } from 'node:crypto';
import { type ApiCaller, createApiKey } from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it, vi } from 'vitest';
import { codeOf, flow, useApiHarness } from './harness.js';

let connectionTests = 0;

/** A connector whose connection test always fails (and counts), with one action and one trigger. */
const ledger: Connector = defineConnector({
  title: 'Ledger',
  connection: { fields: [{ name: 'api_key', controlType: 'password', optional: false }] },
  test: async () => {
    connectionTests += 1;
    throw new Error('the ledger is down');
  },
  actions: { post: { execute: () => ({ ok: true }) } },
  triggers: { entries: { poll: async () => ({ events: [] }), dedup: (entry) => String(entry.id) } },
});

const h = useApiHarness({
  waitLimitMs: 10_000,
  engine: { connectors: new Map([['ledger', ledger]]), secretKey: randomBytes(32), triggerTickMs: 60_000 },
});

const YAML = { 'content-type': 'application/yaml' };

type Problem = { path: string; message: string; line?: number; column?: number };
const problemsOf = (res: { body: Record<string, unknown> }) =>
  (res.body.error as { details: { problems: Problem[] } }).details.problems;

/** Publishes `document` with `key` (acme's member by default) and answers its uid. */
async function publish(document: object, key = h.keys.acmeMember): Promise<string> {
  const res = await h.call(key, 'POST', '/v1/workflows', document);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body.uid);
}

/** Runs `uid` to its end as `key` and answers the run. */
async function run(uid: string, key: string): Promise<Record<string, unknown>> {
  const res = await h.call(key, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {});
  expect(res.body.status).toBe('succeeded');
  return res.body;
}

/** What `GET /v1/workflows` lists for `key`, by uid. */
async function listed(key: string): Promise<Map<string, Record<string, unknown>>> {
  const res = await h.call(key, 'GET', '/v1/workflows');
  expect(res.status).toBe(200);
  const workflows = res.body.workflows as Record<string, unknown>[];
  return new Map(workflows.map((w) => [String(w.uid), w]));
}

describe('GET /v1/me', () => {
  it("answers the key's workspace, email and role, with kind key", async () => {
    for (const [key, expected] of [
      [h.keys.acmeAdmin, { workspace_id: 'acme', email: 'ann@acme.test', role: 'admin' }],
      [h.keys.acmeMember, { workspace_id: 'acme', email: 'bob@acme.test', role: 'member' }],
      [h.keys.globexMember, { workspace_id: 'globex', email: 'gil@globex.test', role: 'member' }],
    ] as const) {
      const res = await h.call(key, 'GET', '/v1/me');
      expect([res.status, res.body]).toEqual([200, { ...expected, kind: 'key' }]);
    }
  });

  it("answers a run token's caller with kind run_token", async () => {
    h.server.script('/hang', [{ hang: true }]);
    const uid = await publish(flow(h.server, 'hangs', ['hang']));
    const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, {});
    expect(started.status).toBe(202);
    const caller: ApiCaller = {
      id: 'bob@acme.test',
      email: 'bob@acme.test',
      workspace_id: 'acme',
      role: 'member',
    };
    const token = h.engine.runTokens.issue(caller, String(started.body.id));
    const res = await h.call(token, 'GET', '/v1/me');
    expect([res.status, res.body]).toEqual([
      200,
      { workspace_id: 'acme', email: 'bob@acme.test', role: 'member', kind: 'run_token' },
    ]);
  });

  it('answers 401 without a key or with an unknown one', async () => {
    for (const key of [undefined, 'sk_not-a-key']) {
      const res = await h.call(key, 'GET', '/v1/me');
      expect([res.status, codeOf(res)]).toEqual([401, 'SLUICE_API_UNAUTHORIZED']);
    }
  });
});

describe('POST /v1/workflows/validate', () => {
  it('answers the document as a publish stores it, defaults filled in, and writes nothing', async () => {
    const document = { ...flow(h.server, 'draft', ['a']), uid: 'draft', trigger: { webhook: {} } };
    const before = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows');
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', document);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(true);
    const workflow = res.body.workflow as Record<string, unknown>;
    expect(workflow).toMatchObject({ uid: 'draft', name: 'draft', scope: 'workspace' });
    expect(workflow.steps).toEqual([{ name: 'a', apispec: { url: h.server.url('/a'), method: 'GET' } }]);
    // Nothing was written: no workflow, no trigger (status and body: the date header may tick).
    const after = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows');
    expect([after.status, after.body]).toEqual([before.status, before.body]);
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/draft')).status).toBe(404);
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/triggers')).body).toEqual({ triggers: [] });
    // The publish stores exactly that document.
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', document);
    const { version, workspace_id, user_id, created, updated, deleted, ...stored } = published.body;
    expect(stored).toEqual(workflow);
  });

  it('takes YAML, leaves uid out when the body has none, and answers a syntax error with its line', async () => {
    const yaml = `name: from-yaml\nsteps:\n  - name: a\n    apispec:\n      url: ${h.server.url('/a')}\n`;
    const ok = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', yaml, YAML);
    expect([ok.status, ok.body.valid]).toEqual([200, true]);
    expect(ok.body.workflow).toMatchObject({ name: 'from-yaml', scope: 'workspace' });
    expect((ok.body.workflow as Record<string, unknown>).uid).toBeUndefined();
    const broken = 'name: broken\nsteps: x: y\n';
    const syntax = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', broken, YAML);
    expect([syntax.status, codeOf(syntax)]).toEqual([400, 'SLUICE_WORKFLOW_PARSE']);
    expect(problemsOf(syntax)).toEqual([
      { path: '', message: 'Nested mappings are not allowed in compact mappings', line: 2, column: 8 },
    ]);
  });

  it('answers an invalid field with its path and line, exactly as a publish does', async () => {
    const bad =
      'name: broken\nsteps:\n  - name: a\n    apispec:\n      url: not-a-url\n      timeout: soon\n';
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', bad, YAML);
    expect([res.status, codeOf(res)]).toEqual([400, 'SLUICE_WORKFLOW_INVALID']);
    expect(problemsOf(res).map((p) => [p.path, p.line])).toEqual([
      ['steps[0].apispec.url', 5],
      ['steps[0].apispec.timeout', 6],
    ]);
    const publishing = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', bad, YAML);
    expect(publishing.body).toEqual(res.body);
    const json = '{\n  "name": "x",\n  "steps": 3\n}';
    const jsonRes = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', json, {
      'content-type': 'application/json',
    });
    expect(problemsOf(jsonRes)).toEqual([expect.objectContaining({ path: 'steps', line: 3 })]);
  });

  it('answers 403 to a member validating a global workflow, and 200 to an admin', async () => {
    const global = { ...flow(h.server, 'shared', ['a']), scope: 'global' };
    const member = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', global);
    expect([member.status, codeOf(member)]).toEqual([403, 'SLUICE_API_FORBIDDEN']);
    const admin = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/validate', global);
    expect([admin.status, (admin.body.workflow as Record<string, unknown>).scope]).toEqual([200, 'global']);
  });

  it('answers 400 for an unknown connector, a bad uid or an empty body; 409 for a taken uid', async () => {
    const unknown = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', {
      name: 'acts',
      steps: [
        { name: 'ok', action: 'ledger.post', connection: 'main' },
        { name: 'bad', action: 'hubspot.create', connection: 'main' },
      ],
    });
    expect([unknown.status, codeOf(unknown)]).toEqual([400, 'SLUICE_CONNECTOR_UNKNOWN']);
    expect(problemsOf(unknown).map((p) => p.path)).toEqual(['steps[1].action']);
    const uid = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', {
      ...flow(h.server, 'u', ['a']),
      uid: 'a b',
    });
    expect([uid.status, codeOf(uid)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    const empty = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', '', YAML);
    expect([empty.status, codeOf(empty)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    // uids are unique across workspaces, as a publish answers; nothing of the other workflow shows.
    await publish({ ...flow(h.server, 'Taken (private)', ['a']), uid: 'taken' });
    const taken = await h.call(h.keys.globexMember, 'POST', '/v1/workflows/validate', {
      ...flow(h.server, 'mine', ['a']),
      uid: 'taken',
    });
    expect([taken.status, codeOf(taken)]).toEqual([409, 'SLUICE_WORKFLOW_CONFLICT']);
    expect(JSON.stringify(taken.body)).not.toContain('private');
  });

  it("does not test a poll trigger's connection (a publish does)", async () => {
    const polling = {
      ...flow(h.server, 'polls', ['a']),
      trigger: { poll: { connector: 'ledger', trigger: 'entries', connection: 'main' } },
    };
    const saved = await h.call(h.keys.acmeMember, 'POST', '/v1/connections', {
      name: 'main',
      connector: 'ledger',
      values: { api_key: 'k' },
    });
    expect(saved.status).toBe(201);
    connectionTests = 0;
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', polling);
    expect([res.status, connectionTests]).toEqual([200, 0]);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', polling);
    expect([published.status, codeOf(published), connectionTests]).toEqual([
      422,
      'SLUICE_CONNECTION_TEST',
      1,
    ]);
  });

  describe('with ?uid=', () => {
    it('checks the document as the next version of that workflow', async () => {
      const uid = await publish(flow(h.server, 'orders', ['a']));
      const next = { ...flow(h.server, 'orders v2', ['a', 'b']), version: 1 };
      const res = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/validate?uid=${uid}`, next);
      expect([res.status, res.body.valid]).toEqual([200, true]);
      expect(res.body.workflow).toMatchObject({ uid, name: 'orders v2', scope: 'workspace' });
      expect((res.body.workflow as { steps: unknown[] }).steps).toHaveLength(2);
      // Nothing was written: still version 1.
      const versions = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/versions`);
      expect((versions.body.versions as { version: number }[]).map((v) => v.version)).toEqual([1]);
    });

    it('answers 400 for another uid in the body, 409 for a stale version, 403 to a member on a global workflow', async () => {
      const uid = await publish(flow(h.server, 'orders', ['a']));
      const url = `/v1/workflows/validate?uid=${uid}`;
      const other = await h.call(h.keys.acmeMember, 'POST', url, {
        ...flow(h.server, 'x', ['a']),
        uid: 'other',
      });
      expect([other.status, codeOf(other)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
      const stale = await h.call(h.keys.acmeMember, 'POST', url, flow(h.server, 'x', ['a']), {
        'if-match': '"7"',
      });
      expect([stale.status, codeOf(stale)]).toEqual([409, 'SLUICE_WORKFLOW_CONFLICT']);
      const current = await h.call(h.keys.acmeMember, 'POST', url, flow(h.server, 'x', ['a']), {
        'if-match': '"1"',
      });
      expect(current.status).toBe(200);
      const global = await publish({ ...flow(h.server, 'shared', ['a']), scope: 'global' }, h.keys.acmeAdmin);
      const member = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/validate?uid=${global}`, {
        ...flow(h.server, 'shared', ['a']),
        scope: 'global',
      });
      expect([member.status, codeOf(member)]).toEqual([403, 'SLUICE_API_FORBIDDEN']);
      // A member may not make a workspace workflow global either.
      const promoted = await h.call(h.keys.acmeMember, 'POST', url, {
        ...flow(h.server, 'x', ['a']),
        scope: 'global',
      });
      expect([promoted.status, codeOf(promoted)]).toEqual([403, 'SLUICE_API_FORBIDDEN']);
    });

    it("answers 404 for another workspace's workflow, a deleted one or an unknown uid, before reading the body", async () => {
      const uid = await publish(flow(h.server, 'Acme orders (private)', ['a']));
      const body = flow(h.server, 'taken over', ['a']);
      const theirs = await h.call(h.keys.globexAdmin, 'POST', `/v1/workflows/validate?uid=${uid}`, body);
      expect([theirs.status, codeOf(theirs)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
      expect(JSON.stringify(theirs.body)).not.toContain('private');
      // Even a broken body answers 404: the workflow's existence does not show through a 400.
      const broken = await h.call(
        h.keys.globexAdmin,
        'POST',
        `/v1/workflows/validate?uid=${uid}`,
        'name: [',
        YAML,
      );
      expect(broken.status).toBe(404);
      const unknown = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate?uid=nope', body);
      expect(unknown.status).toBe(404);
      expect((await h.call(h.keys.acmeMember, 'DELETE', `/v1/workflows/${uid}`)).status).toBe(200);
      const deleted = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/validate?uid=${uid}`, body);
      expect([deleted.status, codeOf(deleted)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    });
  });

  it('leaves the workflow list as it was after every kind of validation', async () => {
    const uid = await publish(flow(h.server, 'orders', ['a']));
    const before = await h.call(h.keys.acmeAdmin, 'GET', '/v1/workflows');
    for (const [url, body] of [
      ['/v1/workflows/validate', { ...flow(h.server, 'new', ['a']), uid: 'new-one' }],
      ['/v1/workflows/validate', { ...flow(h.server, 'g', ['a']), scope: 'global' }],
      [`/v1/workflows/validate?uid=${uid}`, flow(h.server, 'renamed', ['a', 'b'])],
    ] as const) {
      expect((await h.call(h.keys.acmeAdmin, 'POST', url, body)).status).toBe(200);
    }
    // Status and body: the `date` header changes when the calls straddle a second.
    const after = await h.call(h.keys.acmeAdmin, 'GET', '/v1/workflows');
    expect([after.status, after.body]).toEqual([before.status, before.body]);
    expect((await h.call(h.keys.acmeAdmin, 'GET', '/v1/workflows/new-one')).status).toBe(404);
  });
});

describe('GET /v1/workflows/{uid}/versions', () => {
  it('lists every version newest first: who published it, when, and how many steps', async () => {
    const uid = await publish(flow(h.server, 'orders', ['a']));
    const v2 = await h.call(
      h.keys.acmeAdmin,
      'PUT',
      `/v1/workflows/${uid}`,
      flow(h.server, 'orders v2', ['a', 'b']),
    );
    expect(v2.status).toBe(200);
    const v1 = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}?version=1`);
    const res = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/versions`);
    expect([res.status, res.body]).toEqual([
      200,
      {
        versions: [
          { version: 2, name: 'orders v2', user_id: 'ann@acme.test', updated: v2.body.updated, steps: 2 },
          { version: 1, name: 'orders', user_id: 'bob@acme.test', updated: v1.body.updated, steps: 1 },
        ],
      },
    ]);
  });

  it('answers 404 for an unknown, a deleted or another workspace’s workflow; a global one is listed for all', async () => {
    const uid = await publish(flow(h.server, 'Acme orders (private)', ['a']));
    const theirs = await h.call(h.keys.globexMember, 'GET', `/v1/workflows/${uid}/versions`);
    expect([theirs.status, codeOf(theirs)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    expect(JSON.stringify(theirs.body)).not.toContain('private');
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/nope/versions')).status).toBe(404);
    const global = await publish({ ...flow(h.server, 'shared', ['a']), scope: 'global' }, h.keys.acmeAdmin);
    const shared = await h.call(h.keys.globexMember, 'GET', `/v1/workflows/${global}/versions`);
    expect([shared.status, (shared.body.versions as unknown[]).length]).toEqual([200, 1]);
    expect((await h.call(h.keys.acmeMember, 'DELETE', `/v1/workflows/${uid}`)).status).toBe(200);
    const deleted = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/versions`);
    expect([deleted.status, codeOf(deleted)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
  });
});

describe('GET /v1/triggers', () => {
  it('lists the triggers of the workspace, by workflow name, each as GET .../trigger answers it plus workflow_name', async () => {
    const hook = await publish({ ...flow(h.server, 'b hook', ['a']), trigger: { webhook: {} } });
    const schedule = await publish({
      ...flow(h.server, 'a schedule', ['a']),
      trigger: { schedule: { cron: '0 9 * * *' } },
    });
    await publish(flow(h.server, 'c no trigger', ['a']));
    const gone = await publish({ ...flow(h.server, 'd deleted', ['a']), trigger: { webhook: {} } });
    expect((await h.call(h.keys.acmeMember, 'DELETE', `/v1/workflows/${gone}`)).status).toBe(200);
    const global = await publish(
      { ...flow(h.server, 'e global', ['a']), scope: 'global', trigger: { webhook: {} } },
      h.keys.acmeAdmin,
    );
    const res = await h.call(h.keys.acmeMember, 'GET', '/v1/triggers');
    expect(res.status).toBe(200);
    const expected = [];
    for (const [uid, name] of [
      [schedule, 'a schedule'],
      [hook, 'b hook'],
      [global, 'e global'],
    ] as const) {
      const one = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/trigger`);
      expected.push({ ...one.body, workflow_name: name });
    }
    expect(res.body).toEqual({ triggers: expected });
    expect((res.body.triggers as { kind: string }[]).map((t) => t.kind)).toEqual([
      'schedule',
      'webhook',
      'webhook',
    ]);
  });

  it("shows globex none of acme's triggers, not even a global workflow's, and acme none of globex's", async () => {
    await publish({ ...flow(h.server, 'acme hook', ['a']), trigger: { webhook: {} } });
    await publish(
      { ...flow(h.server, 'acme global', ['a']), scope: 'global', trigger: { webhook: {} } },
      h.keys.acmeAdmin,
    );
    const theirs = await publish(
      { ...flow(h.server, 'globex hook', ['a']), trigger: { webhook: {} } },
      h.keys.globexMember,
    );
    const globex = await h.call(h.keys.globexAdmin, 'GET', '/v1/triggers');
    expect((globex.body.triggers as { workflow_uid: string }[]).map((t) => t.workflow_uid)).toEqual([theirs]);
    const acme = await h.call(h.keys.acmeMember, 'GET', '/v1/triggers');
    expect((acme.body.triggers as { workflow_name: string }[]).map((t) => t.workflow_name)).toEqual([
      'acme global',
      'acme hook',
    ]);
  });
});

describe('last_run in GET /v1/workflows', () => {
  it('gives each workflow its newest run, null without one, with one store query per page', async () => {
    h.server.script('/a', [{ status: 200, body: {} }]);
    const ran = await publish(flow(h.server, 'ran', ['a']));
    const idle = await publish(flow(h.server, 'idle', ['a']));
    await run(ran, h.keys.acmeMember);
    const newest = await run(ran, h.keys.acmeAdmin);
    const lastRuns = vi.spyOn(h.store.runs, 'lastRuns');
    const workflows = await listed(h.keys.acmeMember);
    expect(lastRuns).toHaveBeenCalledTimes(1);
    expect(workflows.get(ran)?.last_run).toEqual({
      id: newest.id,
      status: 'succeeded',
      created_at: newest.created_at,
      finished_at: newest.finished_at,
    });
    expect(workflows.get(idle)?.last_run).toBeNull();
    const page = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows?limit=1');
    expect((page.body.workflows as Record<string, unknown>[])[0]).toMatchObject({
      uid: idle,
      last_run: null,
    });
  });

  it("shows, for a global workflow, only the caller's own runs of it", async () => {
    h.server.script('/a', [{ status: 200, body: {} }]);
    const global = await publish({ ...flow(h.server, 'shared', ['a']), scope: 'global' }, h.keys.acmeAdmin);
    const acmeRun = await run(global, h.keys.acmeMember);
    const globexRun = await run(global, h.keys.globexMember);
    expect((await listed(h.keys.acmeMember)).get(global)?.last_run).toMatchObject({ id: acmeRun.id });
    expect((await listed(h.keys.globexAdmin)).get(global)?.last_run).toMatchObject({ id: globexRun.id });
    const { key } = await createApiKey(h.store, { workspace: 'initech', email: 'ian@initech.test' });
    expect((await listed(key)).get(global)?.last_run).toBeNull();
  });
});
