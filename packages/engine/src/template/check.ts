/**
 * Checks the syntax of every template in a value without rendering it, for the workflow validator.
 *
 * @module
 */
import type { Environment } from 'minijinja-js';
import { compileTemplate, createEnvironment } from './environment.js';
import { appendPath } from './field-path.js';
import { isPlainObject } from './pick-state.js';
import { syntaxError } from './render.js';
import { isTemplate } from './scan.js';
import { DEFAULT_TEMPLATE_LIMITS } from './state.js';

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

let env: Environment | undefined;

/**
 * Checks every template string inside `value` (recursively through arrays and objects; keys are not
 * templates) and returns one problem per template that does not parse, in document order. Unknown
 * filters and undefined names are found only when rendering.
 *
 * @param basePath - the path of `value` itself (`''` for the root); problem paths extend it as
 *   `base.key`, `base[0]` or `base["odd key"]`.
 * @example
 * ```ts
 * checkTemplates({ url: '{{ SYSTEM_APIS.x }/v1' }, 'steps[0].apispec');
 * // [{ path: 'steps[0].apispec.url', message: 'syntax error: unexpected `}`, ...', line: 1, column: 17 }]
 * ```
 */
export function checkTemplates(value: unknown, basePath: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  walk(value, basePath, problems);
  return problems;
}

function walk(value: unknown, path: string, problems: TemplateProblem[]): void {
  if (typeof value === 'string') {
    const problem = checkOne(value);
    if (problem !== undefined) problems.push({ path, ...problem });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, appendPath(path, i), problems);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) walk(item, appendPath(path, key), problems);
  }
}

function checkOne(source: string): Omit<TemplateProblem, 'path'> | undefined {
  if (!isTemplate(source)) return undefined;
  env ??= createEnvironment(DEFAULT_TEMPLATE_LIMITS.fuel);
  const result = compileTemplate(env, 'check', source);
  env.removeTemplate('check');
  if (!('error' in result)) return undefined;
  const { message, line, column } = syntaxError(result.error, source);
  const problem: Omit<TemplateProblem, 'path'> = { message };
  if (line !== undefined) problem.line = line;
  if (column !== undefined) problem.column = column;
  return problem;
}
