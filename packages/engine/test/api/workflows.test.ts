/** The publishing API over HTTP: auth, tenancy, YAML, versions and every error status. */
import { describe, expect, it } from 'vitest';
import { codeOf, flow, useApiHarness } from './harness.js';

const h = useApiHarness({ bodyLimit: 4096 });

const publish = async (key: string, body: object) => {
  const res = await h.call(key, 'POST', '/v1/workflows', body);
  expect(res.status).toBe(201);
  return res.body as { uid: string; version: number };
};

describe('authentication', () => {
  it('answers 401 without a valid key on every /v1 route, and serves /health, /openapi.json and /docs', async () => {
    for (const [method, url] of [
      ['GET', '/v1/workflows'],
      ['POST', '/v1/workflows'],
      ['GET', '/v1/workflows/x'],
      ['PUT', '/v1/workflows/x'],
      ['DELETE', '/v1/workflows/x'],
      ['POST', '/v1/workflows/x/runs'],
      ['GET', '/v1/runs'],
      ['GET', '/v1/runs/x'],
      ['POST', '/v1/runs/x/cancel'],
      ['POST', '/v1/runs/x/retry'],
    ] as const) {
      const none = await h.call(undefined, method, url);
      expect([url, none.status, codeOf(none)]).toEqual([url, 401, 'SLUICE_API_UNAUTHORIZED']);
      const bad = await h.call('sk_not-a-key', method, url);
      expect([url, bad.status]).toEqual([url, 401]);
    }
    expect((await h.call(undefined, 'GET', '/health')).body).toEqual({ status: 'ok', queue_depth: 0 });
    const openapi = await h.call(undefined, 'GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/v1/workflows',
        '/v1/workflows/{uid}',
        '/v1/workflows/{uid}/runs',
        '/v1/runs/{id}/retry',
      ]),
    );
    expect((await h.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });
});

describe('POST /v1/workflows', () => {
  it('stores the document with uid, version, workspace, user and times from the caller, never the body', async () => {
    const body = {
      ...flow(h.server, 'sync', ['a']),
      workspace_id: 'globex',
      user_id: 'eve@evil.test',
      version: 7,
    };
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'sync',
      version: 1,
      workspace_id: 'acme',
      user_id: 'bob@acme.test',
      scope: 'workspace',
      deleted: false,
    });
    expect(res.body.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.created).toBe(res.body.updated);
    expect(res.headers.etag).toBe('"1"');
  });

  it('takes YAML, and answers 400 with the path and line of each problem', async () => {
    const yaml = `name: from-yaml\nuid: y1\nsteps:\n  - name: a\n    apispec:\n      url: ${h.server.url('/a')}\n`;
    const ok = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', yaml, {
      'content-type': 'application/yaml',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ uid: 'y1', name: 'from-yaml' });
    const bad =
      'name: broken\nsteps:\n  - name: a\n    apispec:\n      url: not-a-url\n      timeout: soon\n';
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', bad, {
      'content-type': 'application/yaml',
    });
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('SLUICE_WORKFLOW_INVALID');
    const problems = (res.body.error as { details: { problems: { path: string; line: number }[] } }).details
      .problems;
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['steps[0].apispec.url', 5],
      ['steps[0].apispec.timeout', 6],
    ]);
    const syntax = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', 'name: [', {
      'content-type': 'text/yaml',
    });
    expect([syntax.status, codeOf(syntax)]).toEqual([400, 'SLUICE_WORKFLOW_PARSE']);
  });

  it('gives JSON problems their lines too, and answers 400 for broken JSON, 413 over the limit, 415 for other types', async () => {
    const text = '{\n  "name": "x",\n  "steps": 3\n}';
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', text, {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect((res.body.error as { details: { problems: unknown[] } }).details.problems).toEqual([
      expect.objectContaining({ path: 'steps', line: 3 }),
    ]);
    const broken = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', '{"name":', {
      'content-type': 'application/json',
    });
    expect([broken.status, codeOf(broken)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    const poisoned = await h.call(
      h.keys.acmeMember,
      'POST',
      '/v1/workflows',
      '{"__proto__": {"admin": true}}',
      {
        'content-type': 'application/json',
      },
    );
    expect([poisoned.status, codeOf(poisoned)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    const big = { ...flow(h.server, 'big', ['a']), padding: 'x'.repeat(5000) };
    const large = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', big);
    expect([large.status, codeOf(large)]).toEqual([413, 'SLUICE_API_BODY_TOO_LARGE']);
    const other = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', 'x', {
      'content-type': 'text/plain',
    });
    expect([other.status, codeOf(other)]).toEqual([415, 'SLUICE_API_MEDIA_TYPE']);
    // YAML as curl -d sends it: the answer says which Content-Type to send.
    const curlDefault = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', 'name: x\nsteps: []\n', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(curlDefault.status).toBe(415);
    expect(curlDefault.body.error).toMatchObject({
      message: 'the body has no Content-Type, or one the API does not read',
      details: { hint: expect.stringContaining('Content-Type: application/yaml') },
    });
    const uid = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      ...flow(h.server, 'u', ['a']),
      uid: 'a b',
    });
    expect([uid.status, codeOf(uid)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
  });

  it('answers 409 when the uid is taken, in any workspace', async () => {
    await publish(h.keys.acmeMember, { ...flow(h.server, 'one', ['a']), uid: 'same' });
    const res = await h.call(h.keys.globexMember, 'POST', '/v1/workflows', {
      ...flow(h.server, 'two', ['a']),
      uid: 'same',
    });
    expect([res.status, codeOf(res)]).toEqual([409, 'SLUICE_WORKFLOW_CONFLICT']);
  });
});

describe('PUT /v1/workflows/{uid}', () => {
  it('publishes new versions, keeps the old ones, and answers 409 for a stale If-Match or version', async () => {
    const { uid } = await publish(h.keys.acmeMember, flow(h.server, 'v', ['a']));
    const v2 = await h.call(h.keys.acmeAdmin, 'PUT', `/v1/workflows/${uid}`, flow(h.server, 'v2', ['a']), {
      'if-match': '"1"',
    });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, name: 'v2', user_id: 'ann@acme.test', workspace_id: 'acme' });
    const stale = await h.call(
      h.keys.acmeMember,
      'PUT',
      `/v1/workflows/${uid}`,
      flow(h.server, 'v3', ['a']),
      { 'if-match': '"1"' },
    );
    expect([stale.status, codeOf(stale)]).toEqual([409, 'SLUICE_WORKFLOW_CONFLICT']);
    const staleBody = await h.call(h.keys.acmeMember, 'PUT', `/v1/workflows/${uid}`, {
      ...flow(h.server, 'v3', ['a']),
      version: 1,
    });
    expect(staleBody.status).toBe(409);
    const v3 = await h.call(h.keys.acmeMember, 'PUT', `/v1/workflows/${uid}`, {
      ...flow(h.server, 'v3', ['a']),
      version: 2,
    });
    expect(v3.body).toMatchObject({ version: 3, created: v2.body.created });
    expect((await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}?version=1`)).body.name).toBe('v');
    expect((await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}`)).body.version).toBe(3);
    const badMatch = await h.call(
      h.keys.acmeMember,
      'PUT',
      `/v1/workflows/${uid}`,
      flow(h.server, 'x', ['a']),
      { 'if-match': 'soon' },
    );
    expect(badMatch.status).toBe(400);
    const otherUid = await h.call(h.keys.acmeMember, 'PUT', `/v1/workflows/${uid}`, {
      ...flow(h.server, 'x', ['a']),
      uid: 'other',
    });
    expect(otherUid.status).toBe(400);
  });
});

describe('tenancy', () => {
  it("answers 404, never 403, for another workspace's workflow on every route", async () => {
    const { uid } = await publish(h.keys.acmeMember, flow(h.server, 'private', ['a']));
    for (const key of [h.keys.globexMember, h.keys.globexAdmin]) {
      for (const [method, url, body] of [
        ['GET', `/v1/workflows/${uid}`, undefined],
        ['PUT', `/v1/workflows/${uid}`, flow(h.server, 'stolen', ['a'])],
        ['DELETE', `/v1/workflows/${uid}`, undefined],
        ['POST', `/v1/workflows/${uid}/runs`, { input: {} }],
      ] as const) {
        const res = await h.call(key, method, url, body);
        expect([method, res.status, codeOf(res)]).toEqual([method, 404, 'SLUICE_API_NOT_FOUND']);
      }
      expect((await h.call(key, 'GET', '/v1/workflows')).body.workflows).toEqual([]);
    }
    const missing = await h.call(h.keys.globexMember, 'GET', '/v1/workflows/no-such-uid');
    expect(missing.body.error).toMatchObject({ message: expect.stringMatching(/^no workflow no-such-uid$/) });
  });

  it('lets every workspace read and run a global workflow, and only its admins write it', async () => {
    const member = await h.call(
      h.keys.acmeMember,
      'POST',
      '/v1/workflows',
      flow(h.server, 'g', ['a'], { scope: 'global' }),
    );
    expect([member.status, codeOf(member)]).toEqual([403, 'SLUICE_API_FORBIDDEN']);
    const { uid } = await publish(h.keys.acmeAdmin, flow(h.server, 'g', ['a'], { scope: 'global' }));
    h.server.script('/a', [{ status: 200, body: { ok: true } }]);
    for (const key of [h.keys.globexMember, h.keys.acmeMember]) {
      expect((await h.call(key, 'GET', `/v1/workflows/${uid}`)).status).toBe(200);
      expect(
        ((await h.call(key, 'GET', '/v1/workflows')).body.workflows as { uid: string }[]).map((w) => w.uid),
      ).toEqual([uid]);
      const run = await h.call(key, 'POST', `/v1/workflows/${uid}/runs?wait=true`, { input: {} });
      expect(run.body).toMatchObject({ status: 'succeeded' });
    }
    for (const key of [h.keys.acmeMember, h.keys.globexMember, h.keys.globexAdmin]) {
      const put = await h.call(
        key,
        'PUT',
        `/v1/workflows/${uid}`,
        flow(h.server, 'g2', ['a'], { scope: 'global' }),
      );
      expect([put.status, codeOf(put)]).toEqual([403, 'SLUICE_API_FORBIDDEN']);
      expect((await h.call(key, 'DELETE', `/v1/workflows/${uid}`)).status).toBe(403);
    }
    const own = await publish(h.keys.acmeMember, flow(h.server, 'mine', ['a']));
    const promote = await h.call(
      h.keys.acmeMember,
      'PUT',
      `/v1/workflows/${own.uid}`,
      flow(h.server, 'mine', ['a'], { scope: 'global' }),
    );
    expect(promote.status).toBe(403);
    expect(
      (
        await h.call(
          h.keys.acmeAdmin,
          'PUT',
          `/v1/workflows/${uid}`,
          flow(h.server, 'g2', ['a'], { scope: 'global' }),
        )
      ).status,
    ).toBe(200);
  });
});

describe('DELETE /v1/workflows/{uid}', () => {
  it('soft-deletes: the workflow leaves the list, reads and runs answer 404', async () => {
    const { uid } = await publish(h.keys.acmeMember, flow(h.server, 'gone', ['a']));
    const res = await h.call(h.keys.acmeMember, 'DELETE', `/v1/workflows/${uid}`);
    expect(res.body).toMatchObject({ uid, deleted: true });
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/workflows')).body.workflows).toEqual([]);
    const read = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}`);
    expect(read.body.error).toMatchObject({
      code: 'SLUICE_API_NOT_FOUND',
      message: expect.stringMatching(/deleted/),
    });
    expect((await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, { input: {} })).status).toBe(
      404,
    );
    expect((await h.call(h.keys.acmeMember, 'DELETE', `/v1/workflows/${uid}`)).status).toBe(404);
    expect((await h.store.workflows.get(uid))?.deleted).toBe(true);
  });
});

describe('GET /v1/workflows?limit=&cursor=', () => {
  const list = async (key: string, query: string) => {
    const res = await h.call(key, 'GET', `/v1/workflows${query}`);
    expect(res.status).toBe(200);
    return res.body as {
      workflows: { uid: string; name: string; version: number }[];
      next_cursor: string | null;
    };
  };

  it('pages by name then uid, with next_cursor null on the last page', async () => {
    // Two workflows share a name: the uid breaks the tie. One global workflow of globex is listed too.
    for (const [uid, name] of [
      ['w-c', 'charlie'],
      ['w-a2', 'alpha'],
      ['w-b', 'bravo'],
      ['w-a1', 'alpha'],
    ] as const) {
      await publish(h.keys.acmeMember, { ...flow(h.server, name, ['a']), uid });
    }
    await publish(h.keys.globexAdmin, { ...flow(h.server, 'delta', ['a'], { scope: 'global' }), uid: 'w-d' });
    await publish(h.keys.globexMember, { ...flow(h.server, 'echo', ['a']), uid: 'w-e' });
    const seen: string[] = [];
    let query = '?limit=2';
    const pages: number[] = [];
    for (;;) {
      const page = await list(h.keys.acmeMember, query);
      pages.push(page.workflows.length);
      seen.push(...page.workflows.map((w) => w.uid));
      if (page.next_cursor === null) break;
      query = `?limit=2&cursor=${page.next_cursor}`;
    }
    expect(seen).toEqual(['w-a1', 'w-a2', 'w-b', 'w-c', 'w-d']);
    expect(pages).toEqual([2, 2, 1]);
    const all = await list(h.keys.acmeMember, '');
    expect([all.workflows.map((w) => w.uid), all.next_cursor]).toEqual([seen, null]);
  });

  it('keeps a page stable when a workflow before the cursor is published or updated', async () => {
    for (const uid of ['p1', 'p2', 'p3'])
      await publish(h.keys.acmeMember, { ...flow(h.server, uid, ['a']), uid });
    const first = await list(h.keys.acmeMember, '?limit=2');
    expect(first.workflows.map((w) => w.uid)).toEqual(['p1', 'p2']);
    await publish(h.keys.acmeMember, { ...flow(h.server, 'p0', ['a']), uid: 'p0' });
    const put = await h.call(h.keys.acmeMember, 'PUT', '/v1/workflows/p3', flow(h.server, 'p3', ['a', 'b']));
    expect(put.status).toBe(200);
    const next = await list(h.keys.acmeMember, `?limit=2&cursor=${first.next_cursor}`);
    expect([next.workflows.map((w) => [w.uid, w.version]), next.next_cursor]).toEqual([[['p3', 2]], null]);
  });

  it('defaults to 50 a page', async () => {
    for (let i = 0; i < 51; i++) {
      const uid = `n${String(i).padStart(2, '0')}`;
      await publish(h.keys.acmeMember, { ...flow(h.server, uid, ['a']), uid });
    }
    const first = await list(h.keys.acmeMember, '');
    expect([first.workflows.length, first.workflows.at(-1)?.uid]).toEqual([50, 'n49']);
    const rest = await list(h.keys.acmeMember, `?cursor=${first.next_cursor}`);
    expect([rest.workflows.map((w) => w.uid), rest.next_cursor]).toEqual([['n50'], null]);
  });

  it('answers 400 for a bad limit, a foreign cursor and an unknown parameter, naming it', async () => {
    for (const [query, path] of [
      ['?limit=0', 'querystring.limit'],
      ['?limit=201', 'querystring.limit'],
      ['?limit=ten', 'querystring.limit'],
    ]) {
      const res = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows${query}`);
      expect([query, res.status, codeOf(res)]).toEqual([query, 400, 'SLUICE_API_BAD_REQUEST']);
      expect(JSON.stringify(res.body.error)).toContain(path);
    }
    const runCursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z'])).toString('base64url');
    for (const cursor of ['not-a-cursor', runCursor, Buffer.from('[1,2]').toString('base64url')]) {
      const res = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows?cursor=${cursor}`);
      expect([res.status, codeOf(res)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
      expect(res.body.error).toMatchObject({ message: 'cursor is not a cursor this API returned' });
    }
    const unknown = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows?page=2');
    expect([unknown.status, codeOf(unknown)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    expect(JSON.stringify(unknown.body.error)).toContain('page');
  });
});
