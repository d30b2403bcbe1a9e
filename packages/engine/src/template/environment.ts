/**
 * The minijinja-js environment templates run in, and compiling a template string into it. Settings:
 * strict undefined, Python compatibility (`dict.items()`, `str.upper()`, ...), debug positions, a fuel
 * limit, the added Jinja2 filters, and an internal `__sluice_capture` filter through which a single
 * `{{ expression }}` hands its typed value back to JavaScript.
 *
 * @internal
 * @module
 */
import type { Environment } from 'minijinja-js';
import { addJinja2Filters } from './filters.js';
import { type JinjaErrorInfo, parseJinjaError } from './jinja-error.js';
import { Wasm } from './sandbox/wasm.js';
import { scanTemplate, type TemplateScan } from './scan.js';

const CAPTURE = '__sluice_capture';
const VALUE = '__sluice_value';
const NOTHING: unique symbol = Symbol('nothing');
let captured: unknown = NOTHING;

/** The `Environment` class of a loaded minijinja-js instance (each worker loads its own). */
export type EnvironmentClass = new () => Environment;

/** Creates an environment with Sluice's settings and filters. */
export function createEnvironment(Environment: EnvironmentClass, fuel: number): Environment {
  const env = new Environment();
  env.undefinedBehavior = 'strict';
  env.debug = true;
  env.enablePyCompat();
  env.fuel = fuel;
  // debug() prints the environment: the names of every template compiled in it, any workspace's.
  env.removeGlobal('debug');
  addJinja2Filters(env);
  env.addFilter(CAPTURE, (value: unknown): string => {
    captured = value;
    return '';
  });
  return env;
}

/** Forgets the value captured by the last render. */
export function resetCapture(): void {
  captured = NOTHING;
}

/** The value the last render of an expression captured (as minijinja-js gave it). */
export function takeCapture(): unknown {
  const value = captured;
  captured = NOTHING;
  return value === NOTHING ? undefined : value;
}

/**
 * Whether an error thrown by minijinja-js means its WebAssembly instance is broken: a trap (Rust aborts
 * with `unreachable` when an allocation fails) or a stack overflow. Template errors are plain `Error`s.
 */
export function isBrokenInstance(error: unknown): boolean {
  return error instanceof Wasm.RuntimeError || error instanceof RangeError;
}

/** A template string compiled into an environment. */
export interface CompiledTemplate {
  /** The name it is registered under (absent for plain text). */
  name?: string;
  scan: TemplateScan;
  /** The source minijinja compiled: the template itself, or the expression wrapped in the capture filter. */
  compiled: string;
  /**
   * Maps an offset in `compiled` back to the template's own source (an offset in the wrapper around an
   * expression maps to the expression's start).
   */
  toSource: (offset: number) => number;
}

/** A template that does not parse. */
export interface SyntaxProblem {
  error: JinjaErrorInfo;
}

/**
 * Scans `source` and registers it under `name`. A single expression is first parsed as written (so a
 * syntax error is reported as in the template), then registered wrapped so that its value is
 * tested for undefined and handed to the capture filter.
 */
export function compileTemplate(
  env: Environment,
  name: string,
  source: string,
): CompiledTemplate | SyntaxProblem {
  const scan = scanTemplate(source);
  if (scan.kind === 'text') return { scan, compiled: source, toSource: (o) => o };
  try {
    env.addTemplate(name, source);
  } catch (error) {
    if (isBrokenInstance(error)) throw error;
    return { error: parseJinjaError(error, source) };
  }
  if (scan.kind !== 'expression' || scan.expression === undefined) {
    return { name, scan, compiled: source, toSource: (o) => o };
  }
  const { text, start } = scan.expression;
  // minijinja's strict mode lets an undefined value through a filter, so test it before capturing.
  const head = `{% set ${VALUE} = (`;
  const compiled = `${head}${text}) %}{% if ${VALUE} is undefined %}{{ ${VALUE} }}{% endif %}{{ ${VALUE}|${CAPTURE} }}`;
  try {
    env.addTemplate(name, compiled);
  } catch (error) {
    if (isBrokenInstance(error)) throw error;
    env.removeTemplate(name);
    return { error: parseJinjaError(error, source) };
  }
  const lead = text.length - text.trimStart().length;
  const toSource = (o: number): number =>
    o >= head.length && o <= head.length + text.length ? start + o - head.length : start + lead;
  return { name, scan, compiled, toSource };
}
