/**
 * `?wait=true` answers a run that ended in this process from the rows its execution wrote (issue 14),
 * not from a read of the store: the answer must be the same JSON as `GET /v1/runs/{id}` afterwards, for
 * every kind of run — steps that succeed, retry, fail, are skipped, fan out, paginate, continue on error,
 * a secret in the input, a run that waits for a child run.
 */
import { describe, expect, it } from 'vitest';
import { useApiHarness } from './harness.js';

const h = useApiHarness();

/** Publishes `document`, runs it with `?wait=true`, and returns the answer and the later GET. */
async function waitAndGet(document: object, input: unknown) {
  const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', document);
  expect(published.status).toBe(201);
  const waited = await h.call(
    h.keys.acmeMember,
    'POST',
    `/v1/workflows/${published.body.uid}/runs?wait=true`,
    {
      input,
    },
  );
  const read = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${waited.body.id}`);
  expect(read.status).toBe(200);
  return { waited, read };
}

describe('POST /v1/workflows/{uid}/runs?wait=true answers as GET /v1/runs/{id}', () => {
  it('for steps that succeed, with a retry, a secret in the input and a skipped step', async () => {
    h.server.script('/a', [{ status: 503 }, { status: 200, body: { id: 7, token: 'tok_live_1234567890' } }]);
    h.server.script('/b', [{ status: 200, body: { items: [1, 2, 3] } }]);
    const { waited, read } = await waitAndGet(
      {
        name: 'mixed',
        default_retry: { total: 2, backoff_factor: 0, status_forcelist: [503] },
        steps: [
          { name: 'a', apispec: { url: h.server.url('/a'), method: 'get' } },
          { name: 'skipped', when: '{{ INPUT.go }}', apispec: { url: h.server.url('/never') } },
          {
            name: 'b',
            apispec: { url: h.server.url('/b'), params: { id: '{{ STEPS.a.output.id }}' } },
            output: '{{ CURRENT_STEP.response.body.items }}',
          },
        ],
      },
      { go: false, api_key: 'sk_secret_value_abcdef', nested: { n: [1, { deep: null }] } },
    );
    expect(waited.status).toBe(200);
    expect(waited.body.error).toBeNull();
    expect(waited.body.status).toBe('succeeded');
    expect(waited.body).toEqual(read.body);
    expect(waited.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(waited.headers['content-type']).toBe(read.headers['content-type']);
    // The answer is what was stored: the secret redacted, the retry in the history.
    expect(JSON.stringify(waited.body)).not.toContain('sk_secret_value_abcdef');
    const steps = waited.body.steps as Array<{ name: string; status: string; history: unknown[] }>;
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'succeeded'],
      ['skipped', 'skipped'],
      ['b', 'succeeded'],
    ]);
    expect(steps[0]?.history).toHaveLength(2);
  });

  it('for a failed run', async () => {
    h.server.script('/ok', [{ status: 200, body: { fine: true } }]);
    h.server.script('/bad', [{ status: 422, body: { error: 'nope' } }]);
    const { waited, read } = await waitAndGet(
      {
        name: 'failing',
        default_retry: { total: 0 },
        steps: [
          { name: 'ok', apispec: { url: h.server.url('/ok') } },
          { name: 'bad', apispec: { url: h.server.url('/bad') } },
          { name: 'after', apispec: { url: h.server.url('/ok') } },
        ],
      },
      {},
    );
    expect(waited.status).toBe(200);
    expect(waited.body.status).toBe('failed');
    expect(waited.body.error).not.toBeNull();
    expect(waited.body).toEqual(read.body);
  });

  it('for a step that fans out, with one item continuing on error', async () => {
    h.server.script('/item', [
      { status: 200, body: { v: 1 } },
      { status: 500, body: { e: 1 } },
      { status: 200, body: { v: 3 } },
    ]);
    const { waited, read } = await waitAndGet(
      {
        name: 'fan',
        default_retry: { total: 0 },
        steps: [
          {
            name: 'each',
            input: '{{ INPUT.ids }}',
            on_error: 'continue',
            apispec: { url: h.server.url('/item'), params: { id: '{{ CURRENT_STEP.input }}' } },
          },
        ],
      },
      { ids: [1, 2, 3] },
    );
    expect(waited.status).toBe(200);
    const [each] = waited.body.steps as Array<{ items: unknown[] }>;
    expect(each?.items).toHaveLength(3);
    expect(waited.body).toEqual(read.body);
  });

  it('for a step that paginates', async () => {
    h.server.script('/pages', [
      { status: 200, body: { items: [1, 2], next: 2 } },
      { status: 200, body: { items: [3], next: null } },
    ]);
    const { waited, read } = await waitAndGet(
      {
        name: 'pages',
        default_retry: { total: 0 },
        steps: [
          {
            name: 'list',
            apispec: {
              url: h.server.url('/pages'),
              params: { page: '{{ CURRENT_STEP.page.next | default(1, true) }}' },
            },
            paginate: {
              next: '{{ CURRENT_STEP.response.body.next }}',
              items: '{{ CURRENT_STEP.response.body.items }}',
            },
          },
        ],
      },
      {},
    );
    expect(waited.status).toBe(200);
    expect((waited.body.steps as Array<{ output: unknown }>)[0]?.output).toEqual([1, 2, 3]);
    expect(waited.body).toEqual(read.body);
  });

  it('for a run cancelled while it is waited for', async () => {
    h.server.script('/slow', [{ hang: true }]);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'slow',
      default_retry: { total: 0 },
      steps: [{ name: 'slow', apispec: { url: h.server.url('/slow') } }],
    });
    const started = h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${published.body.uid}/runs?wait=true`, {
      input: {},
    });
    // Cancel once the run is executing (the hanging request arrived).
    while (h.server.count('/slow') === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const runs = await h.call(h.keys.acmeMember, 'GET', `/v1/runs?workflow=${published.body.uid}`);
    const id = (runs.body.runs as Array<{ id: string }>)[0]?.id;
    await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/cancel`);
    const waited = await started;
    const read = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}`);
    expect(waited.body.status).toBe('cancelled');
    expect(waited.body).toEqual(read.body);
  });
});
