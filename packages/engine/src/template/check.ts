/**
 * Checks the syntax of every template in a value without rendering it, for the workflow validator.
 * Templates compile in the renderer's workers, under its limits: a template whose compilation breaks a
 * limit (constant folding of `'a' * 10**9`, say) is reported as a problem, like a syntax error.
 *
 * @module
 */
import { appendPath } from './field-path.js';
import { isPlainObject } from './pick-state.js';
import { TemplateRenderer } from './render.js';
import { isTemplate } from './scan.js';

/** A template that does not parse: where it sits and what is wrong. */
export interface TemplateProblem {
  /** The value's path from the given base, e.g. `steps[1].apispec.url` or `apispec.headers.Authorization`. */
  path: string;
  /** minijinja's message, e.g. `syntax error: unexpected end of input, expected end of variable block`. */
  message: string;
  /** 1-based line inside the template. */
  line?: number;
  /** 1-based column inside the template. */
  column?: number;
}

/** Options of {@link checkTemplates}. */
export interface CheckTemplatesOptions {
  /** The renderer whose workers and limits compile the templates; a shared default one when absent. */
  renderer?: TemplateRenderer;
  /** The workspace the check is queued under (checks take turns by workspace). */
  tenant?: string;
}

let shared: TemplateRenderer | undefined;

/** The renderer checks use when none is given: default limits, workers started on first use. */
function defaultRenderer(): TemplateRenderer {
  shared ??= new TemplateRenderer();
  return shared;
}

/**
 * Checks every template string inside `value` (recursively through arrays and objects; keys are not
 * templates) and returns one problem per template that does not parse, in document order. Unknown
 * filters and undefined names are found only when rendering.
 *
 * @param basePath - the path of `value` itself (`''` for the root); problem paths extend it as
 *   `base.key`, `base[0]` or `base["odd key"]`.
 * @example
 * ```ts
 * await checkTemplates({ url: '{{ SYSTEM_APIS.x }/v1' }, 'steps[0].apispec');
 * // [{ path: 'steps[0].apispec.url', message: 'syntax error: unexpected `}`, ...', line: 1, column: 17 }]
 * ```
 */
export function checkTemplates(
  value: unknown,
  basePath: string,
  options: CheckTemplatesOptions = {},
): Promise<TemplateProblem[]> {
  return checkTemplatesAt([{ value, path: basePath }], options);
}

/** {@link checkTemplates} over several values at once (one batch for the workers), in the given order. */
export async function checkTemplatesAt(
  roots: readonly { value: unknown; path: string }[],
  options: CheckTemplatesOptions = {},
): Promise<TemplateProblem[]> {
  const found: { path: string; source: string }[] = [];
  for (const root of roots) walk(root.value, root.path, found);
  if (found.length === 0) return [];
  const renderer = options.renderer ?? defaultRenderer();
  const results = await renderer.checkSyntax(
    found.map((f) => f.source),
    options.tenant,
  );
  const problems: TemplateProblem[] = [];
  results.forEach((result, i) => {
    if (result === undefined) return;
    const problem: TemplateProblem = { path: (found[i] as { path: string }).path, message: result.message };
    if (result.line !== undefined) problem.line = result.line;
    if (result.column !== undefined) problem.column = result.column;
    problems.push(problem);
  });
  return problems;
}

function walk(value: unknown, path: string, found: { path: string; source: string }[]): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) found.push({ path, source: value });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, appendPath(path, i), found);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) walk(item, appendPath(path, key), found);
  }
}
