/**
 * Who may see and change what (DESIGN §4 "API and security"): a workspace's workflows and runs are
 * visible only inside it, answering 404 elsewhere so their existence does not leak; global workflows
 * are readable and runnable by every workspace and writable only by admins of their own workspace.
 * A run token (`USER.token`) reads what its workspace may and starts, cancels and retries runs; it
 * changes no configuration.
 *
 * @internal
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { EngineError } from '../errors.js';
import type { WorkflowScope } from '../model/workflow.js';
import type { RunCaller } from '../secrets/run-token.js';
import type { ApiCaller, ServiceStore, StoredWorkflow } from '../store/service-store.js';
import type { RunRow } from '../store/store.js';

const callers = new WeakMap<FastifyRequest, ApiCaller>();

/** Records the authenticated caller of a request. */
export function setCaller(request: FastifyRequest, caller: ApiCaller): void {
  callers.set(request, caller);
}

/** The authenticated caller of a request (every `/v1` route has one). */
export function callerOf(request: FastifyRequest): ApiCaller {
  const caller = callers.get(request);
  if (caller === undefined)
    throw new EngineError('SLUICE_API_UNAUTHORIZED', 'the request is not authenticated');
  return caller;
}

/** The writes a run token may make, as `<method> <route>`: a step may start, cancel and retry runs. */
const RUN_TOKEN_WRITES: ReadonlySet<string> = new Set([
  'POST /v1/workflows/:uid/runs',
  'POST /v1/runs/:id/cancel',
  'POST /v1/runs/:id/retry',
]);

/** Whether `caller` came from a run token rather than an API key. */
export function isRunCaller(caller: ApiCaller): caller is RunCaller {
  return typeof (caller as Partial<RunCaller>).run_id === 'string';
}

/**
 * Checks that `caller` may call the route `route` (its pattern, `/v1/runs/:id/cancel`) with `method`.
 * API keys may call every route (the routes check the rest); a run token may read (`GET`, `HEAD`) and
 * make the writes of `RUN_TOKEN_WRITES`. A request that matched no route is let through to its 404.
 *
 * @throws {EngineError} `SLUICE_API_FORBIDDEN` for any other write with a run token.
 */
export function assertCallerMay(caller: ApiCaller, method: string, route: string | undefined): void {
  if (!isRunCaller(caller) || route === undefined) return;
  if (method === 'GET' || method === 'HEAD' || RUN_TOKEN_WRITES.has(`${method} ${route}`)) return;
  throw new EngineError(
    'SLUICE_API_FORBIDDEN',
    `run tokens cannot change configuration: ${method} ${route} needs an API key`,
    {
      hint: 'a run token (USER.token) reads its workspace and starts, cancels and retries runs; workflows, connections, keys and triggers change with an API key',
    },
  );
}

function notFound(what: string): EngineError {
  return new EngineError('SLUICE_API_NOT_FOUND', `no ${what}`, {
    hint: "check the id; only your workspace's resources and global workflows are visible",
  });
}

/**
 * Whether `caller` may read this version of a workflow: its own workspace's, or a global one. Each
 * version is judged by its own scope, so the private versions a workflow had before it was republished
 * as global stay private.
 */
export function canRead(caller: ApiCaller, workflow: StoredWorkflow): boolean {
  return workflow.scope === 'global' || workflow.workspace_id === caller.workspace_id;
}

/**
 * The latest version (or `version`) of a workflow the caller can see: the latest must be visible, and
 * so must the version asked for.
 *
 * @throws {EngineError} `SLUICE_API_NOT_FOUND` when it does not exist, is not visible, or was deleted.
 */
export async function visibleWorkflow(
  store: ServiceStore,
  caller: ApiCaller,
  uid: string,
  version?: number,
): Promise<StoredWorkflow> {
  const latest = await store.workflows.get(uid);
  if (latest === undefined || !canRead(caller, latest)) throw notFound(`workflow ${uid}`);
  if (latest.deleted) throw notFound(`workflow ${uid} (it was deleted)`);
  if (version === undefined || version === latest.version) return latest;
  const stored = await store.workflows.get(uid, version);
  // A private version answers as a missing one: that it exists does not leak either.
  if (stored === undefined || !canRead(caller, stored))
    throw notFound(`version ${version} of workflow ${uid}`);
  return stored;
}

/**
 * Checks that `caller` may write `workflow` (and give it `scope`).
 *
 * @throws {EngineError} `SLUICE_API_FORBIDDEN` for a member writing a global workflow, or anyone
 * writing another workspace's global workflow.
 */
export function assertCanWrite(caller: ApiCaller, workspaceId: string, scopes: WorkflowScope[]): void {
  if (workspaceId !== caller.workspace_id) {
    throw new EngineError('SLUICE_API_FORBIDDEN', 'a global workflow is written only in its own workspace', {
      hint: 'ask an admin of the workspace that published it',
    });
  }
  if (scopes.includes('global') && caller.role !== 'admin') {
    throw new EngineError('SLUICE_API_FORBIDDEN', 'only admins write global workflows', {
      hint: 'publish it with scope: workspace, or use an admin key',
    });
  }
}

/**
 * Run `id` of the caller's workspace.
 *
 * @throws {EngineError} `SLUICE_API_NOT_FOUND` when it does not exist or belongs to another workspace.
 */
export async function visibleRun(store: ServiceStore, caller: ApiCaller, id: string): Promise<RunRow> {
  const run = await store.runs.getRun(id);
  if (run === undefined || run.workspace_id !== caller.workspace_id) throw notFound(`run ${id}`);
  return run;
}
