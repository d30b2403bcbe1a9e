/**
 * `trigger.poll` through the engine: a connector (`defineConnector`) reading a loopback API whose records
 * the tests add between cycles. Exactly one run per new record, none repeated, for an ascending and a
 * paging_desc trigger; the state survives an engine restart on the same SQLite file; a failing poll
 * records `last_error` and loses nothing; a connection whose test fails refuses the publish (422).
 */
import { randomBytes } from 'node:crypto';
import { createApi, createEngine, openStore } from '@sluice/engine';
import { internalsOf } from '@sluice/engine/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../api/harness.js';
import {
  ASCENDING_PAGE,
  GOOD_TOKEN,
  type RecordsApi,
  recordsConnector,
  startRecordsApi,
} from './records-api.js';

let clock = Date.parse('2024-05-01T12:00:00Z');
const now = () => clock;
const connectors = new Map([['records', recordsConnector()]]);
// One secret key for the engine and the one after a restart: the connection's values must open in both.
const engineOptions = { now, triggerTickMs: 3_600_000, connectors, secretKey: randomBytes(32) };
const h = useApiHarness({ now, engine: engineOptions });

let api: RecordsApi;
beforeEach(async () => {
  clock = Date.parse('2024-05-01T12:00:00Z');
  api = await startRecordsApi();
  h.server.script('/handle', [{ status: 200, body: { ok: true } }]);
});
afterEach(async () => {
  await api.close();
});

async function saveConnection(token = GOOD_TOKEN, name = 'records-conn') {
  const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/connections', {
    name,
    connector: 'records',
    values: { base_url: api.url, api_token: token },
  });
  expect(res.status).toBeLessThan(300);
}

function polled(uid: string, trigger: string, extra: object = {}): object {
  return {
    uid,
    name: uid,
    default_retry: { total: 0 },
    trigger: { poll: { connector: 'records', trigger, connection: 'records-conn', interval: 30, ...extra } },
    steps: [
      {
        name: 'handle',
        apispec: { url: h.server.url('/handle'), method: 'post', json_body: { id: '{{ INPUT.id }}' } },
      },
    ],
  };
}

/** The record ids of the workflow's runs, oldest run first. */
async function runIds(uid: string): Promise<number[]> {
  const runs = await h.store.runs.listRuns({ workspace_id: 'acme', workflow_uid: uid, limit: 100 });
  return runs
    .sort(
      (a, b) =>
        a.created_at.localeCompare(b.created_at) ||
        (a.input as { id: number }).id - (b.input as { id: number }).id,
    )
    .map((run) => (run.input as { id: number }).id);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function nextCycle(seconds = 30): Promise<void> {
  clock += seconds * 1000;
  await internalsOf(h.engine).tickTriggers();
}

async function restartEngine(): Promise<void> {
  await h.app.close();
  await h.engine.close();
  await h.store.close();
  h.store = await openStore({ file: `${h.dir}/sluice.db` });
  h.engine = createEngine({ store: h.store, closeGraceMs: 0, ...engineOptions });
  await h.engine.start();
  h.app = await createApi({ engine: h.engine, now });
}

describe.each([
  ['an ascending trigger', 'new_records'],
  ['a paging_desc trigger', 'newest_records'],
])('trigger.poll with %s', (_kind, trigger) => {
  it('starts exactly one run per new record, across cycles and an engine restart', async () => {
    await saveConnection();
    api.add(3);
    expect((await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', polled('sync', trigger))).status).toBe(
      201,
    );
    await internalsOf(h.engine).tickTriggers();
    expect(await runIds('sync')).toEqual([1, 2, 3]);

    // Not due again before the interval: nothing is polled.
    const polls = api.seen.length;
    await internalsOf(h.engine).tickTriggers();
    expect(api.seen.length).toBe(polls);

    api.add(2 * ASCENDING_PAGE + 1); // several pages in one cycle
    await nextCycle();
    expect(await runIds('sync')).toEqual(range(1, 12));
    await nextCycle();
    expect(await runIds('sync')).toEqual(range(1, 12));

    await restartEngine();
    api.add(2);
    await nextCycle();
    await nextCycle();
    expect(await runIds('sync')).toEqual(range(1, 14));
    const view = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/sync/trigger');
    expect(view.body).toMatchObject({
      kind: 'poll',
      enabled: true,
      events_seen: 14,
      last_error: null,
      last_polled_at: new Date(clock).toISOString(),
      next_at: new Date(clock + 30_000).toISOString(),
    });

    // The runs execute with the record as INPUT, as the publisher (role member).
    const [first] = await h.store.runs.listRuns({ workspace_id: 'acme', workflow_uid: 'sync', limit: 1 });
    await h.engine.waitForRun(first?.id as string, 10_000);
    expect((await h.store.runs.getRun(first?.id as string))?.status).toBe('succeeded');
    expect(await h.store.runs.getRunCaller(first?.id as string)).toMatchObject({
      email: 'ann@acme.test',
      role: 'member',
    });
  });

  it('records last_error for a failing poll, starts nothing, and catches up when the API is back', async () => {
    await saveConnection();
    api.add(2);
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', polled('flaky', trigger));
    await internalsOf(h.engine).tickTriggers();
    expect(await runIds('flaky')).toEqual([1, 2]);

    api.failing = true;
    api.add(3);
    await nextCycle();
    const failed = (await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/flaky/trigger')).body;
    expect(failed.last_error).toMatch(/500/);
    expect(failed.last_error).not.toContain(GOOD_TOKEN);
    expect(failed).toMatchObject({ events_seen: 2, next_at: new Date(clock + 30_000).toISOString() });
    expect(await runIds('flaky')).toEqual([1, 2]);

    api.failing = false;
    await nextCycle();
    expect(await runIds('flaky')).toEqual([1, 2, 3, 4, 5]);
    expect(
      (await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/flaky/trigger')).body.last_error,
    ).toBeNull();
  });
});

describe('trigger.poll configuration', () => {
  it('refuses to publish a poll whose connection test fails (422), and stores nothing', async () => {
    await saveConnection('wrong-token');
    api.add(1);
    const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', polled('refused', 'new_records'));
    expect(res.status).toBe(422);
    expect(codeOf(res)).toBe('SLUICE_CONNECTION_TEST');
    expect((res.body.error as { message: string }).message).toMatch(/records-conn/);
    expect((res.body.error as { message: string }).message).not.toContain('wrong-token');
    expect((await h.call(h.keys.acmeAdmin, 'GET', '/v1/workflows/refused')).status).toBe(404);
    expect(await h.store.triggers.list()).toEqual([]);
  });

  it('refuses to enable a poll whose connection test fails, and keeps it disabled', async () => {
    await saveConnection();
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', polled('toggle', 'new_records'));
    expect((await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/toggle/trigger/disable')).status).toBe(
      200,
    );
    clock += 120_000; // past the cached test of the good connection
    await saveConnection('wrong-token');
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/toggle/trigger/enable');
    expect(res.status).toBe(422);
    expect(codeOf(res)).toBe('SLUICE_CONNECTION_TEST');
    expect((await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/toggle/trigger')).body.enabled).toBe(false);
  });

  it('keeps the cursor when only the interval changes, and starts over when the input changes', async () => {
    await saveConnection();
    api.add(2);
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', polled('edits', 'new_records'));
    await internalsOf(h.engine).tickTriggers();
    expect(await runIds('edits')).toEqual([1, 2]);

    await h.call(
      h.keys.acmeAdmin,
      'PUT',
      '/v1/workflows/edits',
      polled('edits', 'new_records', { interval: 10 }),
    );
    await nextCycle(10);
    expect(await runIds('edits')).toEqual([1, 2]);

    // A new input is another query: its state starts empty, so the records come again for it.
    await h.call(
      h.keys.acmeAdmin,
      'PUT',
      '/v1/workflows/edits',
      polled('edits', 'new_records', { input: { tag: 'b' } }),
    );
    await internalsOf(h.engine).tickTriggers();
    expect(await runIds('edits')).toEqual([1, 2, 1, 2]);
  });

  it('abandons a poll in flight on close without committing it, and polls the records again after', async () => {
    await saveConnection();
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', polled('closing', 'new_records'));
    api.add(2);
    api.delayMs = 60_000;
    const cycle = internalsOf(h.engine).tickTriggers();
    while (api.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    await h.engine.close();
    await cycle;
    expect(await runIds('closing')).toEqual([]);
    expect(await h.store.triggers.get('closing')).toMatchObject({ state: null, last_error: null });

    api.delayMs = 0;
    await restartEngine();
    await internalsOf(h.engine).tickTriggers();
    expect(await runIds('closing')).toEqual([1, 2]);
  });

  it('records last_error when the connection is gone', async () => {
    await saveConnection();
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', polled('orphan', 'new_records'));
    expect((await h.call(h.keys.acmeAdmin, 'DELETE', '/v1/connections/records-conn')).status).toBe(204);
    await internalsOf(h.engine).tickTriggers();
    const view = (await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/orphan/trigger')).body;
    expect(view.last_error).toMatch(/records-conn/);
    expect(view.events_seen).toBe(0);
  });
});
