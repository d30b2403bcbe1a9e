/**
 * `trigger.schedule` under the engine's injected clock: one run per cron time, a missed stretch fires
 * once, the time zone moves the fire time, disabling stops it, and a restart keeps a missed time.
 */
import { createApi, createEngine, openStore } from '@sluice/engine';
import { internalsOf } from '@sluice/engine/internal';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../api/harness.js';

let clock = Date.parse('2024-05-01T12:00:30Z');
const now = () => clock;
const h = useApiHarness({ now, engine: { now, triggerTickMs: 3_600_000 } });

function scheduled(uid: string, schedule: object): object {
  return {
    uid,
    name: uid,
    default_retry: { total: 0 },
    trigger: { schedule },
    steps: [{ name: 'tick', apispec: { url: h.server.url('/tick'), method: 'get' } }],
  };
}

async function runsOf(uid: string) {
  return h.store.runs.listRuns({ workspace_id: 'acme', workflow_uid: uid, limit: 100 });
}

async function triggerOf(uid: string) {
  return (await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/trigger`)).body;
}

describe('trigger.schedule', () => {
  it('starts one run per minute for * * * * *, and one run for a stretch of missed minutes', async () => {
    clock = Date.parse('2024-05-01T12:00:30Z');
    h.server.script('/tick', [{ status: 200, body: { ok: true } }]);
    const published = await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      scheduled('every-minute', { cron: '* * * * *' }),
    );
    expect(published.status).toBe(201);
    expect(await triggerOf('every-minute')).toMatchObject({
      kind: 'schedule',
      enabled: true,
      next_at: '2024-05-01T12:01:00.000Z',
      events_seen: 0,
    });

    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('every-minute')).toHaveLength(0);

    clock = Date.parse('2024-05-01T12:01:00Z');
    await internalsOf(h.engine).tickTriggers();
    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('every-minute')).toHaveLength(1);

    clock = Date.parse('2024-05-01T12:02:05Z');
    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('every-minute')).toHaveLength(2);

    // Down from 12:02:05 to 12:07:30: the five missed minutes fire once, then it goes on from 12:08.
    clock = Date.parse('2024-05-01T12:07:30Z');
    await internalsOf(h.engine).tickTriggers();
    await internalsOf(h.engine).tickTriggers();
    const runs = await runsOf('every-minute');
    expect(runs).toHaveLength(3);
    expect(await triggerOf('every-minute')).toMatchObject({
      next_at: '2024-05-01T12:08:00.000Z',
      events_seen: 3,
      last_error: null,
    });
    // INPUT is schedule.input, {} by default; the run belongs to the workspace, USER is the publisher as a member.
    const run = runs[0];
    expect(run).toMatchObject({ workspace_id: 'acme', workflow_uid: 'every-minute', input: {} });
    expect(await h.store.runs.getRunCaller(run?.id as string)).toMatchObject({
      email: 'ann@acme.test',
      workspace_id: 'acme',
      role: 'member',
    });
  });

  it('computes the fire time in the time zone', async () => {
    clock = Date.parse('2024-05-01T12:00:00Z');
    const input = { report: 'daily' };
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', scheduled('utc', { cron: '0 9 * * *', input }));
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      scheduled('new-york', { cron: '0 9 * * *', timezone: 'America/New_York', input }),
    );
    // 9:00 in New York is 13:00 UTC in May (EDT); 9:00 UTC has passed today, so it is tomorrow.
    expect((await triggerOf('new-york')).next_at).toBe('2024-05-01T13:00:00.000Z');
    expect((await triggerOf('utc')).next_at).toBe('2024-05-02T09:00:00.000Z');

    clock = Date.parse('2024-05-01T13:00:00Z');
    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('new-york')).toMatchObject([{ input }]);
    expect(await runsOf('utc')).toHaveLength(0);
    expect((await triggerOf('new-york')).next_at).toBe('2024-05-02T13:00:00.000Z');
  });

  it('fires nothing while disabled, and goes on from the next time when enabled again', async () => {
    clock = Date.parse('2024-05-01T12:00:30Z');
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', scheduled('pausable', { cron: '* * * * *' }));
    const disabled = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/pausable/trigger/disable');
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false, next_at: null });

    clock = Date.parse('2024-05-01T12:03:00Z');
    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('pausable')).toHaveLength(0);

    // A new version keeps the trigger disabled.
    await h.call(
      h.keys.acmeAdmin,
      'PUT',
      '/v1/workflows/pausable',
      scheduled('pausable', { cron: '*/2 * * * *' }),
    );
    expect(await triggerOf('pausable')).toMatchObject({ enabled: false });

    const enabled = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/pausable/trigger/enable');
    expect(enabled.body).toMatchObject({ enabled: true, next_at: '2024-05-01T12:04:00.000Z' });
    clock = Date.parse('2024-05-01T12:04:00Z');
    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('pausable')).toHaveLength(1);
  });

  it('stops when the workflow is deleted or loses its trigger', async () => {
    clock = Date.parse('2024-05-01T12:00:30Z');
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', scheduled('gone', { cron: '* * * * *' }));
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', scheduled('plain', { cron: '* * * * *' }));
    await h.call(h.keys.acmeAdmin, 'DELETE', '/v1/workflows/gone');
    const { trigger: _trigger, ...untriggered } = scheduled('plain', {}) as Record<string, unknown>;
    await h.call(h.keys.acmeAdmin, 'PUT', '/v1/workflows/plain', untriggered);
    expect(await h.store.triggers.list()).toEqual([]);
    const none = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/plain/trigger');
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({
      error: { code: 'SLUICE_API_NOT_FOUND', message: 'workflow plain has no trigger' },
    });

    clock = Date.parse('2024-05-01T12:05:00Z');
    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('gone')).toHaveLength(0);
    expect(await runsOf('plain')).toHaveLength(0);
  });

  it('keeps a fire time missed while the engine was down, and fires it once after the restart', async () => {
    clock = Date.parse('2024-05-01T12:00:30Z');
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', scheduled('restart', { cron: '*/10 * * * *' }));
    await h.app.close();
    await h.engine.close();
    await h.store.close();

    clock = Date.parse('2024-05-01T12:35:00Z');
    h.store = await openStore({ file: `${h.dir}/sluice.db` });
    h.engine = createEngine({ store: h.store, closeGraceMs: 0, now, triggerTickMs: 3_600_000 });
    await h.engine.start();
    h.app = await createApi({ engine: h.engine, now });
    await internalsOf(h.engine).tickTriggers();
    expect(await runsOf('restart')).toHaveLength(1);
    expect((await triggerOf('restart')).next_at).toBe('2024-05-01T12:40:00.000Z');
  });

  it('answers 404 to another workspace and 403 to a member of another workspace that enables it', async () => {
    clock = Date.parse('2024-05-01T12:00:30Z');
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', {
      ...scheduled('shared', { cron: '* * * * *' }),
      scope: 'global',
    });
    expect((await h.call(h.keys.globexMember, 'GET', '/v1/workflows/shared/trigger')).status).toBe(404);
    const foreign = await h.call(h.keys.globexAdmin, 'POST', '/v1/workflows/shared/trigger/disable');
    expect(foreign.status).toBe(403);
    const member = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/shared/trigger/disable');
    expect(member.status).toBe(403);
    expect((await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/shared/trigger/disable')).status).toBe(200);
    expect((await h.call(undefined, 'GET', '/v1/workflows/shared/trigger')).status).toBe(401);
  });
});
