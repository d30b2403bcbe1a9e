/**
 * Call cycles among `workflow:` steps, found at publish (issue 15): a workflow that calls itself, or
 * calls one that (through others) calls it back, would start child runs until the depth limit. The
 * check follows the calls through the workflows the publishing workspace may run, as they are
 * published now, with the document being published in place of its stored version; a call it cannot
 * resolve (a workflow published later) is left to the depth limit at run time.
 *
 * @internal
 * @module
 */
import { EngineError } from '../errors.js';
import type { Workflow } from '../model/workflow.js';
import type { ServiceStore } from '../store/service-store.js';
import { resolveWorkflowRef } from './workflow-refs.js';

/** Workflows the check reads at most; a graph larger than this is left to the depth limit. */
const MAX_VISITED = 200;

/** The workflows `workflow` calls: each `workflow:` step's reference, with the step's index. */
function calls(workflow: Workflow): { ref: string; stepIndex: number }[] {
  return workflow.steps.flatMap((step, stepIndex) => {
    const ref = (step as { workflow?: unknown }).workflow;
    return typeof ref === 'string' ? [{ ref, stepIndex }] : [];
  });
}

/**
 * Refuses `workflow` (about to be published as `uid` in `workspaceId`) when its `workflow:` steps lead
 * back to it.
 *
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST` naming the step and the cycle (`a → b → a`).
 */
export async function assertNoCallCycle(
  store: Pick<ServiceStore, 'workflows'>,
  workspaceId: string,
  uid: string,
  workflow: Workflow,
): Promise<void> {
  const first = calls(workflow);
  if (first.length === 0) return;
  const isSelf = (ref: string, found: string | undefined) =>
    ref === uid || found === uid || (found === undefined && ref === workflow.name);
  const visited = new Set<string>([uid]);
  for (const start of first) {
    // Depth-first from each call of the new document, carrying the path for the message.
    const stack: { ref: string; path: string[] }[] = [{ ref: start.ref, path: [workflow.name] }];
    while (stack.length > 0 && visited.size <= MAX_VISITED) {
      const { ref, path } = stack.pop() as { ref: string; path: string[] };
      const resolved = await resolveWorkflowRef(store, workspaceId, ref);
      const found = 'stored' in resolved ? resolved.stored : undefined;
      if (isSelf(ref, found?.uid)) {
        const cycle = [...path, workflow.name].join(' → ');
        throw new EngineError(
          'SLUICE_API_BAD_REQUEST',
          `steps[${start.stepIndex}].workflow: calling ${JSON.stringify(start.ref)} makes a call cycle (${cycle})`,
          { hint: 'a workflow may not call itself, directly or through the workflows it calls' },
        );
      }
      if (found === undefined || visited.has(found.uid)) continue;
      visited.add(found.uid);
      for (const next of calls(found.document)) {
        stack.push({ ref: next.ref, path: [...path, found.document.name] });
      }
    }
  }
}
