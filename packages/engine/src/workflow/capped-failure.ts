/**
 * The failed answer about a workflow document, whether it did not parse or broke the format.
 *
 * @internal
 * @module
 */
import type { WorkflowProblem } from '../errors.js';
import { capProblems } from './cap-problems.js';
import { WORKFLOW_LIMITS } from './workflow-limits.js';

/**
 * `{ ok: false }` with the first {@link WORKFLOW_LIMITS}`.maxProblems` of `problems` (already in document
 * order) and a last one that counts the rest; `omitted` is there only when some were left out.
 */
export function cappedFailure(problems: readonly WorkflowProblem[]): {
  ok: false;
  problems: WorkflowProblem[];
  omitted?: number;
} {
  const capped = capProblems(problems, WORKFLOW_LIMITS.maxProblems);
  return capped.omitted === 0
    ? { ok: false, problems: capped.problems }
    : { ok: false, problems: capped.problems, omitted: capped.omitted };
}
