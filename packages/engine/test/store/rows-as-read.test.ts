/**
 * `rows-as-read.ts` gives what a read of a written row gives, without the database: checked against the
 * row codecs' own round trip (write to columns, read back) for steps, items and run patches.
 */
import { describe, expect, it } from 'vitest';
import { itemAsRead, runPatchedAsRead, stepAsRead } from '../../src/store/runs/rows-as-read.js';
import {
  itemToRow,
  newRunAsStored,
  newRunToRow,
  rowToItem,
  rowToRun,
  rowToStep,
  rowWithText,
  runPatchToColumns,
  stepToRow,
} from '../../src/store/runs/run-codec.js';
import type { RunPatch, StepItemRow, StepRow } from '../../src/store/runs/run-store.js';
import { AWKWARD_JSON, item, newRun, step, T0, T1, T2 } from './fixtures.js';

/** As JSON: what an API answer carries (values as given and values parsed back agree there). */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** A read without the `exchanges` column, as `listSteps` and `listStepItems` read by default. */
function lean<R extends { exchanges?: string | null }>(row: R): R {
  return { ...row, exchanges: null };
}

const EXCHANGE = {
  request: { method: 'GET', url: 'http://127.0.0.1/x', headers: {} },
  response: { status: 200, headers: {}, body: 'ok' },
};

const STEPS: StepRow[] = [
  step('r', 0),
  step('r', 1, { status: 'succeeded', output: AWKWARD_JSON, finished_at: T1, attempts: 1 }),
  step('r', 2, {
    status: 'failed',
    error: { type: 'status', message: 'steps.x: 500', status: 500, body: '{"e":1}' },
    idempotency_key: 'key-2',
    history: [
      { started_at: T0, duration_ms: 3, wait_ms: 0, status: 500, exchanges: [EXCHANGE] } as never,
      { started_at: T1, duration_ms: 4, wait_ms: 10, status: 500 },
    ],
    sealed_output: 'sealed-text',
    finished_at: '2024-05-01T14:00:02.5+02:00',
  }),
  step('r', 3, { status: 'skipped', fanned_out: true, input: [1, 2], output: [null, { a: 1 }] }),
];

const ITEMS: StepItemRow[] = [
  item('r', 3, 0),
  item('r', 3, 1, {
    status: 'failed',
    error: { type: 'timeout', message: 'read timeout' },
    history: [
      { started_at: T0, duration_ms: 1, wait_ms: 0, error: 'timeout', exchanges: [EXCHANGE] } as never,
    ],
    sealed_output: 'sealed',
  }),
  item('r', 3, 2, { output: AWKWARD_JSON, finished_at: '2024-05-01T12:00:03Z' }),
];

describe('rows as read', () => {
  it.each(STEPS.map((s) => [s.step_index, s] as const))(
    'step %i reads back as the codec reads it',
    (_, s) => {
      expect(json(stepAsRead(s))).toEqual(json(rowToStep(lean(stepToRow(s)))));
    },
  );

  it.each(ITEMS.map((i) => [i.item_index, i] as const))(
    'item %i reads back as the codec reads it',
    (_, i) => {
      expect(json(itemAsRead(i))).toEqual(json(rowToItem(lean(itemToRow(i)))));
    },
  );

  it.each([
    ['a plain run', newRun('r')],
    [
      'a started, leased child run with a sealed input and an origin',
      newRun('r', {
        status: 'running',
        started_at: T0,
        lease_owner: 'me',
        lease_expires_at: '2024-05-01T14:00:02.5+02:00',
        sealed_input: 'v1.a.b.c',
        parent_run_id: 'p',
        depth: 2,
        origin: 'parent',
        workflow_uid: 'u',
        workflow_version: 3,
        workspace_id: 'acme',
      }),
    ],
    ['an on_failure run of depth 0', newRun('r', { failure_of: 'f', depth: 0, origin: 'on_failure' })],
  ])('a new run reads back as inserted: %s', (_, run) => {
    expect(json(newRunAsStored(run))).toEqual(json(rowToRun(rowWithText(newRunToRow(run)))));
  });

  const PATCHES: [string, RunPatch[]][] = [
    ['started', [{ status: 'running', started_at: T0, lease_owner: 'me', lease_expires_at: T2 }]],
    [
      'ended with an error and a due on_failure',
      [{ status: 'failed', finished_at: T1, error: { type: 'status', message: 'x' }, on_failure_due: true }],
    ],
    [
      'a stored wait',
      [{ resume_at: '2024-05-01T13:00:00+01:00', lease_owner: null, lease_expires_at: null }],
    ],
    ['a due on_failure cleared', [{ on_failure_due: true }, { on_failure_due: false }]],
    [
      'a status after the end is dropped',
      [{ status: 'cancelled', finished_at: T1 }, { status: 'succeeded' }],
    ],
    ['a retry moves an ended run back', [{ status: 'failed', finished_at: T1 }, { status: 'pending' }]],
  ];

  it.each(PATCHES)('a run patched: %s', (_, patches) => {
    let recorded = newRunAsStored(newRun('r', { status: 'running', started_at: T0 }));
    let columns = rowWithText(newRunToRow(newRun('r', { status: 'running', started_at: T0 })));
    for (const patch of patches) {
      recorded = runPatchedAsRead(recorded, patch);
      const ended = columns.status !== 'pending' && columns.status !== 'running';
      // The SQL store's guard: a status other than `pending` is not written over an ended run.
      if (!(ended && patch.status !== undefined && patch.status !== 'pending')) {
        columns = { ...columns, ...runPatchToColumns(patch) };
      }
    }
    expect(json(recorded)).toEqual(json(rowToRun(columns)));
  });
});
