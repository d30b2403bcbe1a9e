/**
 * How every step kind reports an item: one finished row, redacted with the secrets known when it is
 * built, ready for the executor to commit. Kinds build their rows here, never by hand, so that a row
 * of any kind has the same fields and is redacted the same way.
 *
 * @module
 */
import type { Logger } from '@sluice/sdk';
import { isoTime } from '../model/iso-time.js';
import type { AttemptEntry, StepErrorRecord, StepItemRow } from '../store/store.js';
import type { ItemContext, ItemResult, ItemTask } from './step-kind.js';

/** What a kind says about a finished item; the rest of the row comes from the task. */
export type ItemOutcome = Pick<StepItemRow, 'status' | 'output' | 'error' | 'attempts' | 'history'>;

/** Builds the rows of one item. */
export interface ItemRecorder {
  /** The item's row, finished now, redacted. */
  row(outcome: ItemOutcome): StepItemRow;
  /** A failed item: logged (type, status, attempts) and recorded; its output is `undefined`. */
  fail(error: StepErrorRecord, attempts?: number, history?: AttemptEntry[]): ItemResult;
  /** A succeeded item: its row holds `output` redacted, the result the raw `output`. */
  succeed(output: unknown, attempts: number, history: AttemptEntry[]): ItemResult;
}

/** The recorder of `task`'s item; `logger` is the item's. */
export function itemRecorder(ctx: ItemContext, task: ItemTask, logger: Logger): ItemRecorder {
  const row = (outcome: ItemOutcome): StepItemRow => {
    const redact = ctx.redactor();
    return {
      run_id: ctx.runId,
      step_index: task.stepIndex,
      item_index: task.itemIndex,
      input: redact.value(task.input),
      idempotency_key: task.idempotencyKey,
      started_at: isoTime(task.startedAt),
      finished_at: isoTime(ctx.now()),
      ...outcome,
      output: redact.value(outcome.output),
      error: outcome.error === null ? null : redact.value(outcome.error),
    };
  };
  return {
    row,
    fail(error, attempts = 0, history = []) {
      logger.info({ error: error.type, status: error.status, attempts }, 'step item failed');
      return { row: row({ status: 'failed', output: null, error, attempts, history }), output: undefined };
    },
    succeed(output, attempts, history) {
      return { row: row({ status: 'succeeded', output, error: null, attempts, history }), output };
    },
  };
}
