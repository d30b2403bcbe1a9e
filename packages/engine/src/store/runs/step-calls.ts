/**
 * The items of a run as `listStepItems` answers them. A step that did not fan out commits its one call
 * in its step row (`StepRow.history`, migration 0005), so its item is rebuilt from that row here; it
 * replaces an item row of the same step left from a stored wait (the call committed unfinished, then
 * finished with its step). Items of fanned-out steps, and rows written before 0005, come as stored.
 * Every implementation of `RunStore` answers through {@link withStepCalls}.
 *
 * @module
 */
import type { StepItemRow, StepRow } from './run-store.js';

/** `items` with the call of every step row that holds one, ordered by step, then item. */
export function withStepCalls(steps: readonly StepRow[], items: readonly StepItemRow[]): StepItemRow[] {
  const calls = steps.flatMap((step) => {
    const call = stepCall(step);
    return call === undefined ? [] : [call];
  });
  if (calls.length === 0) return [...items];
  const called = new Set(calls.map((call) => call.step_index));
  return [...items.filter((item) => !called.has(item.step_index)), ...calls].sort(
    (a, b) => a.step_index - b.step_index || a.item_index - b.item_index,
  );
}

/** The item of a step row that holds its one call; `undefined` for any other row. */
export function stepCall(step: StepRow): StepItemRow | undefined {
  if (step.fanned_out || step.idempotency_key == null) return undefined;
  return {
    run_id: step.run_id,
    step_index: step.step_index,
    item_index: 0,
    status: step.status,
    input: step.input,
    output: step.output,
    error: step.error,
    attempts: step.attempts,
    history: step.history ?? [],
    idempotency_key: step.idempotency_key,
    started_at: step.started_at,
    finished_at: step.finished_at,
    ...(step.sealed_output == null ? {} : { sealed_output: step.sealed_output }),
  };
}

/**
 * Whether the record of `steps` needs the item rows: a step fanned out, or a finished single-call step
 * stored before migration 0005 keeps its call only in an item row.
 */
export function needsItemRows(steps: readonly StepRow[]): boolean {
  return steps.some(
    (step) =>
      step.fanned_out ||
      (step.idempotency_key == null && (step.status === 'succeeded' || step.status === 'failed')),
  );
}
