/** `GET /metrics`: Prometheus text from the run events and the store, behind its own token. */
import { createApi, createEngine } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { codeOf, flow, useApiHarness } from './harness.js';

const TOKEN = 'metrics-token-for-the-tests-0123';

/** The value of the sample `name{labels}` (labels as Prometheus prints them), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics with a metrics token', () => {
  const h = useApiHarness({ waitLimitMs: 10_000, metricsToken: TOKEN });

  const scrape = async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('counts finished runs, runs by status, item durations, HTTP attempts, retries and the queue', async () => {
    h.server.script('/a', [{ status: 503 }, { status: 200, body: { ok: true } }]);
    h.server.script('/b', [{ status: 200, body: { ok: true } }]);
    h.server.script('/bad', [{ status: 404, body: 'no' }]);
    const good = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      ...flow(h.server, 'sync', ['a', 'b']),
      default_retry: { total: 2, status_forcelist: [503] },
    });
    const bad = await h.call(h.keys.globexMember, 'POST', '/v1/workflows', flow(h.server, 'broken', ['bad']));
    for (const [key, uid] of [
      [h.keys.acmeMember, good.body.uid],
      [h.keys.globexMember, bad.body.uid],
    ] as const) {
      const run = await h.call(key, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {});
      expect(run.status).toBe(200);
    }
    const text = await scrape();
    expect(sample(text, 'sluice_runs_finished_total{status="succeeded"}')).toBe(1);
    expect(sample(text, 'sluice_runs_finished_total{status="failed"}')).toBe(1);
    expect(sample(text, 'sluice_runs{status="succeeded"}')).toBe(1);
    expect(sample(text, 'sluice_runs{status="failed"}')).toBe(1);
    expect(sample(text, 'sluice_runs{status="pending"}')).toBe(0);
    expect(sample(text, 'sluice_step_item_duration_seconds_count{workflow="sync",step="a"}')).toBe(1);
    expect(sample(text, 'sluice_step_item_duration_seconds_count{workflow="sync",step="b"}')).toBe(1);
    expect(sample(text, 'sluice_step_item_duration_seconds_count{workflow="broken",step="bad"}')).toBe(1);
    expect(sample(text, 'sluice_step_item_duration_seconds_bucket{le="+Inf",workflow="sync",step="a"}')).toBe(
      1,
    );
    expect(sample(text, 'sluice_http_attempts_total{outcome="2xx"}')).toBe(2);
    expect(sample(text, 'sluice_http_attempts_total{outcome="5xx"}')).toBe(1);
    expect(sample(text, 'sluice_http_attempts_total{outcome="4xx"}')).toBe(1);
    expect(sample(text, 'sluice_retries_total')).toBe(1);
    expect(sample(text, 'sluice_queue_depth')).toBe(0);
    // Every write is committed, alone or in a transaction with others: at most one commit each.
    const commits = sample(text, 'sluice_store_commits_total') ?? 0;
    const writes = sample(text, 'sluice_store_statements_total{kind="write"}') ?? 0;
    const begins = sample(text, 'sluice_store_statements_total{kind="transaction"}') ?? 0;
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(writes + begins);
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
  });

  it('counts connect failures by class, and keeps each engine in its own registry', async () => {
    const uid = (
      await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
        name: 'refused',
        default_retry: { total: 0 },
        steps: [{ name: 'x', apispec: { url: 'http://127.0.0.1:1/x' } }],
      })
    ).body.uid;
    await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {});
    expect(sample(await scrape(), 'sluice_http_attempts_total{outcome="connect"}')).toBe(1);

    // A second engine on the same store: its counters start empty, its gauge reads the same store.
    await using other = createEngine({ store: h.store, closeGraceMs: 0 });
    const app = await createApi({ engine: other, metricsToken: TOKEN });
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(sample(res.body, 'sluice_http_attempts_total{outcome="connect"}')).toBeUndefined();
      expect(sample(res.body, 'sluice_runs_finished_total{status="failed"}')).toBeUndefined();
      expect(sample(res.body, 'sluice_runs{status="failed"}')).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('answers 401 without the token, with a wrong one, and with an API key', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${h.keys.acmeAdmin}`, TOKEN]) {
      const res = await h.call(
        undefined,
        'GET',
        '/metrics',
        undefined,
        authorization === undefined ? {} : { authorization },
      );
      expect([authorization, res.status, codeOf(res)]).toEqual([
        authorization,
        401,
        'SLUICE_API_UNAUTHORIZED',
      ]);
      expect(res.body.error).toMatchObject({ message: 'GET /metrics needs the metrics token' });
    }
  });
});

describe('GET /metrics without a metrics token', () => {
  const h = useApiHarness();

  it('is off: 404, whatever key is sent', async () => {
    for (const key of [undefined, h.keys.acmeAdmin]) {
      const res = await h.call(key, 'GET', '/metrics');
      expect([res.status, codeOf(res)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
      expect(res.body.error).toMatchObject({
        message: 'GET /metrics is off on this service',
        details: { hint: expect.stringContaining('--metrics-token') },
      });
    }
  });
});
