/**
 * Runs a workflow (DESIGN §4): the run row moves `pending` -> `running` -> `succeeded` | `failed`
 * (`cancelled` when aborted); each step, and each item of a fanned-out step, is committed when it
 * finishes, before the next begins; a failed step fails the run and the later steps are `skipped`.
 *
 * @module
 */
import { EngineError } from '../errors.js';
import { isoTime } from '../model/iso-time.js';
import type { Workflow } from '../model/workflow.js';
import { admitRun } from './admit-run.js';
import { createExecutionContext, runRedaction } from './create-context.js';
import { executeSteps } from './execute-steps.js';
import { newRunId } from './run-id.js';
import type { RunOutcome, RunWorkflowOptions } from './run-options.js';

export type { RunOutcome, RunWorkflowOptions } from './run-options.js';

/**
 * Runs `workflow` (already parsed and validated) to its end and records it in `options.store`.
 * Resolves when the run has succeeded or failed; a failed run is not a rejection.
 *
 * @throws `signal.reason` when aborted (the run is recorded as `cancelled` first).
 * @throws {EngineError} `SLUICE_STORE` (or the store's own errors) when the store cannot be written;
 * `SLUICE_RUN_STATE` when the document says `deleted: true` (nothing is recorded).
 *
 * @example
 * const store = await openStore({ file: 'runs.db' });
 * const outcome = await runWorkflow(workflow, { store, renderer: new TemplateRenderer(), input: { since: '2024-01-01' } });
 * console.log(JSON.stringify(await getRunRecord(store, outcome.id)));
 */
export async function runWorkflow(workflow: Workflow, options: RunWorkflowOptions): Promise<RunOutcome> {
  refuseDeleted(workflow);
  const runId = options.runId ?? newRunId();
  const input = options.input === undefined ? null : options.input;
  const createdAt = isoTime((options.now ?? Date.now)());
  const redaction = runRedaction(input, options);
  const ctx = createExecutionContext(workflow, runId, input, createdAt, options, redaction);
  const { store } = options;
  const { run } = admitRun({
    from: 'local',
    id: runId,
    workflow,
    input,
    createdAt,
    redactor: redaction.redactor,
    inputHoldsNoSecret: redaction.inputHoldsNoSecret,
    seal: options.seal,
  });

  options.signal?.throwIfAborted();
  await store.createRun(run);
  await store.updateRun(runId, { status: 'running', started_at: createdAt });
  ctx.emit({ type: 'run-started', runId, workflow: workflow.name, steps: workflow.steps.length });
  ctx.logger.info({ steps: workflow.steps.length }, 'run started');
  return executeSteps(ctx, 0);
}

/**
 * A document that says `deleted: true` (a soft-deleted workflow, as the Mason format stores one) does not run.
 *
 * @throws {EngineError} `SLUICE_RUN_STATE` when `workflow.deleted` is true.
 */
export function refuseDeleted(workflow: Workflow): void {
  if (workflow.deleted !== true) return;
  throw new EngineError(
    'SLUICE_RUN_STATE',
    `workflow ${JSON.stringify(workflow.name)} is deleted (deleted: true): a deleted workflow does not run`,
    { hint: 'remove deleted (or set it to false) to run the workflow' },
  );
}
