/**
 * What the API answers for a stored workflow and for a run.
 *
 * @internal
 * @module
 */
import { getRunRecord, type RunRecord } from '../run/run-record.js';
import type { StoredWorkflow } from '../store/service-store.js';
import type { RunRow, Store } from '../store/store.js';

/** The stored document: the workflow plus its stored fields. */
export function workflowView(stored: StoredWorkflow): Record<string, unknown> {
  return {
    ...stored.document,
    uid: stored.uid,
    version: stored.version,
    scope: stored.scope,
    workspace_id: stored.workspace_id,
    user_id: stored.user_id,
    created: stored.created,
    updated: stored.updated,
    deleted: stored.deleted,
  };
}

/** A line of `GET /v1/workflows/{uid}/versions`: one version, without its document. */
export function versionView(stored: StoredWorkflow): Record<string, unknown> {
  return {
    version: stored.version,
    name: stored.name,
    user_id: stored.user_id,
    updated: stored.updated,
    steps: stored.document.steps.length,
  };
}

/** A run as `GET /v1/runs/{id}` answers it: the run record plus `version` and `workspace_id`. */
export interface RunView extends RunRecord {
  version: number | null;
  workspace_id: string | null;
}

/** The full record of run `id`. */
export async function runView(store: Store, id: string): Promise<RunView> {
  const record = await getRunRecord(store, id);
  const run = await store.getRun(id);
  return { ...record, version: record.workflow_version, workspace_id: run?.workspace_id ?? null };
}

/** A run in a list: no steps. */
export function runSummary(run: RunRow): Record<string, unknown> {
  return {
    id: run.id,
    status: run.status,
    workflow: run.workflow_name,
    workflow_uid: run.workflow_uid,
    version: run.workflow_version,
    workspace_id: run.workspace_id,
    error: run.error,
    created_at: run.created_at,
    started_at: run.started_at,
    finished_at: run.finished_at,
  };
}
