/**
 * The step loop of a run: executes the steps from a given index, records each as it ends, stops at
 * the first failed step (later steps `skipped`), and ends the run row. Shared by a fresh run and a
 * resumed one.
 *
 * @internal
 * @module
 */
import type { ExecutionContext } from '../executor/execution-context.js';
import { runStep } from '../executor/run-step.js';
import { isoTime, isoTimeMs } from '../model/iso-time.js';
import { secretValuesIn } from '../secrets/redactor.js';
import { RunSuspended } from '../steps/waits.js';
import type { RunStatus, StepErrorRecord, StepItemRow } from '../store/store.js';
import type { RunOutcome } from './run-options.js';

/**
 * Runs steps `fromIndex` onwards. `previousItems` are item rows already committed for the run (a
 * resumed run): their succeeded items are not executed again.
 *
 * @throws `signal.reason` when aborted, after recording the run as `cancelled`; store errors, after
 * trying to record the run as `failed`; `RunSuspended` (nothing more recorded) at a stored wait.
 */
export async function executeSteps(
  ctx: ExecutionContext,
  fromIndex: number,
  previousItems: readonly StepItemRow[] = [],
): Promise<RunOutcome> {
  const { workflow, runId, state } = ctx;
  let stepIndex = fromIndex;
  let error: StepErrorRecord | null = null;
  try {
    for (; stepIndex < workflow.steps.length && error === null; stepIndex++) {
      const done = previousItems.filter(
        (item) => item.step_index === stepIndex && item.status === 'succeeded',
      );
      const { row, output, errors } = await runStep(ctx, stepIndex, done);
      ctx.emit({
        type: 'step-finished',
        runId,
        step: row.name,
        stepIndex,
        status: row.status,
        attempts: row.attempts,
        durationMs: elapsed(row.started_at, row.finished_at),
        error: row.error,
      });
      if (row.status === 'failed') {
        const stepError = row.error as StepErrorRecord;
        error = { ...stepError, message: withStepPrefix(row.name, stepError.message) };
      } else {
        state.STEPS[row.name] = { output, errors };
        ctx.addSecrets(secretValuesIn(output, ctx.secretNames));
      }
    }
  } catch (err) {
    // A stored wait: the run stays unfinished, as its last commits left it.
    if (err instanceof RunSuspended) throw err;
    const cancelled = ctx.signal?.aborted === true;
    const message = cancelled ? 'the run was cancelled' : `the run stopped: ${errorText(err)}`;
    await finishRun(ctx, stepIndex, cancelled ? 'cancelled' : 'failed', { type: 'other', message }, true);
    throw err;
  }
  const status = error === null ? 'succeeded' : 'failed';
  await finishRun(ctx, stepIndex, status, error);
  return { id: runId, status, error };
}

/**
 * Fails the run with `error` before its steps from `fromIndex` run (a resumed run whose sealed values
 * do not open): those steps are recorded as skipped.
 */
export async function failRun(
  ctx: ExecutionContext,
  fromIndex: number,
  error: StepErrorRecord,
): Promise<RunOutcome> {
  await finishRun(ctx, fromIndex, 'failed', error);
  return { id: ctx.runId, status: 'failed', error };
}

/**
 * Ends the run row. Steps from `fromIndex` on are recorded as skipped, except the step at `fromIndex`
 * when it was interrupted in flight (`interrupted`), which is recorded as failed with `error`.
 */
async function finishRun(
  ctx: ExecutionContext,
  fromIndex: number,
  status: RunStatus,
  error: StepErrorRecord | null,
  interrupted = false,
): Promise<void> {
  const { store, runId, workflow } = ctx;
  const finishedAt = isoTime(ctx.now());
  const recorded = fromIndex < workflow.steps.length ? await store.listSteps(runId) : [];
  for (let i = fromIndex; i < workflow.steps.length; i++) {
    const existing = recorded.find((row) => row.step_index === i);
    if (existing !== undefined && existing.status !== 'running') continue;
    const failed = interrupted && i === fromIndex;
    await store.saveStep({
      run_id: runId,
      step_index: i,
      name: workflow.steps[i]?.name ?? String(i),
      status: failed ? 'failed' : 'skipped',
      fanned_out: existing?.fanned_out ?? false,
      input: existing?.input ?? null,
      output: null,
      error: failed ? error : null,
      attempts: existing?.attempts ?? 0,
      started_at: existing?.started_at ?? null,
      finished_at: failed ? finishedAt : null,
    });
  }
  const safe = error === null ? null : ctx.redactor().value(error);
  // The lease goes with the final status, in the same write: a finished run has nothing to hold.
  await store.updateRun(runId, {
    status,
    error: safe,
    finished_at: finishedAt,
    resume_at: null,
    lease_owner: null,
    lease_expires_at: null,
    // Committed with the failure: a crash before the `on_failure` run is recorded loses nothing.
    ...(status === 'failed' && ctx.startsOnFailure === true ? { on_failure_due: true } : {}),
  });
  const durationMs = elapsed(String(ctx.state.RUN.started_at), finishedAt);
  ctx.emit({ type: 'run-finished', runId, status, durationMs, error: safe });
  ctx.logger.info({ status, durationMs, error: safe?.message }, 'run finished');
}

function elapsed(start: string | null, end: string | null): number {
  return start === null || end === null ? 0 : isoTimeMs(end) - isoTimeMs(start);
}

/** `steps.<name>: message`, unless the message already names the step (template errors do). */
export function withStepPrefix(step: string, message: string): string {
  const prefix = `steps.${step}`;
  return message.startsWith(`${prefix}.`) || message.startsWith(`${prefix}:`)
    ? message
    : `${prefix}: ${message}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
