/**
 * Admits a run: the one place a run row is built, for every way a run starts (a run through the API,
 * a schedule, a poll, a webhook delivery, `sluice run`). The row holds the id, the workflow's name, uid
 * and version, the document and input redacted with the unredacted input sealed beside it
 * (`stored-run-values.ts`), the workspace, `created_at` from the caller's clock and `pending`; a service
 * run also has its caller (`runs.started_by`).
 *
 * It builds and never writes: each caller writes the row where its crash-safety needs it. `startRun`
 * inserts it (`runs.createServiceRun`) before queueing its id; the trigger loop commits a schedule's or a
 * poll's runs with the trigger's cursor, dedup ledger and next time in ONE transaction
 * (`triggers.commit`), and a webhook delivery commits its run with `events_seen`; `sluice run` inserts it
 * (`createRun`) into its local store. The few async reads a row needs (the workspace's connection
 * secrets) are done by the caller, before its transaction.
 *
 * Who a run acts for: a run through the API, its caller, in the caller's workspace; a triggered run, the
 * user who published the latest version (`user_id`) with role `member` whatever their key's role, in
 * the workflow's workspace (a trigger acts for the workflow, not with an admin's rights); `sluice run`,
 * nobody (no `started_by`). `from` names where the run came from; only who it acts for depends on it
 * (no column records it yet).
 *
 * @internal
 * @module
 */
import type { Workflow } from '../model/workflow.js';
import type { Redactor } from '../secrets/redactor.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import { freezeDocument, isFrozenDocument } from '../store/frozen-documents.js';
import type { RunOrigin } from '../store/runs/run-store.js';
import type { ApiCaller, StoredWorkflow, TriggeredRun } from '../store/service-store.js';
import type { NewRun } from '../store/store.js';
import { newRunId } from './run-id.js';
import { storedRunValues } from './stored-run-values.js';

/** What every admission gives. */
interface Admission {
  /** `INPUT`, unredacted. */
  input: unknown;
  /** `created_at` (ISO), from the caller's injected clock. */
  createdAt: string;
  /** The run's id. @default a new time-ordered UUID (`run-id.ts`) */
  id?: string | undefined;
  /** Seals the unredacted input when redaction changed it. @default none: only the redacted one is kept */
  seal?: RunValueSealer | undefined;
}

/** A run of the latest version of a published workflow, in the engine service. */
interface StoredAdmission extends Admission {
  stored: StoredWorkflow;
  /** The connection secrets of the run's workspace (`ConnectionService.secretsOf`), redacted from the input. */
  secrets: readonly string[];
}

/** A run started through `POST /v1/workflows/{uid}/runs`. */
export interface ApiAdmission extends StoredAdmission {
  from: 'api';
  caller: ApiCaller;
  /** What started it, as the row records it. @default 'api' */
  origin?: ApiRunOrigin | undefined;
}

/** The origins of a run admitted for an API caller: its client (`X-Sluice-Origin`), or another run. */
export type ApiRunOrigin = 'api' | 'console' | 'cli' | 'parent' | 'on_failure';

/** The values of `X-Sluice-Origin` a client may send with `POST /v1/workflows/{uid}/runs`. */
export const CLIENT_ORIGINS = ['api', 'console', 'cli'] as const;

/** A run a trigger starts: a schedule's fire time, a polled record, a webhook delivery. */
export interface TriggerAdmission extends StoredAdmission {
  from: 'trigger';
}

/** A service run: through the API or a trigger. */
export type ServiceAdmission = ApiAdmission | TriggerAdmission;

/** A `sluice run` run: no service, no caller. */
export interface LocalAdmission extends Admission {
  from: 'local';
  /** The workflow as parsed (its uid, version and workspace, if any, are stored). */
  workflow: Workflow;
  /** The run's redactor (its execution context's), used as it is. */
  redactor: Redactor;
  /**
   * `redactor.holdsNoSecret(input)` was true (`create-context.ts`, `runRedaction`): the input is stored
   * as it is, without walking it again. @default false
   */
  inputHoldsNoSecret?: boolean | undefined;
}

/** What runs execute of each frozen published document (`store/frozen-documents.ts`), made once. */
const RUNNABLE = new WeakMap<Workflow, Workflow>();

/** The workflow a run of `stored` executes: the document with its uid, version and workspace. */
export function runnableWorkflow(stored: StoredWorkflow): Workflow {
  const { document } = stored;
  const kept = RUNNABLE.get(document);
  if (
    kept !== undefined &&
    kept.uid === stored.uid &&
    kept.version === stored.version &&
    kept.workspace_id === stored.workspace_id
  ) {
    return kept;
  }
  const runnable = {
    ...document,
    uid: stored.uid,
    version: stored.version,
    workspace_id: stored.workspace_id,
  };
  // A frozen document is a published version's, shared by all its runs: so is what they execute.
  if (!isFrozenDocument(document)) return runnable;
  RUNNABLE.set(document, freezeDocument(runnable));
  return runnable;
}

/** The caller of the runs a trigger of `stored` starts. */
export function triggerCaller(stored: StoredWorkflow): ApiCaller {
  return { id: stored.user_id, email: stored.user_id, workspace_id: stored.workspace_id, role: 'member' };
}

/**
 * The `pending` row of a new run and who started it. Pure but for the random id: nothing is written.
 *
 * @example
 * const secrets = await engine.connections.secretsOf(caller.workspace_id);
 * const { run } = admitRun({ from: 'api', caller, stored, input, createdAt, secrets, seal });
 * await store.runs.createServiceRun(run, caller);
 */
export function admitRun(admission: ServiceAdmission): TriggeredRun;
export function admitRun(admission: LocalAdmission): { run: NewRun; caller: undefined };
export function admitRun(admission: ServiceAdmission | LocalAdmission): {
  run: NewRun;
  caller: ApiCaller | undefined;
} {
  const id = admission.id ?? newRunId();
  const { input, seal, createdAt } = admission;
  if (admission.from === 'local') {
    const { workflow, redactor, inputHoldsNoSecret } = admission;
    const values = storedRunValues(id, workflow, input, { redactor, inputHoldsNoSecret, seal });
    return {
      run: row(id, workflow, workflow.workspace_id ?? null, createdAt, values, 'local'),
      caller: undefined,
    };
  }
  const workflow = runnableWorkflow(admission.stored);
  const caller = admission.from === 'api' ? admission.caller : triggerCaller(admission.stored);
  const values = storedRunValues(id, workflow, input, { secrets: admission.secrets, seal });
  const origin: RunOrigin =
    admission.from === 'api'
      ? (admission.origin ?? 'api')
      : (Object.keys(admission.stored.document.trigger ?? {})[0] ?? 'trigger');
  return { run: row(id, workflow, caller.workspace_id, createdAt, values, origin), caller };
}

function row(
  id: string,
  workflow: Workflow,
  workspaceId: string | null,
  createdAt: string,
  values: Pick<NewRun, 'workflow' | 'input' | 'sealed_input'>,
  origin: RunOrigin,
): NewRun {
  return {
    id,
    workflow_name: workflow.name,
    ...values,
    created_at: createdAt,
    workflow_uid: workflow.uid ?? null,
    workflow_version: workflow.version ?? null,
    workspace_id: workspaceId,
    status: 'pending',
    origin,
  };
}
