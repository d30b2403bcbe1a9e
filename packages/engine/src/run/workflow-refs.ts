/**
 * Finding the workflow a `workflow:` step or an `on_failure` names: a uid, or a name, among the
 * workflows a workspace may run (its own and the global ones, latest versions, not deleted). A name
 * the workspace has itself wins over a global one; two of its own with the name are ambiguous.
 *
 * @internal
 * @module
 */
import type { ServiceStore, StoredWorkflow } from '../store/service-store.js';

/** The workflow found, or why there is none. */
export type WorkflowRefResult = { stored: StoredWorkflow } | { problem: string };

/** The workflow `ref` (a uid or a name) names for `workspaceId`. */
export async function resolveWorkflowRef(
  store: Pick<ServiceStore, 'workflows'>,
  workspaceId: string,
  ref: string,
): Promise<WorkflowRefResult> {
  const byUid = await store.workflows.get(ref);
  if (byUid !== undefined && !byUid.deleted && visibleTo(byUid, workspaceId)) return { stored: byUid };
  const named = (await store.workflows.list(workspaceId)).filter((stored) => stored.document.name === ref);
  const own = named.filter((stored) => stored.workspace_id === workspaceId);
  const candidates = own.length > 0 ? own : named;
  if (candidates.length === 1) return { stored: candidates[0] as StoredWorkflow };
  if (candidates.length === 0) {
    return { problem: `no workflow named or with uid ${JSON.stringify(ref)} that this workspace may run` };
  }
  const uids = candidates.map((stored) => stored.uid).join(', ');
  return {
    problem: `${candidates.length} workflows are named ${JSON.stringify(ref)} (${uids}): name one by its uid`,
  };
}

function visibleTo(stored: StoredWorkflow, workspaceId: string): boolean {
  return stored.scope === 'global' || stored.workspace_id === workspaceId;
}
