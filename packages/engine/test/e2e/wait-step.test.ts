/**
 * Issue 15, `wait`: a run alone (`runWorkflow`, as `sluice run` runs) sleeps through a wait step, with
 * the clock and sleep of the harness; `until` is a template of an RFC 3339 time. The stored wait of the
 * service (a restart in between) is in `durability.test.ts`.
 */
import { parseWorkflow, type Workflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { type Harness, START, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});

function paused(prefix: string, wait: Record<string, unknown>): Workflow {
  server.script(`${prefix}/then`, [{ status: 200, body: { ok: true } }]);
  return {
    name: prefix.slice(1),
    scope: 'workspace',
    steps: [
      { name: 'pause', wait },
      { name: 'then', apispec: { url: server.url(`${prefix}/then`), method: 'GET' } },
    ],
  } as Workflow;
}

describe('wait', () => {
  it('sleeps for seconds, then goes on; its output is the time it ended', async () => {
    const { outcome, record } = await engine.run(paused('/seconds', { seconds: 30 }));
    expect(outcome.status).toBe('succeeded');
    expect(engine.waits).toEqual([30_000]);
    expect(record.steps[0]?.output).toEqual({ until: new Date(START + 30_000).toISOString() });
    expect([record.steps[0]?.attempts, server.count('/seconds/then')]).toEqual([0, 1]);
  });

  it('waits until a rendered time, and not at all for a time past', async () => {
    const later = new Date(START + 90_000).toISOString();
    await engine.run(paused('/until', { until: '{{ INPUT.not_before }}' }), { input: { not_before: later } });
    expect(engine.waits).toEqual([90_000]);
    engine.waits.length = 0;
    const { record } = await engine.run(paused('/past', { until: '2020-01-01T00:00:00Z' }));
    expect(engine.waits).toEqual([]);
    expect(record.steps[0]?.output).toEqual({ until: '2020-01-01T00:00:00.000Z' });
  });

  it('fails the step for a time that is not RFC 3339, or more than 366 days away', async () => {
    const bad = await engine.run(paused('/bad', { until: '{{ INPUT.t }}' }), { input: { t: 'tomorrow' } });
    expect(bad.outcome.status).toBe('failed');
    expect(bad.record.steps[0]?.error?.message).toContain(
      'steps.pause.wait.until: "tomorrow" is not an RFC 3339 time',
    );
    const far = new Date(START + 367 * 24 * 3600 * 1000).toISOString();
    const tooFar = await engine.run(paused('/far', { until: far }));
    expect(tooFar.record.steps[0]?.error?.message).toContain('is more than 366 days away');
    expect([server.count('/bad/then'), server.count('/far/then'), engine.waits]).toEqual([0, 0, []]);
  });

  it('is refused at validate with neither or both of seconds and until, or more than 366 days', async () => {
    const problemsOf = (wait: string) =>
      parseWorkflow(`name: w\nsteps:\n  - name: pause\n    wait: ${wait}\n`, { file: 'w.yaml' }).then(
        () => [],
        (err: { problems?: { path: string; message: string }[] }) =>
          (err.problems ?? []).map((problem) => [problem.path, problem.message]),
      );
    expect(await problemsOf('{ seconds: 5, until: "2030-01-01T00:00:00Z" }')).toEqual([
      ['steps[0].wait', 'must have exactly one of seconds and until'],
    ]);
    expect(await problemsOf('{}')).toEqual([['steps[0].wait', 'must have exactly one of seconds and until']]);
    expect(await problemsOf('{ seconds: 31622401 }')).toEqual([
      ['steps[0].wait.seconds', 'must be a number of seconds from 0 to 31622400 (366 days) (got 31622401)'],
    ]);
    expect(await problemsOf('{ until: "{{ INPUT.x " }')).toEqual([
      ['steps[0].wait.until', expect.stringContaining('syntax')],
    ]);
  });
});
