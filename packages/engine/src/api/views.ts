/**
 * What the API answers for a stored workflow, a run, a trigger and the caller: the answers' types (the
 * web console reads them through `@sluice/engine/api-types`) and the functions that build them.
 *
 * @internal
 * @module
 */

import type { Workflow, WorkflowScope } from '../model/workflow.js';
import { getRunRecord, type RunRecord, runRecordOf } from '../run/run-record.js';
import type { ApiRole, LastRun, StoredWorkflow } from '../store/service-store.js';
import type { RunRow, RunStatus, StepErrorRecord, Store } from '../store/store.js';

/** A stored workflow as the API answers it: the document plus its stored fields. */
export interface WorkflowView extends Workflow {
  uid: string;
  version: number;
  scope: WorkflowScope;
  workspace_id: string;
  /** The email of who published this version. */
  user_id: string;
  /** When version 1 was published. */
  created: string;
  /** When this version was published (or the workflow deleted). */
  updated: string;
  deleted: boolean;
}

/** A line of `GET /v1/workflows`: the workflow, with the caller's workspace's newest run of it. */
export interface WorkflowListView extends WorkflowView {
  last_run: LastRun | null;
}

/** A line of `GET /v1/workflows/{uid}/versions`. */
export interface VersionView {
  version: number;
  name: string;
  /** The email of who published this version. */
  user_id: string;
  updated: string;
  /** How many steps this version has. */
  steps: number;
}

/** A run in a list (`GET /v1/runs`): the run without its steps. */
export interface RunSummaryView {
  id: string;
  status: RunStatus;
  /** The workflow's name. */
  workflow: string;
  workflow_uid: string | null;
  version: number | null;
  workspace_id: string | null;
  error: StepErrorRecord | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The run whose `workflow:` step started this one. */
  parent_run_id: string | null;
  /** The failed run whose workflow's `on_failure` started this one. */
  failure_of: string | null;
  /**
   * What started the run: `api`, `console`, `cli` (`POST /v1/workflows/{uid}/runs`, by its
   * `X-Sluice-Origin` header), `parent` (a `workflow:` step), `on_failure`, `local` (`sluice run`), or
   * the trigger kind's key (`schedule`, `webhook`, `poll`, `connector_webhook`, ...); `null` for runs
   * recorded before the service kept it.
   */
  origin: string | null;
}

/** What `GET /v1/templates/reference` answers: what a template may name on the service. */
export interface TemplateReferenceView {
  /** Every filter name, sorted. */
  filters: string[];
  /** The `SYSTEM_APIS` keys (configured and the service's own), sorted. */
  system_apis: string[];
}

/** What `GET /v1/me` answers. */
export interface MeView {
  workspace_id: string;
  email: string;
  role: ApiRole;
  /** An API key, or a run token (`USER.token`). */
  kind: 'key' | 'run_token';
}

/** What a workflow's trigger is doing (`GET /v1/workflows/{uid}/trigger`; built in `routes/triggers.ts`). */
export interface TriggerView {
  workflow_uid: string;
  /** The trigger kind's key: `schedule`, `webhook`, `poll`. */
  kind: string;
  enabled: boolean;
  next_at: string | null;
  last_polled_at: string | null;
  last_error: string | null;
  events_seen: number;
  updated_at: string | null;
  /** Webhooks only: POST here (the secret is part of it). */
  hook_path?: string;
  /** What the trigger's kind adds (`TriggerKind.extras`). */
  [extra: string]: string | number | boolean | null | undefined;
}

/** A line of `GET /v1/triggers`: the trigger, with its workflow's name. */
export interface TriggerListView extends TriggerView {
  workflow_name: string;
}

/** The stored document: the workflow plus its stored fields. */
export function workflowView(stored: StoredWorkflow): WorkflowView {
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
export function versionView(stored: StoredWorkflow): VersionView {
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
  /** What started the run (see {@link RunSummaryView.origin}). */
  origin: string | null;
}

/** The full record of run `id`. */
export async function runView(store: Store, id: string): Promise<RunView> {
  const run = await store.getRun(id);
  // getRunRecord's error for a run that is not there.
  if (run === undefined) {
    return { ...(await getRunRecord(store, id)), version: null, workspace_id: null, origin: null };
  }
  const record = await runRecordOf(store, run);
  // The record is this call's own: added to, not spread into a copy (every `?wait=true` answer builds one).
  return Object.assign(record, {
    version: record.workflow_version,
    workspace_id: run.workspace_id,
    origin: run.origin ?? null,
  });
}

/** A run in a list: no steps. */
export function runSummary(run: RunRow): RunSummaryView {
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
    parent_run_id: run.parent_run_id ?? null,
    failure_of: run.failure_of ?? null,
    origin: run.origin ?? null,
  };
}
