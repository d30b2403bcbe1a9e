/**
 * `GET /v1/runs` searched (issue 17): by run id, origin, and a time range, beside workflow and status,
 * across pages; and `origin`, what started each run (the `X-Sluice-Origin` header of the API call, a
 * webhook delivery, a schedule), in the list and in `GET /v1/runs/{id}`.
 */
import { internalsOf } from '@sluice/engine/internal';
import { describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from './harness.js';

let clock = Date.parse('2026-12-07T10:00:00Z');
const now = () => clock;
const h = useApiHarness({ now, waitLimitMs: 10_000, engine: { now, triggerTickMs: 3_600_000 } });

interface Summary {
  id: string;
  status: string;
  origin: string | null;
  created_at: string;
  workflow_uid: string | null;
}

const publish = async (body: object) => {
  const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', body);
  expect(res.status).toBe(201);
  return res.body.uid as string;
};

const oneStep = (uid: string, extra: object = {}) => ({
  uid,
  name: uid,
  default_retry: { total: 0 },
  steps: [{ name: 'a', apispec: { url: h.server.url(`/${uid}`), method: 'get' } }],
  ...extra,
});

/** Starts a run at `at` with `headers`, waits for it to end and resolves its id. */
async function runAt(uid: string, at: string, headers: Record<string, string> = {}): Promise<string> {
  clock = Date.parse(at);
  const res = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {}, headers);
  expect(res.status).toBe(200);
  return res.body.id as string;
}

async function list(
  query: string,
  key = h.keys.acmeMember,
): Promise<{ runs: Summary[]; next: string | null }> {
  const res = await h.call(key, 'GET', `/v1/runs${query}`);
  expect(res.status).toBe(200);
  return { runs: res.body.runs as Summary[], next: res.body.next_cursor as string | null };
}

describe('runs.origin', () => {
  it('records api by default, console and cli from X-Sluice-Origin, and refuses another value naming the header', async () => {
    h.server.script('/o', [{ status: 200, body: {} }]);
    const uid = await publish(oneStep('o'));
    const api = await runAt(uid, '2026-12-07T10:00:00Z');
    const consoleRun = await runAt(uid, '2026-12-07T10:01:00Z', { 'x-sluice-origin': 'console' });
    const cli = await runAt(uid, '2026-12-07T10:02:00Z', { 'x-sluice-origin': 'cli' });

    const bad = await h.call(
      h.keys.acmeMember,
      'POST',
      `/v1/workflows/${uid}/runs`,
      {},
      {
        'x-sluice-origin': 'robot',
      },
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('x-sluice-origin');

    const { runs } = await list('');
    expect(runs.map((run) => [run.id, run.origin])).toEqual([
      [cli, 'cli'],
      [consoleRun, 'console'],
      [api, 'api'],
    ]);
    const one = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${consoleRun}`);
    expect(one.body).toMatchObject({ id: consoleRun, origin: 'console', status: 'succeeded' });
  });

  it("records a trigger's kind: webhook for a delivery, schedule for a fire time; ?origin= finds each", async () => {
    h.server.script('/hooked', [{ status: 200, body: {} }]);
    h.server.script('/timed', [{ status: 200, body: {} }]);
    clock = Date.parse('2026-12-07T10:00:30Z');
    await publish(oneStep('hooked', { trigger: { webhook: {} } }));
    await publish(oneStep('timed', { trigger: { schedule: { cron: '* * * * *' } } }));
    const manual = await runAt('hooked', '2026-12-07T10:00:40Z');

    const trigger = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/hooked/trigger');
    const delivered = await h.call(undefined, 'POST', trigger.body.hook_path as string, '{"n":1}', {
      'content-type': 'application/json',
    });
    expect(delivered.status).toBe(202);
    const hookRun = delivered.body.run_id as string;
    await h.engine.waitForRun(hookRun, 10_000);

    clock = Date.parse('2026-12-07T10:01:00Z');
    await internalsOf(h.engine).tickTriggers();
    const scheduled = await list('?origin=schedule');
    expect(scheduled.runs.map((run) => [run.workflow_uid, run.origin])).toEqual([['timed', 'schedule']]);
    await h.engine.waitForRun(scheduled.runs[0]?.id as string, 10_000);

    expect((await list('?origin=webhook')).runs.map((run) => run.id)).toEqual([hookRun]);
    expect((await list('?origin=api')).runs.map((run) => run.id)).toEqual([manual]);
    expect((await list('?origin=poll')).runs).toEqual([]);
    expect((await list('?origin=webhook&workflow=timed')).runs).toEqual([]);
    const bad = await h.call(h.keys.acmeMember, 'GET', '/v1/runs?origin=Not%20One');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('origin');
  });
});

describe('runs.origin of runs other runs start', () => {
  it('records parent for a workflow: step child, on_failure for a failure run, each linked to its run', async () => {
    h.server.script('/child', [{ status: 200, body: {} }]);
    h.server.script('/broken', [{ status: 500, body: {} }]);
    h.server.script('/alert', [{ status: 200, body: {} }]);
    await publish(oneStep('child'));
    await publish({ ...oneStep('alert'), steps: [{ name: 'a', apispec: { url: h.server.url('/alert') } }] });
    const parent = await publish({
      uid: 'parent',
      name: 'parent',
      default_retry: { total: 0 },
      steps: [{ name: 'call', workflow: 'child' }],
    });
    const broken = await publish({
      ...oneStep('broken'),
      on_failure: { workflow: 'alert' },
    });
    const parentRun = await runAt(parent, '2026-12-07T11:00:00Z');
    const children = await list('?origin=parent');
    expect(children.runs.map((run) => [run.workflow_uid, run.origin])).toEqual([['child', 'parent']]);
    expect(children.runs[0]).toMatchObject({ parent_run_id: parentRun });

    clock = Date.parse('2026-12-07T11:01:00Z');
    const failed = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${broken}/runs?wait=true`, {});
    expect(failed.body.status).toBe('failed');
    await expect
      .poll(
        async () => (await list('?origin=on_failure')).runs.map((run) => [run.workflow_uid, run.origin]),
        {
          timeout: 10_000,
        },
      )
      .toEqual([['alert', 'on_failure']]);
    expect((await list('?origin=on_failure')).runs[0]).toMatchObject({ failure_of: failed.body.id });
  });
});

describe('GET /v1/runs search', () => {
  it('finds one run by id, and none of another workspace', async () => {
    h.server.script('/s', [{ status: 200, body: {} }]);
    const uid = await publish(oneStep('s'));
    const first = await runAt(uid, '2026-12-07T10:00:00Z');
    await runAt(uid, '2026-12-07T10:01:00Z');
    expect((await list(`?id=${first}`)).runs.map((run) => run.id)).toEqual([first]);
    expect((await list(`?id=${first}`, h.keys.globexMember)).runs).toEqual([]);
    expect((await list(`?id=${first}&status=failed`)).runs).toEqual([]);
  });

  it('keeps the runs created in [since, until), with zones, across pages', async () => {
    h.server.script('/t', [{ status: 200, body: {} }]);
    const uid = await publish(oneStep('t'));
    const ids: string[] = [];
    for (let minute = 0; minute < 6; minute++) {
      ids.push(await runAt(uid, `2026-12-07T10:0${minute}:00Z`));
    }
    // 11:01+01:00 is 10:01Z; until is exclusive, so 10:05 is out.
    const since = encodeURIComponent('2026-12-07T11:01:00+01:00');
    const until = encodeURIComponent('2026-12-07T10:05:00Z');
    const firstPage = await list(`?since=${since}&until=${until}&limit=3`);
    expect(firstPage.runs.map((run) => run.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(firstPage.next).not.toBeNull();
    const secondPage = await list(
      `?since=${since}&until=${until}&limit=3&cursor=${encodeURIComponent(firstPage.next as string)}`,
    );
    expect(secondPage.runs.map((run) => run.id)).toEqual([ids[1]]);
    expect(secondPage.next).toBeNull();
    expect(
      (await list(`?until=${encodeURIComponent('2026-12-07T10:00:00.001Z')}`)).runs.map((r) => r.id),
    ).toEqual([ids[0]]);
  });

  it('answers 400 naming the parameter for a time that is none', async () => {
    const res = await h.call(h.keys.acmeMember, 'GET', '/v1/runs?since=yesterday');
    expect([res.status, codeOf(res)]).toEqual([400, 'SLUICE_API_BAD_REQUEST']);
    expect((res.body.error as { message: string }).message).toBe('query.since: "yesterday" is not a time');
    const id = await h.call(h.keys.acmeMember, 'GET', '/v1/runs?id=a%20b');
    expect(id.status).toBe(400);
    expect(JSON.stringify(id.body)).toContain('id');
  });
});
