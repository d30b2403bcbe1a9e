/**
 * How `sluice validate` and `sluice run` print a workflow document that does not parse or breaks the
 * format: a first `error CODE:` line, each problem as `file:line: path: message`, then the hint.
 *
 * @module
 */
import type { WorkflowParseError, WorkflowProblem } from '@sluice/engine';

/**
 * `error CODE: <file> <verdict> (N problems)`, each problem on its own line, and `hint: ...` when there
 * is one; ends with a newline.
 */
export function workflowProblemsText(err: WorkflowParseError, file: string, verdict: string): string {
  const lines = [
    `error ${err.code}: ${file} ${verdict} (${problemCount(err)})`,
    ...err.problems.map((problem) => problemLine(file, problem)),
  ];
  if (err.hint !== undefined && err.hint !== '') lines.push(`hint: ${err.hint}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `3 problems`; past the engine's cap, `50,000 problems, the first 100 listed` (the last problem listed
 * then counts the others).
 */
function problemCount(err: WorkflowParseError): string {
  const listed = err.problems.length - (err.omitted > 0 ? 1 : 0);
  const total = listed + err.omitted;
  const count = `${total.toLocaleString('en-US')} ${total === 1 ? 'problem' : 'problems'}`;
  return err.omitted > 0 ? `${count}, the first ${listed} listed` : count;
}

/** `flow.yaml:31: steps[2].retry.total: must be ...`, the form editors and terminals link to the line. */
function problemLine(file: string, problem: WorkflowProblem): string {
  const column = problem.line !== undefined && problem.column !== undefined ? `:${problem.column}` : '';
  const at = problem.line === undefined ? file : `${file}:${problem.line}${column}`;
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${at}: ${path}${oneLine(problem.message)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
