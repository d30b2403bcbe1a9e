/**
 * What a resumed run reads back from its sealed copies (`secrets/run-values.ts`): the unredacted
 * `INPUT`, the outputs of the steps already done and of the items the step in flight had committed.
 *
 * @internal
 * @module
 */
import type { RunValueSealer } from '../secrets/run-values.js';
import type { RunRow, StepItemRow, StepRow } from '../store/store.js';

/** The opened values; a value without a sealed copy is absent (its stored copy had nothing redacted). */
export interface OpenedRunValues {
  /** `INPUT`, when it was sealed. */
  input?: { value: unknown };
  /** Outputs of the steps before `fromIndex`, by step index. */
  steps: Map<number, unknown>;
  /**
   * Outputs of the succeeded items of step `fromIndex`, and the progress of its unfinished ones, by
   * `<step index>/<item index>`.
   */
  items: Map<string, unknown>;
}

/**
 * Opens the sealed copies a resume from step `fromIndex` needs. Without a sealer nothing is opened.
 *
 * @throws {EngineError} `SLUICE_SECRET_KEY` when one does not open (another secret key, or altered).
 */
export function openSealedValues(
  sealer: RunValueSealer | undefined,
  run: RunRow,
  steps: readonly StepRow[],
  items: readonly StepItemRow[],
  fromIndex: number,
): OpenedRunValues {
  const opened: OpenedRunValues = { steps: new Map(), items: new Map() };
  if (sealer === undefined) return opened;
  const runId = run.id;
  if (run.sealed_input != null) {
    opened.input = { value: sealer.open(run.sealed_input, { runId, column: 'runs.sealed_input' }) };
  }
  for (const step of steps) {
    if (step.step_index >= fromIndex || step.sealed_output == null) continue;
    const where = { runId, column: 'run_steps.sealed_output', step: step.step_index } as const;
    opened.steps.set(step.step_index, sealer.open(step.sealed_output, where));
  }
  for (const item of items) {
    if (item.step_index !== fromIndex || item.sealed_output == null) continue;
    if (item.status !== 'succeeded' && item.status !== 'running') continue;
    const where = {
      runId,
      column: 'run_step_items.sealed_output',
      step: item.step_index,
      item: item.item_index,
    } as const;
    opened.items.set(`${item.step_index}/${item.item_index}`, sealer.open(item.sealed_output, where));
  }
  return opened;
}
