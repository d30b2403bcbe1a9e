/**
 * Compiles and renders the templates of one job in the thread it runs in (a template worker): a
 * least-recently-used cache of compiled templates, the typed result of a single expression, the output
 * cap, and the failures in the template's own positions. The pool around it enforces the deadline.
 *
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Environment } from 'minijinja-js';
import {
  type CompiledTemplate,
  compileTemplate,
  isBrokenInstance,
  resetCapture,
  takeCapture,
} from '../environment.js';
import { resetFilterError, takeFilterError } from '../filters.js';
import { fromJinja } from '../from-jinja.js';
import { type JinjaErrorInfo, parseJinjaError } from '../jinja-error.js';
import type { JobReply, TemplateFailure } from './protocol.js';

type Compiled = CompiledTemplate | { error: JinjaErrorInfo };

/** Marks the start of each template of a job (the worker writes the shared progress slots). */
export type OnTemplateStart = (index: number) => void;

/** Renders and checks batches of templates in one minijinja environment. */
export class JobRunner {
  readonly #env: Environment;
  readonly #cache = new Map<string, Compiled>();
  readonly #cacheSize: number;
  readonly #maxOutputChars: number;
  readonly #onStart: OnTemplateStart;

  constructor(
    env: Environment,
    options: { cacheSize: number; maxOutputChars: number; onStart?: OnTemplateStart },
  ) {
    this.#env = env;
    this.#cacheSize = options.cacheSize;
    this.#maxOutputChars = options.maxOutputChars;
    this.#onStart = options.onStart ?? (() => {});
  }

  /**
   * Renders `sources` in order against `context`, stopping at the first failure. When minijinja traps
   * (memory) or overflows the stack, the reply says so and asks to retire the instance.
   */
  render(id: number, sources: readonly string[], context: object): JobReply {
    const results: unknown[] = [];
    for (let index = 0; index < sources.length; index++) {
      this.#onStart(index);
      const outcome = guard(() => this.#renderOne(sources[index] as string, context));
      if ('failure' in outcome) return stopped(id, results, index, outcome);
      results.push(outcome.value);
    }
    return { id, results };
  }

  /** Compiles each of `sources` and gives its syntax error, or `null` when it compiles. */
  check(id: number, sources: readonly string[]): JobReply {
    const results: unknown[] = [];
    for (let index = 0; index < sources.length; index++) {
      this.#onStart(index);
      const outcome = guard(() => ({ value: this.#compile(sources[index] as string) }));
      if ('failure' in outcome) return stopped(id, results, index, outcome);
      const compiled = outcome.value;
      results.push('error' in compiled ? compiled.error : null);
    }
    return { id, results };
  }

  #renderOne(source: string, context: object): { value: unknown } | { failure: TemplateFailure } {
    const compiled = this.#compile(source);
    if ('error' in compiled) return { failure: { kind: 'syntax', info: compiled.error } };
    const { scan, name } = compiled;
    if (scan.kind === 'text' || name === undefined) return { value: source };
    resetFilterError();
    resetCapture();
    let output: string;
    try {
      output = this.#env.renderTemplate(name, context);
    } catch (error) {
      if (isBrokenInstance(error)) throw error;
      const filterError = takeFilterError();
      if (filterError !== undefined) return { failure: { kind: 'filter', message: filterError } };
      return {
        failure: { kind: 'render', info: toSourceInfo(parseJinjaError(error, compiled.compiled), compiled) },
      };
    }
    const filterError = takeFilterError();
    if (filterError !== undefined) return { failure: { kind: 'filter', message: filterError } };
    const value = scan.kind === 'expression' ? fromJinja(takeCapture()) : output;
    if (outputSize(value, this.#maxOutputChars) > this.#maxOutputChars) {
      return {
        failure: {
          kind: 'limit',
          limit: 'output',
          detail: `its result is over the output cap of ${this.#maxOutputChars} characters`,
        },
      };
    }
    return { value };
  }

  #compile(source: string): Compiled {
    const cached = this.#cache.get(source);
    if (cached !== undefined) {
      this.#cache.delete(source);
      this.#cache.set(source, cached);
      return cached;
    }
    // Unguessable, so no template can `{% include %}` or `{% import %}` another one (another workspace's).
    const name = `t-${randomUUID()}`;
    const result = compileTemplate(this.#env, name, source);
    this.#cache.set(source, result);
    if (this.#cache.size > this.#cacheSize) {
      const [oldest, entry] = this.#cache.entries().next().value as [string, Compiled];
      this.#cache.delete(oldest);
      if ('name' in entry && entry.name !== undefined) this.#env.removeTemplate(entry.name);
    }
    return result;
  }
}

type Broken = { failure: TemplateFailure; broken?: true };

/** Runs `fn`, turning a trap or a stack overflow into a failure that retires the instance. */
function guard<T>(fn: () => T): T | Broken {
  try {
    return fn();
  } catch (error) {
    if (!isBrokenInstance(error)) throw error;
    return { failure: brokenFailure(error), broken: true };
  }
}

function stopped(id: number, results: unknown[], index: number, outcome: Broken): JobReply {
  const reply: JobReply = { id, results, failure: { index, failure: outcome.failure } };
  if (outcome.broken) reply.retire = true;
  return reply;
}

function brokenFailure(error: unknown): TemplateFailure {
  if (error instanceof RangeError) {
    return { kind: 'limit', limit: 'stack', detail: 'it nests too deeply (the stack ran out)' };
  }
  const message = error instanceof Error ? error.message : String(error);
  // Rust aborts with `unreachable` when an allocation fails (and on a panic, which minijinja avoids).
  if (/unreachable/.test(message)) {
    return { kind: 'limit', limit: 'memory', detail: 'it needs more memory than the cap' };
  }
  // Rust's stack lives at the bottom of the WebAssembly memory: overflowing it reads below address 0.
  if (/memory access out of bounds/.test(message)) {
    return { kind: 'limit', limit: 'stack', detail: 'it nests too deeply (the stack ran out)' };
  }
  return { kind: 'limit', limit: 'crash', detail: `the template engine failed (${message})` };
}

/** Maps a render error's position from the compiled source back to the template's own. */
function toSourceInfo(info: JinjaErrorInfo, compiled: CompiledTemplate): JinjaErrorInfo {
  const mapped: JinjaErrorInfo = { kind: info.kind, detail: info.detail };
  if (info.offset !== undefined) mapped.offset = compiled.toSource(info.offset);
  else if (compiled.scan.kind !== 'expression') mapped.line = info.line;
  if (info.span !== undefined) {
    mapped.span =
      info.span.includes('__sluice_value') && compiled.scan.expression !== undefined
        ? compiled.scan.expression.text.trim()
        : info.span;
  }
  return mapped;
}

/**
 * The size of a result, counted up to `cap + 1`: the characters of its strings and keys, 8 for any
 * other value. Iterative, so a deeply nested value cannot overflow the stack.
 */
function outputSize(value: unknown, cap: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= cap) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length;
    else if (Array.isArray(item)) {
      size += 8;
      for (const element of item) stack.push(element);
    } else if (item !== null && typeof item === 'object') {
      size += 8;
      for (const [key, element] of Object.entries(item)) {
        size += key.length;
        stack.push(element);
      }
    } else size += 8;
  }
  return size;
}
