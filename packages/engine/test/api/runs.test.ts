/** The runs API over HTTP: runs against a loopback server, listing, cancel, retry, input rules, tenancy. */
import { describe, expect, it } from 'vitest';
import { codeOf, flow, useApiHarness } from './harness.js';

const h = useApiHarness({ waitLimitMs: 10_000 });

const publish = async (body: object, key = h.keys.acmeMember) => {
  const res = await h.call(key, 'POST', '/v1/workflows', body);
  expect(res.status).toBe(201);
  return res.body.uid as string;
};

describe('POST /v1/workflows/{uid}/runs', () => {
  it('answers 202 at once, and ?wait=true answers 200 with the finished run', async () => {
    h.server.script('/a', [{ status: 200, body: { n: 1 } }]);
    h.server.script('/b', [{ status: 200, body: { n: 2 } }]);
    const uid = await publish({
      ...flow(h.server, 'two', ['a', 'b']),
      steps: [
        {
          name: 'a',
          apispec: {
            url: h.server.url('/a'),
            params: { since: '{{ INPUT.since }}', who: '{{ USER.email }}' },
          },
        },
        {
          name: 'b',
          apispec: {
            url: h.server.url('/b'),
            params: { base: '{{ SYSTEM_APIS.sluice }}' },
          },
        },
      ],
    });
    const res = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
      input: { since: 'x' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'succeeded',
      workflow_uid: uid,
      version: 1,
      workspace_id: 'acme',
      input: { since: 'x' },
    });
    expect((res.body.steps as { output: unknown }[]).map((s) => s.output)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(h.server.requests('/a')[0]?.query.get('who')).toBe('bob@acme.test');
    expect(h.server.requests('/b')[0]?.query.get('base')).toBe('http://127.0.0.1:1');
    const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, {
      input: { since: 'y' },
    });
    expect(started.status).toBe(202);
    expect(['pending', 'running', 'succeeded']).toContain(started.body.status);
    await h.engine.waitForRun(started.body.id as string, 10_000);
    const again = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${started.body.id}`);
    expect(again.body).toMatchObject({
      status: 'succeeded',
      created_at: expect.any(String),
      finished_at: expect.any(String),
    });
    const lease = await h.store.runs.getRun(started.body.id as string);
    expect(lease).toMatchObject({ lease_owner: null, lease_expires_at: null });
  });

  it('answers 422 for an input that is not an object when the workflow reads INPUT fields, and 400 for extra fields', async () => {
    const uid = await publish({
      name: 'reads-input',
      steps: [{ name: 'a', apispec: { url: h.server.url('/a'), params: { q: '{{ INPUT.query }}' } } }],
    });
    for (const input of [[1], 'text', null, 3]) {
      const res = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, { input });
      expect([res.status, codeOf(res)]).toEqual([422, 'SLUICE_RUN_INPUT']);
    }
    const none = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, {});
    expect(none.status).toBe(422);
    expect((none.body.error as { details: unknown }).details).toEqual({
      expected: 'object',
      got: 'null',
      fields: ['query'],
    });
    const extra = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, {
      input: {},
      inptu: 1,
    });
    expect([extra.status, codeOf(extra)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    expect(extra.body.error).toMatchObject({
      message: `body.inptu: a run's body holds only "input"`,
      details: { hint: 'move the other members into "input": {"input": {...}}' },
    });
    // The input sent bare: the answer says to wrap it, naming the keys but not their values.
    const bare = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, {
      query: 'shoes',
      password: 'hunter2-secret',
    });
    expect([bare.status, codeOf(bare)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    expect(bare.body.error).toMatchObject({
      message: `body.query: the run's values go under "input"; wrap them in it`,
      details: { hint: 'send {"input": {"query": ..., "password": ...}} instead of the bare values' },
    });
    expect(JSON.stringify(bare.body)).not.toContain('hunter2');
    const free = await publish(flow(h.server, 'free', ['a']));
    h.server.script('/a', [{ status: 200, body: {} }]);
    expect(
      (await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${free}/runs?wait=true`, { input: [1] }))
        .status,
    ).toBe(200);
  });
});

describe('GET /v1/runs', () => {
  it("lists the workspace's runs newest first, by workflow and status, with a cursor", async () => {
    h.server.script('/a', [{ status: 200, body: {} }]);
    const one = await publish(flow(h.server, 'one', ['a']));
    const two = await publish(flow(h.server, 'two', ['a']));
    const ids: string[] = [];
    for (const uid of [one, one, one, two]) {
      const res = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
        input: {},
      });
      ids.push(res.body.id as string);
    }
    await h.call(h.keys.globexMember, 'GET', '/v1/runs');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/runs?workflow=${one}&status=succeeded&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = await h.call(h.keys.acmeAdmin, 'GET', query);
      expect(page.status).toBe(200);
      seen.push(...(page.body.runs as { id: string }[]).map((r) => r.id));
      cursor = page.body.next_cursor as string | null;
    } while (cursor !== null);
    const expected = (
      await h.store.runs.listRuns({ workspace_id: 'acme', workflow_uid: one, limit: 10 })
    ).map((r) => r.id);
    expect(seen).toEqual(expected);
    expect([...seen].sort()).toEqual(ids.slice(0, 3).sort());
    expect(((await h.call(h.keys.acmeMember, 'GET', '/v1/runs')).body.runs as unknown[]).length).toBe(4);
    expect((await h.call(h.keys.globexMember, 'GET', '/v1/runs')).body.runs).toEqual([]);
    expect((await h.call(h.keys.globexMember, 'GET', `/v1/runs/${ids[0]}`)).status).toBe(404);
    expect((await h.call(h.keys.globexMember, 'POST', `/v1/runs/${ids[0]}/cancel`)).status).toBe(404);
    expect((await h.call(h.keys.globexMember, 'POST', `/v1/runs/${ids[0]}/retry`)).status).toBe(404);
    for (const bad of ['status=done', 'limit=0', 'limit=500', 'cursor=nope', 'workflow=a%20b', 'other=1']) {
      const res = await h.call(h.keys.acmeMember, 'GET', `/v1/runs?${bad}`);
      expect([bad, res.status, codeOf(res)]).toEqual([bad, 400, 'SLUICE_API_BAD_REQUEST']);
    }
  });
});

describe('POST /v1/runs/{id}/cancel', () => {
  it('cancels a running run, and answers 409 for a finished one', async () => {
    h.server.script('/slow', [{ hang: true }]);
    const uid = await publish(flow(h.server, 'slow', ['slow']));
    const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, { input: {} });
    const id = started.body.id as string;
    while (h.server.count('/slow') === 0) await new Promise((r) => setTimeout(r, 5));
    const res = await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled' });
    const again = await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/cancel`);
    expect([again.status, codeOf(again)]).toEqual([409, 'SLUICE_RUN_STATE']);
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/runs/no-such-run')).status).toBe(404);
  });
});

describe('POST /v1/runs/{id}/retry', () => {
  it('resumes a failed run from its failed step without calling the earlier steps again', async () => {
    h.server.script('/a', [{ status: 200, body: { token: 'one' } }]);
    h.server.script('/b', [{ status: 503, body: 'down' }]);
    h.server.script('/c', [{ status: 200, body: { done: true } }]);
    const uid = await publish(flow(h.server, 'abc', ['a', 'b', 'c']));
    const failed = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
      input: {},
    });
    expect(failed.body).toMatchObject({ status: 'failed', error: { status: 503 } });
    const id = failed.body.id as string;
    expect((await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/cancel`)).status).toBe(409);
    const key = h.server.requests('/b')[0]?.headers['idempotency-key'];
    h.server.script('/b', [{ status: 200, body: { ok: true } }]);
    const retried = await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/retry?wait=true`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id, status: 'succeeded', error: null });
    expect((retried.body.steps as { status: string }[]).map((s) => s.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(h.server.count('/a')).toBe(1);
    expect(h.server.requests('/b')[0]?.headers['idempotency-key']).toBe(key);
    const twice = await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/retry`);
    expect([twice.status, codeOf(twice)]).toEqual([409, 'SLUICE_RUN_STATE']);
  });
});
