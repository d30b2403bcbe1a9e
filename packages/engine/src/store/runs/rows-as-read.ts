/**
 * What a read gives back of the rows a write was given, without the round trip through the database:
 * the times in canonical form, a step's call history only when it holds its call and without the
 * attempts' exchanges (they are read only when asked for), sealed columns only when set, a run patch
 * applied as `updateRun` applies it. Values (inputs, outputs) are kept as given rather than parsed back
 * from their JSON text: the same JSON. `?wait=true` answers from these (`run/recorded-run.ts`).
 *
 * @internal
 * @module
 */
import { toTime } from '../codec.js';
import { runPatchToColumns, withoutExchanges } from './run-codec.js';
import {
  isFinished,
  type RunPatch,
  type RunRow,
  type StepErrorRecord,
  type StepItemRow,
  type StepRow,
} from './run-store.js';

/** An error record as its JSON reads back (fields that are `undefined` gone). */
function errorAsRead(error: StepErrorRecord | null | undefined): StepErrorRecord | null {
  return error == null ? null : (JSON.parse(JSON.stringify(error)) as StepErrorRecord);
}

/** `listSteps`' row for the step row `saveStep` was given. */
export function stepAsRead(step: StepRow): StepRow {
  return {
    run_id: step.run_id,
    step_index: step.step_index,
    name: step.name,
    status: step.status,
    fanned_out: step.fanned_out,
    input: step.input,
    output: step.output,
    error: errorAsRead(step.error),
    attempts: step.attempts,
    started_at: toTime(step.started_at, 'run_steps.started_at'),
    finished_at: toTime(step.finished_at, 'run_steps.finished_at'),
    ...(step.sealed_output == null ? {} : { sealed_output: step.sealed_output }),
    ...(step.idempotency_key == null
      ? {}
      : { idempotency_key: step.idempotency_key, history: withoutExchanges(step.history ?? []) }),
  };
}

/** `listStepItems`' row (without exchanges) for the item row `saveStepItem` was given. */
export function itemAsRead(item: StepItemRow): StepItemRow {
  return {
    run_id: item.run_id,
    step_index: item.step_index,
    item_index: item.item_index,
    status: item.status,
    input: item.input,
    output: item.output,
    error: errorAsRead(item.error),
    attempts: item.attempts,
    history: withoutExchanges(item.history ?? []),
    idempotency_key: item.idempotency_key,
    started_at: toTime(item.started_at, 'run_step_items.started_at'),
    finished_at: toTime(item.finished_at, 'run_step_items.finished_at'),
    ...(item.sealed_output == null ? {} : { sealed_output: item.sealed_output }),
  };
}

/**
 * `run` after `updateRun(run.id, patch)`, as `getRun` would read it: a patch that sets a status other
 * than `pending` is dropped once the run ended.
 */
export function runPatchedAsRead(run: RunRow, patch: RunPatch): RunRow {
  if (patch.status !== undefined && patch.status !== 'pending' && isFinished(run.status)) return run;
  const columns = runPatchToColumns(patch);
  const next: RunRow = { ...run };
  if (columns.status !== undefined) next.status = columns.status;
  if (columns.error !== undefined) next.error = errorAsRead(patch.error);
  if (columns.lease_owner !== undefined) next.lease_owner = columns.lease_owner;
  for (const key of ['started_at', 'finished_at', 'lease_expires_at', 'resume_at'] as const) {
    const value = columns[key];
    if (value !== undefined) next[key] = value;
  }
  if (columns.on_failure_due === 1) next.on_failure_due = true;
  else if (columns.on_failure_due === 0) delete next.on_failure_due;
  return next;
}
