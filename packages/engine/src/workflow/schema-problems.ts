/**
 * Runs the workflow JSON Schema with Ajv and turns its errors into problems a person can act on: one per
 * wrong value, worded by the schema's `errorMessage`, with the bad value, and a did-you-mean for unknown
 * keys. An `anyOf` that fails is reported once: by the branch that fits the value's type, if one does,
 * else by the `anyOf`'s own message.
 *
 * @internal
 * @module
 */
import type { ErrorObject } from 'ajv';
import type { JsonSchemaNode } from '../model/json-schema-node.js';
import { shown } from '../model/shown.js';
import { STEP_KINDS, type StepKinds } from '../steps/step-kinds.js';
import { TRIGGER_KINDS, type TriggerKinds } from '../triggers/trigger-kinds.js';
import { unknownKeyMessage } from './did-you-mean.js';
import {
  compileWorkflowValidator,
  loadPrecompiledValidator,
  type WorkflowValidator,
} from './precompiled-validator.js';
import type { PathSegment } from './source-map.js';
import { workflowSchemaSource } from './workflow-schema.js';

/** A problem before its line is known. */
export interface RawProblem {
  path: PathSegment[];
  message: string;
}

/** Keywords that fail when the value is of another kind altogether. */
const KIND_KEYWORDS = new Set(['type', 'const', 'enum']);
/** Keywords whose message quotes the bad value. */
const VALUE_KEYWORDS = new Set([
  'type',
  'const',
  'enum',
  'anyOf',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minLength',
]);

/** One validator per schema object (in practice: the built-in kinds' one, and a test's). */
const validators = new WeakMap<JsonSchemaNode, WorkflowValidator>();

/**
 * The validator of `schema`: for the built-in kinds' schema, the one the build precompiled when it was
 * built from this very schema (`precompiled-validator.ts`); else compiled, once.
 */
function validator(schema: JsonSchemaNode, builtIn: boolean): WorkflowValidator {
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = (builtIn ? loadPrecompiledValidator(schema) : undefined) ?? compileWorkflowValidator(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** Every way `value` breaks the workflow schema (with these step and trigger kinds), in schema order. */
export function schemaProblems(value: unknown, kinds: StepKinds, triggers: TriggerKinds): RawProblem[] {
  const schema = workflowSchemaSource(kinds, triggers);
  const builtIn = kinds === STEP_KINDS && triggers === TRIGGER_KINDS;
  return validatorProblems(validator(schema, builtIn), value, schema);
}

/** The problems `validate`, a validator of `schema` (compiled or precompiled), finds in `value`. */
export function validatorProblems(
  validate: WorkflowValidator,
  value: unknown,
  schema: JsonSchemaNode,
): RawProblem[] {
  if (validate(value)) return [];
  const errors = collapseAnyOf(validate.errors ?? []);
  const seen = new Set<string>();
  const out: RawProblem[] = [];
  for (const error of errors) {
    // Follows the errors of its schema, which say what is wrong with the key.
    if (error.keyword === 'propertyNames') continue;
    const problem = toProblem(error, value, schema);
    const id = `${JSON.stringify(problem.path)} ${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(problem);
  }
  return out;
}

/**
 * Keeps, for each failed `anyOf`, the errors of the first branch that fits the value, or the `anyOf`
 * alone. Linear: each error finds the failed `anyOf`s above it by key, instead of each `anyOf` scanning
 * every error (a thousand steps without apispec or action took minutes).
 */
function collapseAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const failed = new Map<string, ErrorObject>();
  for (const error of errors) {
    if (error.keyword === 'anyOf') failed.set(anyOfKey(error.schemaPath, error.instancePath), error);
  }
  if (failed.size === 0) return [...errors];
  // For each failed anyOf, its branches (by index, in the order met) and their errors.
  const branchesOf = new Map<ErrorObject, Map<string, ErrorObject[]>>();
  for (const error of errors) {
    for (const [anyOf, branch] of enclosingAnyOfs(error, failed)) {
      let branches = branchesOf.get(anyOf);
      if (branches === undefined) {
        branches = new Map();
        branchesOf.set(anyOf, branches);
      }
      const list = branches.get(branch);
      if (list === undefined) branches.set(branch, [error]);
      else list.push(error);
    }
  }
  const dropped = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' || dropped.has(error)) continue;
    const branches = [...(branchesOf.get(error)?.values() ?? [])];
    const fitting = branches.find(
      (branch) => !branch.some((e) => e.instancePath === error.instancePath && KIND_KEYWORDS.has(e.keyword)),
    );
    for (const branch of branches) {
      if (branch !== fitting) for (const e of branch) dropped.add(e);
    }
    if (fitting !== undefined) dropped.add(error);
  }
  return errors.filter((e) => !dropped.has(e));
}

function anyOfKey(schemaPath: string, instancePath: string): string {
  return `${schemaPath}\u0000${instancePath}`;
}

/**
 * The failed `anyOf`s whose branches `error` comes from, each with the branch's index. A branch checks
 * the `anyOf`'s own value, so that `anyOf` sits at the error's value or at one of its ancestors.
 */
function* enclosingAnyOfs(
  error: ErrorObject,
  failed: ReadonlyMap<string, ErrorObject>,
): Generator<[ErrorObject, string]> {
  const segments = error.schemaPath.split('/');
  for (let i = 0; i < segments.length - 1; i += 1) {
    const branch = segments[i + 1] as string;
    if (segments[i] !== 'anyOf' || !/^\d+$/.test(branch)) continue;
    const schemaPath = segments.slice(0, i + 1).join('/');
    for (let at = error.instancePath; ; at = at.slice(0, at.lastIndexOf('/'))) {
      const anyOf = failed.get(anyOfKey(schemaPath, at));
      if (anyOf !== undefined) {
        yield [anyOf, branch];
        break;
      }
      if (at === '') break;
    }
  }
}

function toProblem(error: ErrorObject, root: unknown, schema: JsonSchemaNode): RawProblem {
  const path = instanceSegments(error.instancePath, root);
  // An error of a `propertyNames` schema is about the key itself (a header name).
  if (error.propertyName !== undefined) path.push(error.propertyName);
  const node = (error.parentSchema ?? {}) as JsonSchemaNode;
  switch (error.keyword) {
    case 'required':
      // A node that only constrains (an `anyOf` branch: "apispec or action") words the problem itself.
      if (node.properties === undefined && typeof node.errorMessage === 'string') {
        return { path, message: node.errorMessage };
      }
      return { path: [...path, String(error.params.missingProperty)], message: 'is required' };
    case 'dependencies':
      return {
        path: [...path, String(error.params.property)],
        message: `is only allowed on a step with ${String(error.params.missingProperty)}`,
      };
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      return { path: [...path, key], message: unknownKeyMessage(key, knownKeys(node)) };
    }
    case 'not': {
      const inner = (node.not ?? {}) as JsonSchemaNode;
      return { path, message: stringOr(inner.errorMessage, 'is not allowed') };
    }
    default: {
      const own = error.keyword === 'pattern' ? node.patternErrorMessage : undefined;
      const message = stringOr(own, messageOf(schema, error.schemaPath) ?? error.message ?? 'is not valid');
      const got = VALUE_KEYWORDS.has(error.keyword) ? ` (got ${shown(error.data)})` : '';
      return { path, message: message + got };
    }
  }
}

const KNOWN_KEYS = new WeakMap<JsonSchemaNode, string[]>();

/** The keys a schema node knows, the same list each time (did-you-mean prepares each list once). */
function knownKeys(node: JsonSchemaNode): string[] {
  let keys = KNOWN_KEYS.get(node);
  if (keys === undefined) {
    keys = Object.keys((node.properties ?? {}) as object);
    KNOWN_KEYS.set(node, keys);
  }
  return keys;
}

/** The `errorMessage` of the innermost schema node on the way to the failed keyword. */
function messageOf(schema: JsonSchemaNode, schemaPath: string): string | undefined {
  const segments = schemaPath.replace(/^#\/?/, '').split('/').map(unescapePointer);
  let node: unknown = schema;
  let message = stringOr(schema.errorMessage, '') || undefined;
  for (const segment of segments.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) break;
    node = (node as Record<string, unknown>)[segment];
    const own = (node as JsonSchemaNode | undefined)?.errorMessage;
    if (typeof own === 'string') message = own;
  }
  return message;
}

/** `/steps/0/retry` → `['steps', 0, 'retry']`, with numbers only where the value is a list. */
function instanceSegments(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = unescapePointer(raw);
    if (Array.isArray(node)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
