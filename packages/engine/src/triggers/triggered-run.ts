/**
 * The run a trigger starts: the row `commitTrigger` inserts (`pending`, redacted as `startRun` stores
 * it, with the unredacted input sealed beside it when redaction changed it) and its caller. A
 * triggered run belongs to the workflow's workspace, and its caller (`USER`) is the user who published
 * the latest version (`user_id`), with role `member` whatever their key's role: a trigger acts for the
 * workflow, not with an admin's rights.
 *
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createRedactor, secretValuesIn } from '../secrets/redactor.js';
import { type RunValueSealer, sealIfRedacted } from '../secrets/run-values.js';
import { DEFAULT_SECRET_NAMES } from '../secrets/secret-names.js';
import type { ApiCaller, StoredWorkflow, TriggeredRun } from '../store/service-store.js';
import type { Workflow } from '../workflow/model.js';

const SECRET_NAMES = DEFAULT_SECRET_NAMES.map((n) => n.toLowerCase());

/** A run to create. */
export type PlannedRun = TriggeredRun;

/** The caller of the runs a trigger of `stored` starts. */
export function triggerCaller(stored: StoredWorkflow): ApiCaller {
  return { id: stored.user_id, email: stored.user_id, workspace_id: stored.workspace_id, role: 'member' };
}

/**
 * Plans a `pending` run of `stored` (latest version) with `input`, created at `at` (ISO). With `seal`,
 * the unredacted input is sealed in the row when redaction changed it, so the run reads it back.
 */
export function planTriggeredRun(
  stored: StoredWorkflow,
  input: unknown,
  at: string,
  seal?: RunValueSealer,
): PlannedRun {
  const workflow: Workflow = {
    ...stored.document,
    uid: stored.uid,
    version: stored.version,
    workspace_id: stored.workspace_id,
  };
  const redact = createRedactor({ names: SECRET_NAMES, values: secretValuesIn({ input }, SECRET_NAMES) });
  const id = randomUUID();
  const storedInput = redact.value(input);
  return {
    caller: triggerCaller(stored),
    run: {
      id,
      workflow_name: workflow.name,
      workflow: redact.value(workflow),
      input: storedInput,
      sealed_input: sealIfRedacted(seal, input, storedInput, { runId: id, column: 'runs.sealed_input' }),
      created_at: at,
      workflow_uid: stored.uid,
      workflow_version: stored.version,
      workspace_id: stored.workspace_id,
      status: 'pending',
    },
  };
}
