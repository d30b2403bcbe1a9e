/**
 * Resuming a run from its committed rows (DESIGN §4 "Durability"): steps that succeeded are not run
 * again, their outputs restored into `STEPS`; the first unfinished step runs, keeping the items it had
 * already committed, and its other items run with the same idempotency keys as before.
 *
 * @module
 */
import { isSluiceError, type SluiceError } from '@sluice/sdk';
import { EngineError } from '../errors.js';
import type { ExecutionContext } from '../executor/execution-context.js';
import { storedCallErrors } from '../executor/run-step.js';
import { isoTime } from '../model/iso-time.js';
import type { Workflow } from '../model/workflow.js';
import { secretValuesIn } from '../secrets/redactor.js';
import { RunSuspended } from '../steps/waits.js';
import type { AttemptEntry, RunRow, StepErrorRecord, StepItemRow, StepRow } from '../store/store.js';
import { createExecutionContext } from './create-context.js';
import { executeSteps, failRun } from './execute-steps.js';
import { type OpenedRunValues, openSealedValues } from './open-sealed-values.js';
import type { RunOutcome, RunWorkflowOptions } from './run-options.js';

/** Options of {@link resumeRun}: those of `runWorkflow`, and the document to run. */
export interface ResumeRunOptions extends Omit<RunWorkflowOptions, 'runId'> {
  /**
   * The document the run executes (the version it pinned). @default the copy in the run row, in which
   * values under secret keys are redacted
   */
  workflow?: Workflow;
  /**
   * Ends the execution at a long wait instead of sleeping through it (a stored wait): the item's
   * attempts so far are committed, the promise rejects with `RunSuspended` (its `resumeAt` is when
   * the run may continue), and the caller records `resume_at` and lets the run go. Resuming it again
   * later continues that item with its remaining retry budget. @default false (sleep, as `runWorkflow`)
   */
  suspendLongWaits?: boolean;
  /** The run's row as the caller just read it (saves reading it again). @default read from the store */
  run?: RunRow;
  /**
   * `run` was just created started (`running`, `started_at`, leased) by the caller and has no step
   * rows: nothing is read and no start is written. @default false
   */
  fresh?: boolean;
  /**
   * A failure starts the workflow's `on_failure` run (the engine service's): it is marked due with the
   * failure, unless the run is itself an `on_failure` run. @default false
   */
  startsOnFailure?: boolean;
}

/**
 * Continues run `runId` where its rows say it stopped (after a crash, or after a stored wait). A run
 * that already ended is returned as it is. An item committed unfinished at a stored wait continues
 * from its committed attempts (same idempotency key, the rest of its retry budget).
 *
 * Values come from the store: `INPUT` is the stored input unless `input` is given, and
 * `STEPS.<name>.output` of the steps already done is their stored output. With `seal`, a value that
 * redaction changed is read from its sealed copy, so a later step that needs a secret from it (a
 * token in `INPUT`, or one an earlier step returned) gets the real value; without `seal`, it gets
 * `[redacted]`. A sealed copy that does not open (the secret key changed) fails the run, its error
 * starting with `SLUICE_SECRET_KEY`, before any step runs.
 *
 * @experimental The durable service (issue 5) builds on it; leases and heartbeats are the caller's.
 * @throws {EngineError} `SLUICE_STORE` when the store has no run with that id.
 * @throws `signal.reason` when aborted, as `runWorkflow`.
 * @throws `RunSuspended` at a long wait when `suspendLongWaits` (the run stays unfinished).
 */
export async function resumeRun(runId: string, options: ResumeRunOptions): Promise<RunOutcome> {
  const { store } = options;
  const run = options.run?.id === runId ? options.run : await store.getRun(runId);
  if (run === undefined) {
    throw new EngineError('SLUICE_STORE', `cannot resume run ${runId}: no such run in the store`, {
      hint: 'check the run id, and that the store is the one the run was recorded in',
    });
  }
  if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
    return { id: run.id, status: run.status, error: run.error };
  }
  const workflow = options.workflow ?? run.workflow;
  const now = options.now ?? Date.now;
  const startedAt = run.started_at ?? isoTime(now());
  // A run that never started has no step rows yet: two reads fewer for every fresh run.
  const fresh = options.fresh === true && options.run?.id === runId;
  const [steps, items] =
    run.started_at === null || fresh
      ? [[], []]
      : // With exchanges: an item that resumes from a stored wait keeps those of its earlier attempts.
        await Promise.all([store.listSteps(runId), store.listStepItems(runId, { exchanges: true })]);
  let fromIndex = 0;
  while (isDone(steps.find((step) => step.step_index === fromIndex))) fromIndex++;
  fromIndex = Math.min(fromIndex, workflow.steps.length);
  let opened: OpenedRunValues = { steps: new Map(), items: new Map() };
  let keyError: SluiceError | undefined;
  try {
    // An `input` given by the caller replaces the stored one: its sealed copy is not needed.
    const sealedRun = options.input === undefined ? run : { ...run, sealed_input: null };
    opened = openSealedValues(options.seal, sealedRun, steps, items, fromIndex);
  } catch (err) {
    if (!isSluiceError(err, 'SLUICE_SECRET_KEY')) throw err;
    keyError = err;
  }
  const input = options.input !== undefined ? options.input : opened.input ? opened.input.value : run.input;
  let latest: Date | undefined;
  const ctx: ExecutionContext = createExecutionContext(
    workflow,
    runId,
    input,
    startedAt,
    options,
    undefined,
    {
      resumedAttempts: waitingItems(items),
      resumedOutputs: opened.items,
      resumedProgress: itemProgress(items, opened.items),
      startsOnFailure:
        options.startsOnFailure === true && workflow.on_failure !== undefined && run.failure_of == null,
      onLongWait:
        options.suspendLongWaits === true
          ? // Items in flight beside the one that suspends may suspend too: resume after the latest.
            async (resumeAt: Date | undefined) => {
              if (resumeAt === undefined) return;
              if (latest === undefined || resumeAt > latest) latest = resumeAt;
              throw new RunSuspended(resumeAt);
            }
          : undefined,
    },
  );

  for (const row of steps) {
    if (row.step_index >= fromIndex) continue;
    const output = opened.steps.has(row.step_index) ? opened.steps.get(row.step_index) : row.output;
    ctx.state.STEPS[row.name] = {
      output: row.status === 'skipped' ? null : output,
      errors: storedCallErrors(row, items),
    };
    // The secrets in what was opened are redacted again in what the later steps store and log.
    ctx.addSecrets(secretValuesIn(output, ctx.secretNames));
  }
  for (const output of opened.items.values()) ctx.addSecrets(secretValuesIn(output, ctx.secretNames));
  options.signal?.throwIfAborted();
  if (!fresh) await store.updateRun(runId, { status: 'running', started_at: startedAt, resume_at: null });
  ctx.emit({ type: 'run-started', runId, workflow: workflow.name, steps: workflow.steps.length });
  ctx.logger.info({ fromStep: fromIndex }, run.started_at === null || fresh ? 'run started' : 'run resumed');
  if (keyError !== undefined) {
    const error: StepErrorRecord = {
      type: 'other',
      message: `${keyError.code}: ${keyError.message}${keyError.hint === undefined ? '' : ` (${keyError.hint})`}`,
    };
    ctx.logger.error({ error: error.message }, 'the run cannot resume');
    return failRun(ctx, fromIndex, error);
  }
  try {
    return await executeSteps(ctx, fromIndex, items);
  } catch (err) {
    if (err instanceof RunSuspended && latest !== undefined && latest > err.resumeAt) {
      throw new RunSuspended(latest, err.attempts);
    }
    throw err;
  }
}

/** A step that needs no more work: it succeeded, or its `when` skipped it (an end time; the skipped
 * steps after a failed one have none). */
function isDone(step: StepRow | undefined): boolean {
  return step?.status === 'succeeded' || (step?.status === 'skipped' && step.finished_at !== null);
}

/**
 * The progress of items committed unfinished (their output while they run), by `<step>/<item>`:
 * the opened sealed copy when there is one, else the stored value.
 */
function itemProgress(
  items: readonly StepItemRow[],
  opened: ReadonlyMap<string, unknown>,
): Map<string, unknown> {
  const progress = new Map<string, unknown>();
  for (const item of items) {
    if (item.status !== 'running' || item.output === null) continue;
    const key = `${item.step_index}/${item.item_index}`;
    progress.set(key, opened.has(key) ? opened.get(key) : item.output);
  }
  return progress;
}

/** The attempts of items committed unfinished at a stored wait, by `<step>/<item>`. */
function waitingItems(items: readonly StepItemRow[]): Map<string, readonly AttemptEntry[]> {
  const waiting = new Map<string, readonly AttemptEntry[]>();
  for (const item of items) {
    if (item.status === 'running' && item.history.length > 0) {
      waiting.set(`${item.step_index}/${item.item_index}`, item.history);
    }
  }
  return waiting;
}
