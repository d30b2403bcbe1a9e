/**
 * Template syntax problems of a workflow document: every field that holds templates (`apispec.url`,
 * `params`, `headers`, `data`, `json_body`, the step's `input` and `output`) is checked without
 * rendering, by the template module's `checkTemplates`.
 *
 * @internal
 * @module
 */
import { type CheckTemplatesOptions, checkTemplatesAt } from '../template/check.js';

/** A template problem at a document path; its message says where in the template, when known. */
export interface TemplateProblem {
  /** The document path of the string, e.g. `steps[1].apispec.url`. */
  path: string;
  message: string;
}

/** The fields of a step that hold templates, as paths below the step. */
export const TEMPLATED_FIELDS: readonly (readonly string[])[] = [
  ['apispec', 'url'],
  ['apispec', 'params'],
  ['apispec', 'headers'],
  ['apispec', 'data'],
  ['apispec', 'json_body'],
  ['input'],
  ['output'],
];

/**
 * Template syntax problems in every templated field of every step, compiled in the template workers
 * (`options.renderer`'s, else a shared one) under their limits.
 */
export async function templateProblems(
  doc: Record<string, unknown>,
  options: CheckTemplatesOptions = {},
): Promise<TemplateProblem[]> {
  if (!Array.isArray(doc.steps)) return [];
  const roots: { value: unknown; path: string }[] = [];
  doc.steps.forEach((step: unknown, index: number) => {
    for (const field of TEMPLATED_FIELDS) {
      let value: unknown = step;
      for (const key of field) {
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      }
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
function where(line: number | undefined, column: number | undefined): string {
  if (line === undefined) return '';
  const col = column === undefined ? '' : `column ${column}`;
  if (line === 1) return col === '' ? '' : ` (at ${col} of the template)`;
  return ` (at line ${line}${col === '' ? '' : `, ${col}`} of the template)`;
}
