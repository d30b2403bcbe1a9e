/**
 * The `workflow` step kind (issue 15): `workflow: enrich-customer` starts a real child run of that
 * workflow (by name or uid) per item, with the item as its `INPUT`, and gives the child's output (the
 * output of its last step). In the engine service the parent holds no slot while its children run: the
 * item is committed unfinished with the child's id, the run waits (stored, as a long wait), and the
 * child's end wakes it; a resumed parent finds the same child again, its id being derived from the
 * item's idempotency key. A child that fails or is cancelled fails the item (`on_error: continue` applies).
 *
 * @module
 */
import type { StepBase } from '../model/workflow.js';
import type { AttemptEntry } from '../store/store.js';
import type { ChildState } from './child-runs.js';
import { itemRecorder } from './item-record.js';
import type { ItemContext, ItemResult, ItemTask, StepKind } from './step-kind.js';
import { createWaiter, RunSuspended } from './waits.js';

/** A step that runs another workflow per item. */
export interface WorkflowCallStep extends StepBase {
  /** The workflow's name or uid; not a template. */
  workflow: string;
}

declare module '../model/workflow.js' {
  interface StepTypes {
    workflow: WorkflowCallStep;
  }
}

export const workflowCallStep: StepKind<WorkflowCallStep> = {
  name: 'workflow',
  key: 'workflow',
  summary: 'a child workflow run',
  keyHint: 'a workflow to run, by name or uid',
  properties: {
    workflow: {
      description:
        'Runs this workflow (its name or uid, in the same workspace or global) as a child run per item, ' +
        "with the item as its INPUT; the step's output is the children's outputs (each the output of " +
        'its last step), in order. Not a template.',
      type: 'string',
      minLength: 1,
      pattern: '^[^{}]*$',
      examples: ['enrich-customer'],
      errorMessage: 'must be the name or uid of a workflow (not a template)',
    },
  },
  snippets: [{ label: 'workflow step', body: { name: '$1', workflow: '$2', input: '{{ $3 }}' } }],
  templatedFields: [],
  runItem: runChildItem,
};

async function runChildItem(ctx: ItemContext, task: ItemTask<WorkflowCallStep>): Promise<ItemResult> {
  const { step } = task;
  const logger = ctx.logger.child({ step: step.name, index: task.itemIndex });
  const record = itemRecorder(ctx, task, logger);
  const children = ctx.children;
  if (children === undefined) {
    const message = `steps.${step.name}: workflow steps run only in the engine service (sluice serve), where child runs are recorded`;
    return record.fail({ type: 'other', message });
  }
  const waiter = createWaiter({
    sleep: ctx.sleep,
    now: ctx.now,
    longWaitMs: 0,
    onLongWait: (resumeAt) => ctx.onLongWait(resumeAt),
  });
  while (true) {
    const child: ChildState = await children.call({
      parentRunId: ctx.runId,
      step: step.name,
      key: task.idempotencyKey,
      workflow: step.workflow,
      input: task.input,
    });
    if (child.status === 'refused') return record.fail(child.error);
    const entry: AttemptEntry = {
      started_at: new Date(task.startedAt).toISOString(),
      duration_ms: Math.max(0, ctx.now() - task.startedAt),
      wait_ms: 0,
      child_run_id: child.runId,
    };
    if (child.status === 'succeeded') return record.succeed(child.output, 1, [entry]);
    if (child.status !== 'running') return record.fail(child.error, 1, [entry]);
    logger.info({ child: child.runId }, 'step item waits for its child run');
    try {
      // Stored in the service (the run lets its slot go until the child's end wakes it), else slept.
      await waiter(Math.max(1, child.recheckAt - ctx.now()), ctx.signal);
    } catch (err) {
      if (err instanceof RunSuspended) throw err.withAttempts([entry]);
      throw err;
    }
  }
}
