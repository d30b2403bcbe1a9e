/** Rows for the store tests. */
import {
  isSluiceError,
  type NewRun,
  type PublishWorkflow,
  type StepItemRow,
  type StepRow,
  type Workflow,
} from '@sluice/engine';
import { expect } from 'vitest';

export const T0 = '2024-05-01T12:00:00.000Z';
export const T1 = '2024-05-01T12:00:01.250Z';
export const T2 = '2024-05-01T12:00:02.500Z';

export const WORKFLOW: Workflow = {
  uid: 'wf-1',
  name: 'sync-new-customers',
  scope: 'workspace',
  default_retry: { total: 3, backoff_factor: 0.5, status_forcelist: [429, 502, 503] },
  steps: [
    {
      name: 'customers',
      apispec: { url: '{{ SYSTEM_APIS.my_app }}/v1/customers.json', method: 'GET', timeout: 10 },
      output: '{{ CURRENT_STEP.response.body.customers }}',
    },
  ],
};

/** A publish of workflow `uid` named `name` by ann of acme at T0 (`extra` overrides). */
export function publishOf(uid: string, name: string, extra: Partial<PublishWorkflow> = {}): PublishWorkflow {
  return {
    uid,
    workspace_id: 'acme',
    user_id: 'ann@acme.test',
    document: { ...WORKFLOW, uid, name },
    at: T0,
    ...extra,
  };
}

export function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
  return {
    id,
    workflow_name: WORKFLOW.name,
    workflow: WORKFLOW,
    input: { since: T0 },
    created_at: T0,
    ...extra,
  };
}

export function step(runId: string, index: number, extra: Partial<StepRow> = {}): StepRow {
  return {
    run_id: runId,
    step_index: index,
    name: `step-${index}`,
    status: 'running',
    fanned_out: false,
    input: { n: index },
    output: undefined,
    error: null,
    attempts: 0,
    started_at: T0,
    finished_at: null,
    ...extra,
  };
}

export function item(runId: string, stepIndex: number, itemIndex: number, extra: Partial<StepItemRow> = {}) {
  const row: StepItemRow = {
    run_id: runId,
    step_index: stepIndex,
    item_index: itemIndex,
    status: 'succeeded',
    input: { id: itemIndex },
    output: { ok: true, id: itemIndex },
    error: null,
    attempts: 1,
    history: [{ started_at: T0, duration_ms: 12, wait_ms: 0, status: 200 }],
    idempotency_key: `${runId}:${stepIndex}:${itemIndex}`,
    started_at: T0,
    finished_at: T1,
    ...extra,
  };
  return row;
}

/** Values JSON can hold, chosen to catch lossy storage (key order, unicode, null vs absent, numbers). */
export const AWKWARD_JSON = {
  zebra: 1,
  apple: { nested: { deeper: [1, 'two', { three: null }, [], {}] } },
  unicode: 'é ü ß 中文 עברית 😀 \u0000 \u2028 \ud800 "quoted" \\ back',
  numbers: [0, -1, 1.5, 0.1, 1e-7, 2 ** 53 - 1, -(2 ** 31), 1e21],
  nothing: null,
  empty: '',
  bool: [true, false],
  '': 'empty key',
  'key with spaces.and.dots': 'x',
};

/** The error `promise` rejects with, checked to be `SLUICE_STORE`. */
export async function storeError(promise: Promise<unknown>): Promise<Error & { hint?: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSluiceError(err, 'SLUICE_STORE')).toBe(true);
  return err as Error & { hint?: string };
}
