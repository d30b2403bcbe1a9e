/**
 * The run a trigger starts: the row `commitTrigger` inserts (`pending`, redacted as `startRun` stores
 * it, with the unredacted input sealed beside it when redaction changed it: `run/stored-run-values.ts`)
 * and its caller. A triggered run belongs to the workflow's workspace, and its caller (`USER`) is the
 * user who published the latest version (`user_id`), with role `member` whatever their key's role: a
 * trigger acts for the workflow, not with an admin's rights.
 *
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';
import { type StoredRunValuesOptions, storedRunValues } from '../run/stored-run-values.js';
import type { ApiCaller, StoredWorkflow, TriggeredRun } from '../store/service-store.js';
import type { Workflow } from '../workflow/model.js';

/** A run to create. */
export type PlannedRun = TriggeredRun;

/** The caller of the runs a trigger of `stored` starts. */
export function triggerCaller(stored: StoredWorkflow): ApiCaller {
  return { id: stored.user_id, email: stored.user_id, workspace_id: stored.workspace_id, role: 'member' };
}

/**
 * Plans a `pending` run of `stored` (latest version) with `input`, created at `at` (ISO). The input is
 * stored redacted with the workspace's connection secrets (`options.secrets`); with `options.seal`, the
 * unredacted input is sealed in the row when redaction changed it, so the run reads it back.
 */
export function planTriggeredRun(
  stored: StoredWorkflow,
  input: unknown,
  at: string,
  options: StoredRunValuesOptions,
): PlannedRun {
  const workflow: Workflow = {
    ...stored.document,
    uid: stored.uid,
    version: stored.version,
    workspace_id: stored.workspace_id,
  };
  const id = randomUUID();
  return {
    caller: triggerCaller(stored),
    run: {
      id,
      workflow_name: workflow.name,
      ...storedRunValues(id, workflow, input, options),
      created_at: at,
      workflow_uid: stored.uid,
      workflow_version: stored.version,
      workspace_id: stored.workspace_id,
      status: 'pending',
    },
  };
}
