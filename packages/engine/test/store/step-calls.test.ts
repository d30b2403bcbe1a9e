/**
 * A step that did not fan out keeps its one call in its step row (migration 0005): the items a resumed
 * run and the run record read are rebuilt from those rows, replacing an item row of the same step left
 * from a stored wait, and keeping the item rows of fanned-out steps and of rows stored before 0005.
 */
import { needsItemRows, stepCall, withStepCalls } from '@sluice/engine/internal';
import { describe, expect, it } from 'vitest';
import { item, step, T0, T1 } from './fixtures.js';

const history = [{ started_at: T0, duration_ms: 5, wait_ms: 0, status: 200 }];
const single = step('r1', 0, {
  status: 'succeeded',
  output: { ok: true },
  attempts: 1,
  finished_at: T1,
  history,
  idempotency_key: 'key-0',
  sealed_output: 'v1.sealed',
});

describe('step calls', () => {
  it('rebuilds the item of a step row that holds its call', () => {
    expect(stepCall(single)).toStrictEqual({
      run_id: 'r1',
      step_index: 0,
      item_index: 0,
      status: 'succeeded',
      input: { n: 0 },
      output: { ok: true },
      error: null,
      attempts: 1,
      history,
      idempotency_key: 'key-0',
      started_at: T0,
      finished_at: T1,
      sealed_output: 'v1.sealed',
    });
    expect(stepCall(step('r1', 1, { fanned_out: true, idempotency_key: 'x' }))).toBeUndefined();
    expect(stepCall(step('r1', 2))).toBeUndefined();
  });

  it('replaces the unfinished item row of a call that finished with its step, and keeps the rest in order', () => {
    const waited = item('r1', 0, 0, { status: 'running', history: [], idempotency_key: 'key-0' });
    const fanned = [item('r1', 1, 1), item('r1', 1, 0)];
    const merged = withStepCalls([single, step('r1', 1, { fanned_out: true })], [waited, ...fanned]);
    expect(merged.map((row) => [row.step_index, row.item_index, row.status])).toEqual([
      [0, 0, 'succeeded'],
      [1, 0, 'succeeded'],
      [1, 1, 'succeeded'],
    ]);
  });

  it('reads item rows only when a step fanned out or a finished call is not in its step row', () => {
    expect(needsItemRows([single, step('r1', 1, { status: 'skipped' })])).toBe(false);
    expect(needsItemRows([single, step('r1', 1, { fanned_out: true })])).toBe(true);
    // Stored before migration 0005: the call is only in its item row.
    expect(needsItemRows([step('r1', 0, { status: 'succeeded' })])).toBe(true);
    expect(needsItemRows([])).toBe(false);
  });
});
