/** The pure parts of the engine metrics, and events recorded while prom-client loads. */
import { describe, expect, it } from 'vitest';
import { attemptOutcome, EngineMetrics, retriesIn } from '../../src/metrics/engine-metrics.js';
import type { AttemptEntry } from '../../src/store/store.js';

const at = (fields: Partial<AttemptEntry>): AttemptEntry => ({
  started_at: '2026-01-01T00:00:00.000Z',
  duration_ms: 1,
  wait_ms: 0,
  ...fields,
});

describe('attemptOutcome', () => {
  it.each([
    [{ status: 200 }, '2xx'],
    [{ status: 302 }, '3xx'],
    [{ status: 429 }, '4xx'],
    [{ status: 503 }, '5xx'],
    [{ error: 'connect' }, 'connect'],
    [{ error: 'timeout' }, 'timeout'],
    [{}, 'other'],
  ])('labels %j as %s', (fields, outcome) => {
    expect(attemptOutcome(at(fields))).toBe(outcome);
  });
});

describe('retriesIn', () => {
  it('counts attempts after the first, except those following a redirect', () => {
    expect(retriesIn([])).toBe(0);
    expect(retriesIn([at({ status: 200 })])).toBe(0);
    expect(retriesIn([at({ status: 503 }), at({ error: 'connect' }), at({ status: 200 })])).toBe(2);
    expect(retriesIn([at({ status: 302 }), at({ status: 307 }), at({ status: 200 })])).toBe(0);
    expect(retriesIn([at({ status: 301 }), at({ status: 503 }), at({ status: 200 })])).toBe(1);
  });
});

describe('EngineMetrics', () => {
  it('records the events observed before prom-client loaded', async () => {
    const metrics = new EngineMetrics({
      queueDepth: () => 3,
      countRunsByStatus: async () => ({ pending: 1, running: 0, succeeded: 0, failed: 0, cancelled: 0 }),
    });
    metrics.observe(
      { type: 'run-finished', runId: 'r', status: 'succeeded', durationMs: 5, error: null },
      'w',
    );
    metrics.observe(
      {
        type: 'item-finished',
        runId: 'r',
        step: 's',
        stepIndex: 0,
        itemIndex: 0,
        status: 'succeeded',
        attempts: 2,
        durationMs: 1500,
        history: [at({ status: 503 }), at({ status: 200 })],
      },
      'w',
    );
    const { text, contentType } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain/);
    for (const line of [
      'sluice_runs_finished_total{status="succeeded"} 1',
      'sluice_step_item_duration_seconds_sum{workflow="w",step="s"} 1.5',
      'sluice_step_item_duration_seconds_bucket{le="2.5",workflow="w",step="s"} 1',
      'sluice_step_item_duration_seconds_bucket{le="1",workflow="w",step="s"} 0',
      'sluice_http_attempts_total{outcome="5xx"} 1',
      'sluice_retries_total 1',
      'sluice_runs{status="pending"} 1',
      'sluice_queue_depth 3',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });
});
