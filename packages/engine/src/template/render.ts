/**
 * Renders the templates of a workflow step against the run state (DESIGN §4).
 *
 * @module
 */
import type { Environment } from 'minijinja-js';
import { TemplateError } from '../errors.js';
import {
  type CompiledTemplate,
  compileTemplate,
  createEnvironment,
  resetCapture,
  takeCapture,
} from './environment.js';
import { appendPath } from './field-path.js';
import { resetFilterError, takeFilterError } from './filters.js';
import { fromJinja } from './from-jinja.js';
import { type JinjaErrorInfo, lineAndColumn, parseJinjaError } from './jinja-error.js';
import { isPlainObject, MISSING, pickState, resolvePath } from './pick-state.js';
import { type PathKey, referenceAt } from './scan.js';
import { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits, type TemplateState } from './state.js';

/** Where a rendered value sits, for error messages: `steps.<step>.<field>`. */
export interface TemplateLocation {
  /** The step's name, when the value belongs to a step. */
  step?: string | undefined;
  /** The field path, e.g. `apispec.url`; nested paths are appended (`apispec.json_body.id`). */
  field: string;
}

type Compiled = CompiledTemplate | { error: TemplateErrorInfo };
type TemplateErrorInfo = Pick<TemplateError, 'code' | 'line' | 'column'> & { message: string; hint: string };

const HINTS = {
  SLUICE_TEMPLATE_SYNTAX: 'fix the Jinja syntax at the position shown',
  SLUICE_TEMPLATE_RENDER:
    "check the names the template uses; give a fallback with |default('...') where a value may be missing",
  SLUICE_TEMPLATE_FUEL: 'the template does too much work: simplify it, or raise TemplateLimits.fuel',
} as const;

/**
 * Renders values that hold Jinja templates. Strings are templates: a string that is exactly one
 * `{{ expression }}` (whitespace around it allowed) yields the expression's typed value (number,
 * boolean, list, dict, `null` or string), any other string with template syntax renders to a string,
 * and a string without `{{`, `{%` or `{#` is returned as is. Arrays and objects are rendered item by
 * item into new arrays and objects (keys are kept as they are); other values pass through.
 *
 * Each template sees only the parts of the state it names, so its cost does not grow with unrelated
 * state. A typed result that is a plain reference (`{{ STEPS.customers.output }}`) is the state's own
 * value, not a copy: do not mutate it. Compiled templates are cached by source.
 *
 * @example
 * ```ts
 * const renderer = new TemplateRenderer({ fuel: 100_000 });
 * renderer.render('{{ SYSTEM_APIS.my_app }}/v1/customers/{{ CURRENT_STEP.input.id }}', state, {
 *   step: 'notify',
 *   field: 'apispec.url',
 * }); // 'https://my.app/v1/customers/42'
 * renderer.render({ id: '{{ CURRENT_STEP.input.id }}' }, state, { step: 'notify', field: 'apispec.json_body' });
 * // { id: 42 }
 * ```
 */
export class TemplateRenderer {
  readonly #env: Environment;
  readonly #cacheSize: number;
  readonly #cache = new Map<string, Compiled>();
  #counter = 0;

  /** @throws {RangeError} when a limit is not a positive integer. */
  constructor(limits: TemplateLimits = {}) {
    const fuel = limits.fuel ?? DEFAULT_TEMPLATE_LIMITS.fuel;
    const cacheSize = limits.cacheSize ?? DEFAULT_TEMPLATE_LIMITS.cacheSize;
    for (const [name, value] of [
      ['fuel', fuel],
      ['cacheSize', cacheSize],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1 || (name === 'fuel' && value > 0xffffffff)) {
        throw new RangeError(`TemplateLimits.${name} must be a positive integer, got ${value}`);
      }
    }
    this.#env = createEnvironment(fuel);
    this.#cacheSize = cacheSize;
  }

  /**
   * Renders every template string in `value` against `state`.
   *
   * @throws {TemplateError} `SLUICE_TEMPLATE_SYNTAX` when a template does not parse,
   *   `SLUICE_TEMPLATE_RENDER` when it fails (undefined name or attribute, bad filter argument, ...),
   *   `SLUICE_TEMPLATE_FUEL` when it runs out of fuel. The error names the field, the position and,
   *   for an undefined value, the missing name.
   */
  render(value: unknown, state: TemplateState, where: TemplateLocation): unknown {
    return this.#render(value, state as Record<string, unknown>, where.step, where.field);
  }

  #render(value: unknown, state: Record<string, unknown>, step: string | undefined, field: string): unknown {
    if (typeof value === 'string') return this.#renderString(value, state, step, field);
    if (Array.isArray(value))
      return value.map((item, i) => this.#render(item, state, step, appendPath(field, i)));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value))
        out[key] = this.#render(item, state, step, appendPath(field, key));
      return out;
    }
    return value;
  }

  #renderString(
    source: string,
    state: Record<string, unknown>,
    step: string | undefined,
    field: string,
  ): unknown {
    const compiled = this.#compile(source);
    if ('error' in compiled) throw new TemplateError({ ...compiled.error, step, field, template: source });
    const { scan, name } = compiled;
    if (scan.kind === 'text' || name === undefined) return source;
    if (scan.chain !== undefined) {
      const value = resolvePath(state, scan.chain);
      if (value !== MISSING) return value;
    }
    const context = scan.references === undefined ? state : pickState(state, scan.references);
    resetFilterError();
    resetCapture();
    let output: string;
    try {
      output = this.#env.renderTemplate(name, context);
    } catch (error) {
      throw this.#error(takeFilterError(), error, compiled, state, source, step, field);
    }
    const filterError = takeFilterError();
    if (filterError !== undefined)
      throw this.#error(filterError, undefined, compiled, state, source, step, field);
    return scan.kind === 'expression' ? fromJinja(takeCapture()) : output;
  }

  #compile(source: string): Compiled {
    const cached = this.#cache.get(source);
    if (cached !== undefined) {
      this.#cache.delete(source);
      this.#cache.set(source, cached);
      return cached;
    }
    const name = `t${++this.#counter}`;
    const result = compileTemplate(this.#env, name, source);
    const compiled: Compiled = 'error' in result ? { error: syntaxError(result.error, source) } : result;
    this.#cache.set(source, compiled);
    if (this.#cache.size > this.#cacheSize) {
      const [oldest, entry] = this.#cache.entries().next().value as [string, Compiled];
      this.#cache.delete(oldest);
      if ('name' in entry && entry.name !== undefined) this.#env.removeTemplate(entry.name);
    }
    return compiled;
  }

  #error(
    filterError: string | undefined,
    error: unknown,
    compiled: CompiledTemplate,
    state: Record<string, unknown>,
    source: string,
    step: string | undefined,
    field: string,
  ): TemplateError {
    if (filterError !== undefined) {
      return new TemplateError({
        code: 'SLUICE_TEMPLATE_RENDER',
        message: `filter ${filterError}`,
        hint: HINTS.SLUICE_TEMPLATE_RENDER,
        step,
        field,
        template: source,
      });
    }
    const info = parseJinjaError(error, compiled.compiled);
    const code = info.kind === 'fuel' ? 'SLUICE_TEMPLATE_FUEL' : 'SLUICE_TEMPLATE_RENDER';
    let offset = info.offset === undefined ? undefined : compiled.toSource(info.offset);
    let message = info.detail;
    if (info.kind === 'undefined') {
      const missing = missingName(source, offset, spanText(info.span, compiled), state);
      message = `undefined value: ${missing.name}`;
      offset = missing.start ?? offset;
    }
    const position =
      offset !== undefined
        ? lineAndColumn(source, offset)
        : { line: compiled.scan.kind === 'expression' ? undefined : info.line };
    return new TemplateError({
      code,
      message,
      hint: HINTS[code],
      ...position,
      step,
      field,
      template: source,
      cause: new Error(info.detail),
    });
  }
}

/** The error of a template that does not parse. */
export function syntaxError(info: JinjaErrorInfo, source: string): TemplateErrorInfo {
  const position =
    info.offset === undefined ? { line: info.line, column: undefined } : lineAndColumn(source, info.offset);
  return {
    code: 'SLUICE_TEMPLATE_SYNTAX',
    message: info.detail,
    hint: HINTS.SLUICE_TEMPLATE_SYNTAX,
    line: position.line,
    column: position.column,
  };
}

/**
 * The name that is undefined: for a plain reference into the state, the path up to the first key that
 * is missing (`USER.nope`, `STEPS.s.output[5]`); otherwise the expression minijinja marked. `start` is
 * the offset of the reference, which the error reports as its position.
 */
function missingName(
  source: string,
  offset: number | undefined,
  span: string | undefined,
  state: Record<string, unknown>,
): { name: string; start?: number } {
  const ref = offset === undefined ? undefined : referenceAt(source, offset);
  if (ref === undefined) return { name: span?.trim() || 'unknown' };
  const { start } = ref;
  if (!Object.hasOwn(state, String(ref.path[0]))) return { name: ref.text, start };
  for (let i = 1; i <= ref.path.length; i++) {
    if (resolvePath(state, ref.path.slice(0, i)) === MISSING)
      return { name: formatChain(ref.path.slice(0, i)), start };
  }
  return { name: ref.text, start };
}

/** The marked text, or the expression itself when minijinja marked the wrapper around it. */
function spanText(span: string | undefined, compiled: CompiledTemplate): string | undefined {
  if (span?.includes('__sluice_value') && compiled.scan.expression !== undefined) {
    return compiled.scan.expression.text.trim();
  }
  return span;
}

function formatChain(chain: readonly PathKey[]): string {
  let out = String(chain[0]);
  for (const key of chain.slice(1)) {
    out =
      typeof key === 'string' && /^[A-Za-z_]\w*$/.test(key)
        ? `${out}.${key}`
        : `${out}[${JSON.stringify(key)}]`;
  }
  return out;
}
