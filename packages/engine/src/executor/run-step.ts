/**
 * One step of a run, phase by phase: render `input`, fan out over a list, run the items (each
 * committed as it finishes, before the next one starts when they run one at a time), then commit the
 * step with its outputs in item order.
 *
 * @module
 */
import { isSluiceError, type RetryPolicy } from '@sluice/sdk';
import { TemplateError } from '../errors.js';
import { type StepConcurrency, stepConcurrency } from '../limits/concurrency-limits.js';
import { stepRateLimit } from '../limits/rate-limit-key.js';
import { isoTime, isoTimeMs } from '../model/iso-time.js';
import { type RunState, withCurrentStep } from '../model/run-state.js';
import type { WorkflowStep } from '../model/workflow.js';
import { sealIfRedacted } from '../secrets/run-values.js';
import { idempotencyKey } from '../steps/idempotency.js';
import { itemRecorder } from '../steps/item-record.js';
import type { ItemResult, ItemTask } from '../steps/step-kind.js';
import { RunSuspended } from '../steps/waits.js';
import type { AttemptEntry, StepErrorRecord, StepItemRow, StepRow } from '../store/store.js';
import { isTruthy } from '../template/truthy.js';
import type { ExecutionContext } from './execution-context.js';
import { fanOut, fanOutItems } from './fan-out.js';
import { stepRetryPolicy } from './retry-settings.js';

/** A failed call of a step that continues past it (`on_error: continue`): its index and its error. */
export interface StepCallError {
  index: number;
  error: StepErrorRecord;
}

/**
 * A finished step: its committed row, its raw output (for `STEPS.<name>.output`) and the calls that
 * failed without failing it (`STEPS.<name>.errors`).
 */
export interface StepResult {
  row: StepRow;
  output: unknown;
  errors: StepCallError[];
}

/**
 * Executes step `stepIndex` of the run and commits its rows. A failure of the step (template error,
 * failed item) is in the row, not thrown. Items in `done` (succeeded rows of a resumed run) are kept as
 * they are, not executed again.
 *
 * @throws `signal.reason` when the run is aborted; store errors as they are.
 */
export async function runStep(
  ctx: ExecutionContext,
  stepIndex: number,
  done: readonly StepItemRow[] = [],
): Promise<StepResult> {
  const step = ctx.workflow.steps[stepIndex];
  if (step === undefined) throw new RangeError(`runStep: no step ${stepIndex}`);
  const startedAt = firstStart(ctx, stepIndex) ?? isoTime(ctx.now());
  const base: Omit<
    StepRow,
    'status' | 'fanned_out' | 'input' | 'output' | 'error' | 'attempts' | 'finished_at'
  > = {
    run_id: ctx.runId,
    step_index: stepIndex,
    name: step.name,
    started_at: startedAt,
  };
  // `call`: the one item of a step that did not fan out, committed with the step row (one write).
  const finish = async (
    fields: Pick<StepRow, 'status' | 'fanned_out' | 'input' | 'output' | 'error' | 'attempts'>,
    call?: StepItemRow,
  ) => {
    const redact = ctx.redactor();
    const output = redact.value(fields.output);
    // Written out field by field: a literal of spreads costs more than the rest of the step's bookkeeping.
    const row: StepRow = {
      run_id: base.run_id,
      step_index: base.step_index,
      name: base.name,
      status: fields.status,
      fanned_out: fields.fanned_out,
      input: redact.value(fields.input),
      output,
      error: fields.error === null ? null : redact.value(fields.error),
      attempts: fields.attempts,
      started_at: base.started_at,
      finished_at: isoTime(ctx.now()),
      sealed_output: sealIfRedacted(ctx.seal, fields.output, output, {
        runId: ctx.runId,
        column: 'run_steps.sealed_output',
        step: stepIndex,
      }),
    };
    if (call !== undefined) {
      row.history = call.history;
      row.idempotency_key = call.idempotency_key;
    }
    await ctx.store.saveStep(row);
    return row;
  };

  // A step that ends before any call: a template that does not render, or a `when` that is falsy.
  const endsBeforeCalls = async (status: 'failed' | 'skipped', error: StepErrorRecord | null) => {
    ctx.emit({
      type: 'step-started',
      runId: ctx.runId,
      step: step.name,
      stepIndex,
      items: 0,
      fannedOut: false,
    });
    const row = await finish({ status, fanned_out: false, input: null, output: null, error, attempts: 0 });
    return { row, output: status === 'skipped' ? null : undefined, errors: [] };
  };
  const state: RunState = withCurrentStep(ctx.state, { name: step.name });
  const renderField = async (field: 'when' | 'input', template: unknown) => {
    try {
      return { value: await ctx.renderer.render(template, state, { step: step.name, field }) };
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return { error: { type: 'template', message: err.message } satisfies StepErrorRecord };
    }
  };

  if (step.when !== undefined && step.when !== true) {
    const when = typeof step.when === 'string' ? await renderField('when', step.when) : { value: false };
    if (when.error !== undefined) return endsBeforeCalls('failed', when.error);
    if (!isTruthy(when.value)) return endsBeforeCalls('skipped', null);
  }
  let input: unknown = null;
  if (step.input !== undefined) {
    const rendered = await renderField('input', step.input);
    if (rendered.error !== undefined) return endsBeforeCalls('failed', rendered.error);
    input = rendered.value;
  }
  const { fannedOut, items } = fanOutItems(input);
  ctx.emit({
    type: 'step-started',
    runId: ctx.runId,
    step: step.name,
    stepIndex,
    items: items.length,
    fannedOut,
  });

  let policy: RetryPolicy;
  try {
    policy = stepRetryPolicy(ctx.workflow, stepIndex);
  } catch (err) {
    if (!isSluiceError(err, 'SLUICE_RETRY_OPTION')) throw err;
    const error: StepErrorRecord = { type: 'other', message: err.message };
    const row = await finish({
      status: 'failed',
      fanned_out: fannedOut,
      input,
      output: null,
      error,
      attempts: 0,
    });
    return { row, output: undefined, errors: [] };
  }
  const concurrency = stepConcurrency(ctx.limits, ctx.workflowKey, step.name, step.concurrency);
  const continues = step.on_error === 'continue';
  // A fanned-out step commits its rendered input before its items; a single call commits its step row
  // with its item (one write fewer per step: the first step without a finished row is the one in flight).
  if (fannedOut) {
    await ctx.store.saveStep({
      ...base,
      status: 'running',
      fanned_out: fannedOut,
      input: ctx.redactor().value(input),
      output: null,
      error: null,
      attempts: 0,
      finished_at: null,
    });
  }

  const results = await fanOut(
    items,
    concurrency.perRun,
    async (item, itemIndex): Promise<ItemResult> => {
      // A resumed run keeps the items it already committed; the rest run (again) with the same keys.
      const previous = done.find((row) => row.item_index === itemIndex);
      if (previous !== undefined) {
        // The unredacted output when it was sealed; else the stored one (it had nothing to redact).
        const opened = ctx.resumedOutputs;
        const key = `${stepIndex}/${itemIndex}`;
        return { row: previous, output: opened?.has(key) === true ? opened.get(key) : previous.output };
      }
      const result = await runItem(ctx, { step, stepIndex, itemIndex, input: item, policy, concurrency });
      // A single call is committed with its step row below; an item of a fanned-out step, now.
      if (!fannedOut) return result;
      await ctx.store.saveStepItem(withSealedOutput(ctx, result));
      emitItemFinished(ctx, step.name, result.row);
      return result;
    },
    // `on_error: continue`: every call runs whatever the others did.
    (result) => !continues && result.row.status === 'failed',
    ctx.signal,
  );

  const failedAt = results.findIndex((r) => r?.row.status === 'failed');
  if (failedAt >= 0 && !continues) await saveSkippedItems(ctx, stepIndex, items, results);
  const attempts = results.reduce((sum, r) => sum + (r?.row.attempts ?? 0), 0);
  const call = fannedOut ? undefined : results[0]?.row;
  let finished: StepResult;
  if (failedAt < 0 || continues) {
    // A failed call that the step continues past gives null, and its error is listed.
    const outputs = results.map((r) => (r?.row.status === 'failed' ? null : r?.output));
    const errors = callErrors(results.map((r) => r?.row));
    const output = fannedOut ? outputs : outputs[0];
    // A single call that failed keeps its error on the step row (its only row); the step succeeded.
    const error = fannedOut ? null : (errors[0]?.error ?? null);
    const fields = { status: 'succeeded', fanned_out: fannedOut, input, output, error, attempts } as const;
    finished = { row: await finish(fields, call), output, errors };
  } else {
    const itemError = results[failedAt]?.row.error as StepErrorRecord;
    const error = fannedOut ? { ...itemError, message: `item ${failedAt}: ${itemError.message}` } : itemError;
    const fields = { status: 'failed', fanned_out: fannedOut, input, output: null, error, attempts } as const;
    finished = { row: await finish(fields, call), output: undefined, errors: [] };
  }
  // Told once committed, as the items of a fanned-out step are (not for a call kept from before).
  if (call !== undefined && !done.some((row) => row.item_index === 0)) emitItemFinished(ctx, step.name, call);
  return finished;
}

/**
 * When step `stepIndex` first started, for a step resumed after a stored wait (a child run, a long
 * wait): its earliest committed attempt. `undefined` for a step starting now.
 */
function firstStart(ctx: ExecutionContext, stepIndex: number): string | undefined {
  let first: string | undefined;
  for (const [key, attempts] of ctx.resumedAttempts ?? []) {
    if (!key.startsWith(`${stepIndex}/`)) continue;
    const at = attempts[0]?.started_at;
    if (at !== undefined && (first === undefined || at < first)) first = at;
  }
  return first;
}

/** Tells the run's listeners that an item was committed. */
function emitItemFinished(ctx: ExecutionContext, step: string, row: StepItemRow): void {
  ctx.emit({
    type: 'item-finished',
    runId: ctx.runId,
    step,
    stepIndex: row.step_index,
    itemIndex: row.item_index,
    status: row.status,
    attempts: row.attempts,
    durationMs: elapsedMs(row.started_at, row.finished_at),
    history: withoutExchanges(row.history),
  });
}

/** `history` without the attempts' recorded requests and responses: events carry timings only. */
function withoutExchanges(history: readonly AttemptEntry[]): readonly AttemptEntry[] {
  if (!history.some((entry) => entry.exchanges !== undefined)) return history;
  return history.map(({ exchanges: _recorded, ...timings }) => timings);
}

/** Where an item is and what the step decided for it; the rest of its task is the item's own. */
interface ItemPlace {
  step: WorkflowStep;
  stepIndex: number;
  itemIndex: number;
  input: unknown;
  policy: RetryPolicy;
  concurrency: StepConcurrency;
}

/**
 * Runs one item through its step's kind. An item that reaches a stored wait is committed unfinished
 * (its attempts so far) before {@link RunSuspended} goes on up: the run resumes it from those attempts.
 */
async function runItem(ctx: ExecutionContext, place: ItemPlace): Promise<ItemResult> {
  const { step, stepIndex, itemIndex } = place;
  const key = `${stepIndex}/${itemIndex}`;
  const previous = ctx.resumedAttempts?.get(key);
  const firstStarted = previous?.[0] === undefined ? Number.NaN : Date.parse(previous[0].started_at);
  const task: ItemTask = {
    step,
    stepIndex,
    itemIndex,
    input: place.input,
    policy: place.policy,
    slots: place.concurrency.shared,
    rateLimit: stepRateLimit(ctx.workflow, step),
    idempotencyKey: idempotencyKey(ctx.runId, stepIndex, itemIndex),
    startedAt: Number.isNaN(firstStarted) ? ctx.now() : firstStarted,
    previousAttempts: previous,
    previousProgress: ctx.resumedProgress?.get(key),
  };
  const kind = ctx.stepKinds.of(step);
  if (kind === undefined) {
    // Validation refuses such a step; a stored document from an engine with more kinds can still hold one.
    const record = itemRecorder(ctx, task, ctx.logger);
    return record.fail({ type: 'other', message: `steps.${step.name}: no step kind runs this step` });
  }
  try {
    return await kind.runItem(ctx, task);
  } catch (err) {
    if (!(err instanceof RunSuspended)) throw err;
    await saveItemProgress(ctx, task, err.progress, err.attempts);
    throw err;
  }
}

/**
 * Commits item `task` unfinished (`running`): its attempts so far and its progress as its output,
 * sealed when redaction changed it, so a resumed run reads it back unredacted (`previousProgress`).
 */
export async function saveItemProgress(
  ctx: ExecutionContext,
  task: ItemTask,
  progress: unknown,
  attempts: readonly AttemptEntry[],
): Promise<void> {
  const history = [...attempts];
  const row = itemRecorder(ctx, task, ctx.logger).row({
    status: 'running',
    output: progress,
    error: null,
    attempts: history.length,
    history,
  });
  const sealed = sealIfRedacted(ctx.seal, progress, row.output, itemOutputPlace(ctx, row));
  await ctx.store.saveStepItem({ ...row, finished_at: null, sealed_output: sealed });
}

/** Where an item's sealed output lives, as the sealer binds it. */
function itemOutputPlace(ctx: ExecutionContext, row: StepItemRow) {
  return {
    runId: ctx.runId,
    column: 'run_step_items.sealed_output',
    step: row.step_index,
    item: row.item_index,
  } as const;
}

/** The item's row with the unredacted copy of its output, sealed, when redaction changed it. */
function withSealedOutput(ctx: ExecutionContext, result: ItemResult): StepItemRow {
  const { row } = result;
  if (row.status !== 'succeeded') return row;
  return {
    ...row,
    sealed_output: sealIfRedacted(ctx.seal, result.output, row.output, itemOutputPlace(ctx, row)),
  };
}

/** Items that never started because an earlier one failed are recorded as `skipped`. */
async function saveSkippedItems(
  ctx: ExecutionContext,
  stepIndex: number,
  items: readonly unknown[],
  results: readonly (ItemResult | undefined)[],
): Promise<void> {
  const redact = ctx.redactor();
  for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
    if (results[itemIndex] !== undefined) continue;
    const row: StepItemRow = {
      run_id: ctx.runId,
      step_index: stepIndex,
      item_index: itemIndex,
      status: 'skipped',
      input: redact.value(items[itemIndex]),
      output: null,
      error: null,
      attempts: 0,
      history: [],
      idempotency_key: idempotencyKey(ctx.runId, stepIndex, itemIndex),
      started_at: null,
      finished_at: null,
    };
    await ctx.store.saveStepItem(row);
  }
}

/** Milliseconds between two ISO times; 0 when either is missing. */
function elapsedMs(start: string | null, end: string | null): number {
  return start === null || end === null ? 0 : Math.max(0, isoTimeMs(end) - isoTimeMs(start));
}

/**
 * `STEPS.<name>.errors` of a step committed earlier (a resumed run): its failed items when it fanned
 * out, else the error a single call that failed left on the succeeded step row.
 */
export function storedCallErrors(row: StepRow, items: readonly StepItemRow[]): StepCallError[] {
  if (row.status !== 'succeeded') return [];
  if (row.fanned_out) return callErrors(items.filter((item) => item.step_index === row.step_index));
  return row.error === null ? [] : [{ index: 0, error: row.error }];
}

/** The failed calls among `rows` (by item index), as `STEPS.<name>.errors` lists them. */
export function callErrors(rows: readonly (StepItemRow | undefined)[]): StepCallError[] {
  // Most steps have no failed call: no list built per row.
  if (!rows.some((row) => row?.status === 'failed')) return [];
  return rows.flatMap((row) =>
    row?.status === 'failed' && row.error !== null ? [{ index: row.item_index, error: row.error }] : [],
  );
}
