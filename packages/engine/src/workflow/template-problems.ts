/**
 * Template syntax problems of a workflow document: every field that holds templates (each step's
 * `input` and `output`, and the fields its kind declares, such as `apispec.url`) is checked without
 * rendering, by the template module's `checkTemplates`.
 *
 * @internal
 * @module
 */
import type { StepKinds } from '../steps/step-kinds.js';
import { templatedFields, valueAtField } from '../steps/templated-fields.js';
import { type CheckTemplatesOptions, checkTemplatesAt } from '../template/check.js';

/** A template problem at a document path; its message says where in the template, when known. */
export interface TemplateProblem {
  /** The document path of the string, e.g. `steps[1].apispec.url`. */
  path: string;
  message: string;
}

/**
 * Template syntax problems in every templated field of every step, compiled in the template workers
 * (`options.renderer`'s, else a shared one) under their limits.
 */
export async function templateProblems(
  doc: Record<string, unknown>,
  kinds: StepKinds,
  options: CheckTemplatesOptions = {},
): Promise<TemplateProblem[]> {
  if (!Array.isArray(doc.steps)) return [];
  const roots: { value: unknown; path: string }[] = [];
  doc.steps.forEach((step: unknown, index: number) => {
    if (typeof step !== 'object' || step === null || Array.isArray(step)) return;
    for (const field of templatedFields(step as Record<string, unknown>, kinds)) {
      const value = valueAtField(step, field);
      if (value !== undefined) roots.push({ value, path: `steps[${index}].${field.join('.')}` });
    }
  });
  const problems = await checkTemplatesAt(roots, options);
  return problems.map((problem) => ({
    path: problem.path,
    message: problem.message + where(problem.line, problem.column),
  }));
}

/** ` (at column 17 of the template)`, or ` (at line 2, column 3 of the template)` for a multi-line one. */
export function where(line: number | undefined, column: number | undefined): string {
  if (line === undefined) return '';
  const col = column === undefined ? '' : `column ${column}`;
  if (line === 1) return col === '' ? '' : ` (at ${col} of the template)`;
  return ` (at line ${line}${col === '' ? '' : `, ${col}`} of the template)`;
}
