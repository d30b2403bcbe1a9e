/**
 * Renders the templates of a workflow step against the run state (DESIGN §4), in worker threads
 * bounded by {@link TemplateLimits} (issue 12: a template may only ever fail its own render).
 *
 * @module
 */
import { TemplateError, type TemplateErrorCode } from '../errors.js';
import { appendPath } from './field-path.js';
import { type JinjaErrorInfo, lineAndColumn } from './jinja-error.js';
import { isPlainObject, MISSING, pickState, resolvePath } from './pick-state.js';
import type { TemplateFailure, TemplateJobs, TemplateLimit } from './sandbox/protocol.js';
import { type PoolSettings, TemplateWorkerPool } from './sandbox/worker-pool.js';
import { type PathKey, referenceAt, scanTemplate, type TemplateScan } from './scan.js';
import { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits, type TemplateState } from './state.js';

/** Where a rendered value sits, for error messages: `steps.<step>.<field>`. */
export interface TemplateLocation {
  /** The step's name, when the value belongs to a step. */
  step?: string | undefined;
  /** The field path, e.g. `apispec.url`; nested paths are appended (`apispec.json_body.id`). */
  field: string;
}

/** A template that does not compile, or could not be checked within the limits. */
export interface TemplateSyntaxProblem {
  message: string;
  line?: number | undefined;
  column?: number | undefined;
}

type ErrorInfo = { code: TemplateErrorCode; message: string; hint: string; line?: number; column?: number };

const HINTS = {
  SLUICE_TEMPLATE_SYNTAX: 'fix the Jinja syntax at the position shown',
  SLUICE_TEMPLATE_RENDER:
    "check the names the template uses; give a fallback with |default('...') where a value may be missing",
  SLUICE_TEMPLATE_FUEL: 'the template does too much work: simplify it, or raise TemplateLimits.fuel',
  SLUICE_TEMPLATE_DEADLINE:
    'the template takes too long: simplify it, or raise TemplateLimits.deadlineMs (sluice serve --template-deadline-ms)',
  SLUICE_TEMPLATE_MEMORY:
    'the template builds too large or too deeply nested a value: simplify it, or raise TemplateLimits.memoryMb (sluice serve --template-memory-mb)',
  SLUICE_TEMPLATE_OUTPUT:
    'the template produces too large a result: narrow it, or raise TemplateLimits.maxOutputChars (sluice serve --template-max-output)',
} as const satisfies Record<TemplateErrorCode, string>;

/** minijinja-js runs out of fuel at once with budgets past 2^31 (it counts in 32 bits). */
const MAX_FUEL = 0x7fff_ffff;

const LIMIT_CODES = {
  deadline: 'SLUICE_TEMPLATE_DEADLINE',
  memory: 'SLUICE_TEMPLATE_MEMORY',
  stack: 'SLUICE_TEMPLATE_MEMORY',
  output: 'SLUICE_TEMPLATE_OUTPUT',
  crash: 'SLUICE_TEMPLATE_RENDER',
} as const satisfies Record<TemplateLimit, TemplateErrorCode>;

/** The templates of one value that go to a worker, and where their results go back. */
interface Batch {
  sources: string[];
  fields: string[];
  put: ((value: unknown) => void)[];
  references: (readonly PathKey[])[];
  wholeState: boolean;
}

/**
 * Renders values that hold Jinja templates. Strings are templates: a string that is exactly one
 * `{{ expression }}` (whitespace around it allowed) yields the expression's typed value (number,
 * boolean, list, dict, `null` or string), any other string with template syntax renders to a string,
 * and a string without `{{`, `{%` or `{#` is returned as is. Arrays and objects are rendered item by
 * item into new arrays and objects (keys are kept as they are); other values pass through.
 *
 * Templates compile and render in worker threads, each with a hard deadline and a memory cap
 * ({@link TemplateLimits}); a template that breaks one fails with an error naming it and the limit, and
 * nothing else is affected. Each template sees only the parts of the state it names, so its cost does
 * not grow with unrelated state, and a plain reference (`{{ STEPS.customers.output }}`) is resolved
 * without a worker: its typed result is the state's own value, not a copy, so do not mutate it.
 * Workers start on first use; {@link TemplateRenderer.close} stops them (idle workers never keep the
 * process alive).
 *
 * @example
 * ```ts
 * const renderer = new TemplateRenderer({ deadlineMs: 500 });
 * await renderer.render('{{ SYSTEM_APIS.my_app }}/v1/customers/{{ CURRENT_STEP.input.id }}', state, {
 *   step: 'notify',
 *   field: 'apispec.url',
 * }); // 'https://my.app/v1/customers/42'
 * await renderer.render({ id: '{{ CURRENT_STEP.input.id }}' }, state, { step: 'notify', field: 'apispec.json_body' });
 * // { id: 42 }
 * ```
 */
export class TemplateRenderer {
  readonly #settings: PoolSettings;
  readonly #scans = new Map<string, TemplateScan>();
  readonly #makeJobs: (settings: PoolSettings) => TemplateJobs;
  #jobs: TemplateJobs | undefined;

  /**
   * @param jobs - where jobs run (@internal: benchmarks compare with rendering in this thread); the
   *   template workers when absent.
   * @throws {RangeError} when a limit is not a positive integer.
   */
  constructor(limits: TemplateLimits = {}, jobs?: (settings: PoolSettings) => TemplateJobs) {
    const settings = { ...DEFAULT_TEMPLATE_LIMITS, ...definedOnly(limits) };
    for (const [name, value] of Object.entries(settings)) {
      if (!Number.isSafeInteger(value) || value < 1 || (name === 'fuel' && value > MAX_FUEL)) {
        throw new RangeError(`TemplateLimits.${name} must be a positive integer, got ${value}`);
      }
    }
    if (settings.memoryMb > 4095) throw new RangeError('TemplateLimits.memoryMb must be at most 4095');
    this.#settings = settings;
    this.#makeJobs = jobs ?? ((s) => new TemplateWorkerPool(s));
  }

  /**
   * Renders every template string in `value` against `state`. Renders are queued fairly by the
   * workspace in `state.USER.workspace_id`.
   *
   * @throws {TemplateError} `SLUICE_TEMPLATE_SYNTAX` when a template does not parse,
   *   `SLUICE_TEMPLATE_RENDER` when it fails (undefined name or attribute, bad filter argument, ...),
   *   `SLUICE_TEMPLATE_FUEL` when it runs out of fuel, `SLUICE_TEMPLATE_DEADLINE`, `_MEMORY` or
   *   `_OUTPUT` when it breaks a limit. The error names the field, the template, the position and, for an
   *   undefined value, the missing name.
   */
  async render(value: unknown, state: TemplateState, where: TemplateLocation): Promise<unknown> {
    const whole = state as Record<string, unknown>;
    const batch: Batch = { sources: [], fields: [], put: [], references: [], wholeState: false };
    let result: unknown;
    this.#plan(value, whole, where.field, batch, (v) => {
      result = v;
    });
    if (batch.sources.length === 0) return result;
    const context = batch.wholeState ? whole : pickState(whole, batch.references);
    const reply = await this.#workers().run(tenantOf(whole), {
      op: 'render',
      sources: batch.sources,
      context,
    });
    reply.results.forEach((item, i) => {
      (batch.put[i] as (value: unknown) => void)(item);
    });
    if (reply.failure !== undefined) {
      const { index, failure } = reply.failure;
      const source = batch.sources[index] as string;
      const info = this.#failureInfo(failure, source, whole);
      throw new TemplateError({
        ...info,
        step: where.step,
        field: batch.fields[index] as string,
        template: source,
      });
    }
    return result;
  }

  /**
   * Compiles each template source and gives its syntax problem, or `undefined` when it compiles. A
   * template that breaks a limit while compiling is a problem too (naming the limit); checking goes on
   * with the next one.
   */
  async checkSyntax(sources: readonly string[], tenant = ''): Promise<(TemplateSyntaxProblem | undefined)[]> {
    // Text and plain references are rendered here without minijinja, so they are valid as they are;
    // only the other templates go to a worker (a workflow of plain references needs none).
    const checked = sources.filter((source) => !this.#rendersHere(source));
    const problems: (TemplateSyntaxProblem | undefined)[] = [];
    while (problems.length < checked.length) {
      const reply = await this.#workers().run(tenant, {
        op: 'check',
        sources: checked.slice(problems.length),
      });
      for (const item of reply.results)
        problems.push(
          item === null
            ? undefined
            : syntaxProblem(item as JinjaErrorInfo, checked[problems.length] as string),
        );
      if (reply.failure !== undefined) {
        const info = this.#failureInfo(reply.failure.failure, checked[problems.length] as string, {});
        problems.push({ message: info.message, line: info.line, column: info.column });
      }
    }
    let next = 0;
    return sources.map((source) => (this.#rendersHere(source) ? undefined : problems[next++]));
  }

  /** Whether `source` is text or plain references, which {@link render} resolves without minijinja. */
  #rendersHere(source: string): boolean {
    const scan = this.#scan(source);
    return scan.kind === 'text' || scan.chain !== undefined || scan.interpolation !== undefined;
  }

  /** Stops the workers; renders still waiting reject. A render after it starts workers again. */
  async close(): Promise<void> {
    const jobs = this.#jobs;
    this.#jobs = undefined;
    await jobs?.close();
  }

  #workers(): TemplateJobs {
    this.#jobs ??= this.#makeJobs(this.#settings);
    return this.#jobs;
  }

  /**
   * Walks `value`, handing back at once what needs no worker (plain values, text, plain references that
   * resolve) and queuing the other templates in `batch` with a setter for their result.
   */
  #plan(
    value: unknown,
    state: Record<string, unknown>,
    field: string,
    batch: Batch,
    put: (v: unknown) => void,
  ): void {
    if (typeof value === 'string') {
      const scan = this.#scan(value);
      const resolved =
        scan.chain !== undefined
          ? resolvePath(state, scan.chain)
          : scan.interpolation !== undefined
            ? interpolate(scan.interpolation, state)
            : MISSING;
      if (scan.kind === 'text' || resolved !== MISSING) {
        put(scan.kind === 'text' ? value : resolved);
        return;
      }
      batch.sources.push(value);
      batch.fields.push(field);
      batch.put.push(put);
      if (scan.references === undefined) batch.wholeState = true;
      else batch.references.push(...scan.references);
      return;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length);
      put(out);
      value.forEach((item, i) => {
        this.#plan(item, state, appendPath(field, i), batch, (v) => {
          out[i] = v;
        });
      });
      return;
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      put(out);
      for (const [key, item] of Object.entries(value)) {
        this.#plan(item, state, appendPath(field, key), batch, (v) => {
          // An own `__proto__` key must stay data, not set the copy's prototype.
          if (key === '__proto__') {
            Object.defineProperty(out, key, {
              value: v,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          } else {
            out[key] = v;
          }
        });
      }
      return;
    }
    put(value);
  }

  #scan(source: string): TemplateScan {
    let scan = this.#scans.get(source);
    if (scan === undefined) {
      scan = scanTemplate(source);
      if (this.#scans.size >= this.#settings.cacheSize)
        this.#scans.delete(this.#scans.keys().next().value as string);
      this.#scans.set(source, scan);
    }
    return scan;
  }

  #limitDetail(limit: TemplateLimit, detail: string): string {
    const { deadlineMs, memoryMb, maxOutputChars } = this.#settings;
    switch (limit) {
      case 'deadline':
        return `it ran longer than the ${deadlineMs.toLocaleString('en-US')} ms deadline`;
      case 'memory':
        return `it needed more than the ${memoryMb.toLocaleString('en-US')} MB memory cap`;
      case 'stack':
        return 'it nests too deeply (the stack ran out)';
      case 'output':
        return `its result is over the ${maxOutputChars.toLocaleString('en-US')} character output cap`;
      case 'crash':
        return detail;
    }
  }

  #failureInfo(failure: TemplateFailure, source: string, state: Record<string, unknown>): ErrorInfo {
    switch (failure.kind) {
      case 'syntax':
        return { ...syntaxError(failure.info, source) };
      case 'filter':
        return {
          code: 'SLUICE_TEMPLATE_RENDER',
          message: `filter ${failure.message}`,
          hint: HINTS.SLUICE_TEMPLATE_RENDER,
        };
      case 'limit': {
        const code = LIMIT_CODES[failure.limit];
        return {
          code,
          message: `template stopped: ${this.#limitDetail(failure.limit, failure.detail)}`,
          hint: HINTS[code],
        };
      }
      case 'render':
        return renderError(failure.info, source, state);
    }
  }
}

/** The error of a template that does not parse. */
function syntaxError(info: JinjaErrorInfo, source: string): ErrorInfo {
  const position = info.offset === undefined ? { line: info.line } : lineAndColumn(source, info.offset);
  const out: ErrorInfo = {
    code: 'SLUICE_TEMPLATE_SYNTAX',
    message: info.detail,
    hint: HINTS.SLUICE_TEMPLATE_SYNTAX,
  };
  if (position.line !== undefined) out.line = position.line;
  if ('column' in position) out.column = position.column;
  return out;
}

function syntaxProblem(info: JinjaErrorInfo, source: string): TemplateSyntaxProblem {
  const { message, line, column } = syntaxError(info, source);
  return { message, line, column };
}

/** The error of a template that failed while rendering; `info` is in the template's own positions. */
function renderError(info: JinjaErrorInfo, source: string, state: Record<string, unknown>): ErrorInfo {
  const code = info.kind === 'fuel' ? 'SLUICE_TEMPLATE_FUEL' : 'SLUICE_TEMPLATE_RENDER';
  let offset = info.offset;
  let message = info.detail;
  if (info.kind === 'undefined') {
    const missing = missingName(source, offset, info.span, state);
    message = `undefined value: ${missing.name}`;
    offset = missing.start ?? offset;
  }
  const out: ErrorInfo = { code, message, hint: HINTS[code] };
  if (offset !== undefined) Object.assign(out, lineAndColumn(source, offset));
  else if (info.line !== undefined) out.line = info.line;
  return out;
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

/**
 * Renders a template of text and plain references without a worker, when every reference is a string
 * or a safe integer: minijinja prints those as they are, so the result is the same. Anything else
 * (floats, booleans, none, lists, a missing key) is {@link MISSING}: the worker renders it, or fails.
 */
function interpolate(
  parts: readonly (string | readonly PathKey[])[],
  state: Record<string, unknown>,
): string | typeof MISSING {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = resolvePath(state, part);
    if (typeof value === 'string') out += value;
    else if (Number.isSafeInteger(value) && !Object.is(value, -0)) out += String(value);
    else return MISSING;
  }
  return out;
}

/** The workspace a render is queued under. */
function tenantOf(state: Record<string, unknown>): string {
  const user = state.USER;
  return isPlainObject(user) && typeof user.workspace_id === 'string' ? user.workspace_id : '';
}

function definedOnly(limits: TemplateLimits): TemplateLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
