/**
 * The attempts' HTTP exchanges in the store (issue 15, migration 0007): kept apart from the history in
 * the `exchanges` column, read only when asked for, pruned per workspace; and the workspace settings.
 */
import type { AttemptEntry } from '@sluice/engine';
import type { HttpExchange } from '@sluice/engine/api-types';
import { expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { item, newRun, step, T0, T1, T2 } from './fixtures.js';
import { describeEachRunStore } from './run-stores.js';

const EXCHANGE: HttpExchange = {
  started_at: T0,
  duration_ms: 12,
  request: {
    method: 'GET',
    url: 'https://api.test/v1/x?q=1',
    headers: { Authorization: '[redacted]' },
    body: '',
    encoding: 'utf-8',
    body_bytes: 0,
    cut: false,
  },
  response: {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"ok":true}',
    encoding: 'utf-8',
    body_bytes: 11,
    cut: false,
  },
};

const HISTORY: AttemptEntry[] = [
  { started_at: T0, duration_ms: 12, wait_ms: 0, status: 503, exchanges: [EXCHANGE] },
  { started_at: T1, duration_ms: 5, wait_ms: 100, error: 'connect' },
  { started_at: T2, duration_ms: 7, wait_ms: 200, status: 200, exchanges: [EXCHANGE, EXCHANGE] },
];

const bare = (history: AttemptEntry[]) => history.map(({ exchanges: _e, ...entry }) => entry);

describeEachRunStore('exchanges in the run store', (t) => {
  it('reads them back only when asked for, on items and on single-call step rows', async () => {
    await t.runs.createRun(newRun('r1'));
    await t.runs.saveStepItem(item('r1', 0, 0, { attempts: 3, history: HISTORY }));
    await t.runs.saveStep(
      step('r1', 1, { status: 'succeeded', attempts: 3, history: HISTORY, idempotency_key: 'k-1' }),
    );
    const lean = await t.runs.listStepItems('r1');
    expect(lean.map((row) => row.history)).toEqual([bare(HISTORY), bare(HISTORY)]);
    expect((await t.runs.listSteps('r1')).find((row) => row.step_index === 1)?.history).toEqual(
      bare(HISTORY),
    );
    const full = await t.runs.listStepItems('r1', { exchanges: true });
    expect(full.map((row) => row.history)).toEqual([HISTORY, HISTORY]);
  });

  it('stores no exchanges column for a history without any, and replaces them with the row', async () => {
    await t.runs.createRun(newRun('r1'));
    await t.runs.saveStepItem(item('r1', 0, 0, { history: HISTORY }));
    await t.runs.saveStepItem(item('r1', 0, 0, { history: bare(HISTORY) }));
    const [row] = await t.runs.listStepItems('r1', { exchanges: true });
    expect(row?.history).toEqual(bare(HISTORY));
  });
});

describeEachDialect('pruneExchanges and workspace settings', { reuse: true }, (t) => {
  // The run created at `createdAt`, its steps started then too (pruning goes by the rows' start).
  const withExchanges = async (id: string, workspace: string | null, createdAt: string) => {
    await t.store.runs.createRun(newRun(id, { workspace_id: workspace, created_at: createdAt }));
    await t.store.runs.saveStepItem(item(id, 0, 0, { history: HISTORY, started_at: createdAt }));
    await t.store.runs.saveStep(
      step(id, 1, { history: HISTORY, idempotency_key: `${id}-k`, started_at: createdAt }),
    );
  };
  const kept = async (id: string) =>
    (await t.store.runs.listStepItems(id, { exchanges: true })).map((row) =>
      row.history.some((entry) => entry.exchanges !== undefined),
    );

  it('clears the exchanges of one workspace, or of every workspace without settings, started before a time', async () => {
    await withExchanges('old-acme', 'acme', '2024-01-01T00:00:00.000Z');
    await withExchanges('new-acme', 'acme', '2024-03-01T00:00:00.000Z');
    await withExchanges('old-globex', 'globex', '2024-01-01T00:00:00.000Z');
    await withExchanges('old-none', null, '2024-01-01T00:00:00.000Z');
    const before = '2024-02-01T00:00:00.000Z';
    expect(await t.store.runs.pruneExchanges({ before, workspace_id: 'acme' })).toBe(2);
    expect(await kept('old-acme')).toEqual([false, false]);
    expect(await kept('new-acme')).toEqual([true, true]);
    expect(await kept('old-globex')).toEqual([true, true]);
    // Attempts stay; only their exchanges go.
    expect((await t.store.runs.listStepItems('old-acme'))[0]?.history).toEqual(bare(HISTORY));
    expect(await t.store.runs.pruneExchanges({ before, workspace_id: 'acme' })).toBe(0);

    await t.store.settings.put({
      workspace_id: 'globex',
      attempt_retention_days: 30,
      updated_at: T0,
      updated_by: 'gia@globex.test',
    });
    expect(await t.store.runs.pruneExchanges({ before, workspace_id: null })).toBe(2);
    expect(await kept('old-none')).toEqual([false, false]);
    // globex has settings of its own: the default pass leaves it alone.
    expect(await kept('old-globex')).toEqual([true, true]);
  });

  it("goes by each row's start: the step of an old run that started after the time keeps its exchanges", async () => {
    await t.store.runs.createRun(
      newRun('waited', { workspace_id: 'acme', created_at: '2024-01-01T00:00:00.000Z' }),
    );
    await t.store.runs.saveStep(
      step('waited', 0, { history: HISTORY, idempotency_key: 'w0', started_at: '2024-01-01T00:00:00.000Z' }),
    );
    await t.store.runs.saveStep(
      step('waited', 1, { history: HISTORY, idempotency_key: 'w1', started_at: '2024-03-01T00:00:00.000Z' }),
    );
    expect(
      await t.store.runs.pruneExchanges({ before: '2024-02-01T00:00:00.000Z', workspace_id: 'acme' }),
    ).toBe(1);
    expect(await kept('waited')).toEqual([false, true]);
    expect(
      await t.store.runs.pruneExchanges({ before: '2024-04-01T00:00:00.000Z', workspace_id: 'acme' }),
    ).toBe(1);
    expect(await kept('waited')).toEqual([false, false]);
  });

  it('keeps one settings row per workspace', async () => {
    expect(await t.store.settings.get('acme')).toBeUndefined();
    const row = {
      workspace_id: 'acme',
      attempt_retention_days: 3,
      updated_at: T0,
      updated_by: 'ann@acme.test',
    };
    await t.store.settings.put(row);
    await t.store.settings.put({ ...row, attempt_retention_days: 0, updated_at: T1 });
    expect(await t.store.settings.get('acme')).toEqual({ ...row, attempt_retention_days: 0, updated_at: T1 });
    expect(await t.store.settings.list()).toHaveLength(1);
  });

  it('adds the exchanges columns, their partial indexes and the settings table', async () => {
    expect(await t.db.tables()).toEqual(expect.arrayContaining(['workspace_settings']));
    expect(await t.db.indexes()).toEqual(
      expect.arrayContaining(['run_steps_exchanges_started', 'run_step_items_exchanges_started']),
    );
    // 0010 keyed them by time instead of run id.
    expect(await t.db.indexes()).not.toContain('run_steps_exchanges');
  });
});
