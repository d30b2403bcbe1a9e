/**
 * Keeps the answer about a document with thousands of problems short: the first problems, then one
 * that says how many more there were.
 *
 * @internal
 * @module
 */
import type { WorkflowProblem } from '../errors.js';

/** The problems to list, and how many were left out (0 when none were). */
export interface CappedProblems {
  problems: WorkflowProblem[];
  omitted: number;
}

/**
 * The first `max` of `problems` (already in document order) and, when there were more, a last problem
 * `{ path: '', message: '49,900 more problems not listed ...' }` that counts the rest.
 */
export function capProblems(problems: readonly WorkflowProblem[], max: number): CappedProblems {
  if (problems.length <= max) return { problems: [...problems], omitted: 0 };
  const omitted = problems.length - max;
  const count = `${omitted.toLocaleString('en-US')} more ${omitted === 1 ? 'problem' : 'problems'}`;
  return {
    problems: [
      ...problems.slice(0, max),
      { path: '', message: `${count} not listed (only the first ${max} are); fix these and check again` },
    ],
    omitted,
  };
}
