/**
 * Validates a value (an action's input, a connection) against its fields with Ajv, after light coercion.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type addFormatsModule from 'ajv-formats';
import { FieldValidationError, type SdkErrorCode } from '../errors.js';
import { coerceScalar, isoFromDate, setOwn } from './coerce.js';
import type { Field, FieldType, InferFields } from './field.js';
import { isPlainObject, joinPath, kindOf } from './kind-of.js';
import { fieldsToJsonSchema } from './to-json-schema.js';

/** Options of {@link validateFields}. */
export interface ValidateFieldsOptions {
  /**
   * The path the value sits at, which error messages start with (`input.address.zip`).
   * @default 'input'
   */
  path?: string;
  /**
   * Where the field list sits, for notation errors (`actions.get_customer.inputFields`).
   * @default 'fields'
   */
  fieldsPath?: string;
}

/** One problem a {@link FieldValidationError} lists. */
type Problem = { path: string; message: string; code: SdkErrorCode };

/** How to fix the first problem, by its code. */
function hintFor(code: SdkErrorCode): string {
  if (code === 'SLUICE_FIELD_REQUIRED')
    return 'send a value (not blank), or drop optional: false from the field';
  if (code === 'SLUICE_FIELD_TYPE') {
    return 'send a value of the field type ("42" is accepted for integer and number fields, "true"/"false" for boolean ones)';
  }
  return 'send a value the field accepts (see the message), or change the field definition';
}

/** How many problems the message spells out; `problems` always has them all. */
const MESSAGE_PROBLEMS = 10;
/** How many compiled validators are kept by schema text, for field lists built anew on each call. */
const SCHEMA_CACHE_SIZE = 256;

type FormatsPlugin = typeof addFormatsModule.default;

/**
 * Ajv and ajv-formats, loaded on first use (both are CommonJS, so they load in place): a process that
 * validates no fields (`sluice run` of HTTP steps) does not pay for loading them.
 */
function loadAjv(): { Ajv: typeof Ajv; addFormats: FormatsPlugin } {
  const require = createRequire(import.meta.url);
  const formats = require('ajv-formats') as { default?: FormatsPlugin } & FormatsPlugin;
  return { Ajv: (require('ajv') as { Ajv: typeof Ajv }).Ajv, addFormats: formats.default ?? formats };
}

let ajv: Ajv | undefined;
const byFields = new WeakMap<readonly Field[], ValidateFunction>();
const bySchema = new Map<string, ValidateFunction>();

/** The one Ajv instance, made on first use: all errors, strict, formats `date` and `date-time`, no logs. */
function getAjv(): Ajv {
  if (ajv === undefined) {
    const { Ajv: AjvClass, addFormats } = loadAjv();
    ajv = new AjvClass({ allErrors: true, strict: true, logger: false });
    addFormats(ajv, ['date', 'date-time']);
  }
  return ajv;
}

/**
 * The compiled validator for a field list, cached per array (a `WeakMap`) and per schema text (the last 256
 * distinct ones, for field lists built anew on each call). Treat a field list as immutable once used.
 *
 * @throws {FieldValidationError} `SLUICE_FIELD_NOTATION` when the notation is wrong.
 * @internal
 */
export function compileFieldsValidator(fields: readonly Field[], fieldsPath = 'fields'): ValidateFunction {
  const cached = byFields.get(fields);
  if (cached !== undefined) return cached;
  const schema = fieldsToJsonSchema(fields, { path: fieldsPath, nestedRequired: false });
  const text = JSON.stringify(schema);
  let validate = bySchema.get(text);
  if (validate === undefined) {
    const instance = getAjv();
    validate = instance.compile(schema);
    instance.removeSchema(schema);
    if (bySchema.size >= SCHEMA_CACHE_SIZE) bySchema.delete(bySchema.keys().next().value as string);
    bySchema.set(text, validate);
  }
  byFields.set(fields, validate);
  return validate;
}

function coerceInputItem(type: FieldType, properties: readonly Field[] | undefined, value: unknown): unknown {
  switch (type) {
    case 'date':
    case 'date_time':
      return isoFromDate(value, type);
    case 'timestamp':
      return isoFromDate(value, 'date_time');
    case 'object':
      return properties !== undefined && isPlainObject(value) ? prepareInput(properties, value) : value;
    default:
      return coerceScalar(type, value);
  }
}

/** Blank as Workato counts it for a required field: `""`, `[]` or `{}` (`false` and `0` are values). */
function isBlank(value: unknown): boolean {
  if (value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/**
 * A copy of the value with the input rules applied; the caller's object is never changed. At the top level
 * (`top`), a blank value of an `optional: false` field counts as missing, as Workato's check does.
 */
function prepareInput(
  fields: readonly Field[],
  value: Record<string, unknown>,
  top = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const field of fields) {
    const given = Object.hasOwn(value, field.name) ? value[field.name] : undefined;
    const current = top && field.optional === false && isBlank(given) ? undefined : given;
    let next: unknown;
    if (current === undefined || current === null) {
      next = field.default === undefined ? undefined : structuredClone(field.default);
    } else if (field.type === 'array') {
      next = Array.isArray(current)
        ? current.map((item: unknown) => coerceInputItem(field.of ?? 'string', field.properties, item))
        : current;
    } else {
      next = coerceInputItem(field.type ?? 'string', field.properties, current);
    }
    if (next === undefined) delete out[field.name];
    else setOwn(out, field.name, next);
  }
  return out;
}

/** Where an Ajv error points: the dotted path, the value there, and the field that describes it. */
function locate(fields: readonly Field[], root: unknown, pointer: string, base: string) {
  let path = base;
  let node: unknown = root;
  let siblings: readonly Field[] | undefined = fields;
  let field: Field | undefined;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path += `[${key}]`;
      node = node[Number(key)];
    } else {
      path = joinPath(path, key);
      node = isPlainObject(node) ? node[key] : undefined;
      field = siblings?.find((f) => f.name === key);
      siblings = field?.properties;
    }
  }
  return { path, node, field };
}

function shown(value: unknown, field: Field | undefined): string {
  if (field?.controlType === 'password') return `a ${kindOf(value)}`;
  const text = JSON.stringify(value) ?? kindOf(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function toProblem(error: ErrorObject, fields: readonly Field[], root: unknown, base: string): Problem {
  const at = locate(fields, root, error.instancePath, base);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: joinPath(at.path, String(params.missingProperty)),
        message: 'is required',
        code: 'SLUICE_FIELD_REQUIRED',
      };
    case 'type':
      return {
        path: at.path,
        message: `must be ${String(params.type)} (got ${kindOf(at.node)})`,
        code: 'SLUICE_FIELD_TYPE',
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return {
        path: at.path,
        message: `must be one of ${allowed} (got ${shown(at.node, at.field)})`,
        code: 'SLUICE_FIELD_INVALID',
      };
    }
    case 'format': {
      const like =
        params.format === 'date' ? 'a date like 2024-01-31' : 'a date-time like 2024-01-31T09:30:00Z';
      return {
        path: at.path,
        message: `must be ${like} (got ${shown(at.node, at.field)})`,
        code: 'SLUICE_FIELD_INVALID',
      };
    }
    case 'additionalProperties':
      return {
        path: joinPath(at.path, String(params.additionalProperty)),
        message: 'is not a known field',
        code: 'SLUICE_FIELD_INVALID',
      };
    default:
      return {
        path: at.path,
        message: error.message ?? `fails ${error.keyword}`,
        code: 'SLUICE_FIELD_INVALID',
      };
  }
}

function toError(problems: readonly Problem[]): FieldValidationError {
  const [first, ...rest] = problems as [Problem, ...Problem[]];
  const shownRest = rest.slice(0, MESSAGE_PROBLEMS - 1).map((p) => `; ${p.path}: ${p.message}`);
  const more = rest.length > MESSAGE_PROBLEMS - 1 ? `; and ${rest.length - (MESSAGE_PROBLEMS - 1)} more` : '';
  return new FieldValidationError(first.path, `${first.message}${shownRest.join('')}${more}`, {
    code: first.code,
    problems,
    hint: hintFor(first.code),
  });
}

/**
 * Validates a value against its fields and returns the validated copy, typed by {@link InferFields}.
 *
 * Before validating it applies light coercion, as Workato forms do, on a copy (the value passed in is never
 * changed): for `integer` and `number` fields a numeric string (`"42"`) becomes a number (an `integer` only
 * when it is a safe integer), for `boolean` fields `"true"`/`"false"` become booleans, and for `date` and
 * `date_time`/`timestamp` fields a `Date` becomes an ISO string. Other strings are not reformatted: a `date`
 * must be `YYYY-MM-DD` and a `date_time` RFC 3339 with a zone. A missing, `undefined` or `null` field counts
 * as absent: it gets a copy of its `default` when it has one, else it is left out. A field is optional
 * unless `optional: false`; as in Workato, only top-level fields are checked for presence, and there a blank
 * value (`""`, `[]`, `{}`) counts as missing (nested `optional: false` fields are not checked, though
 * nested values still must have their types). Keys that no field names are kept. An `undefined` value
 * counts as `{}`.
 *
 * @throws {FieldValidationError} with every problem in `problems` (`input.address.zip: must be string (got
 *   integer)`, `input.tags[1]: ...`); `code` is the first problem's: `SLUICE_FIELD_REQUIRED` (missing),
 *   `SLUICE_FIELD_TYPE` (wrong type) or `SLUICE_FIELD_INVALID` (format, options); `SLUICE_FIELD_NOTATION`
 *   when the fields themselves are wrong.
 * @example
 * const input = validateFields([{ name: 'id', type: 'integer', optional: false }, { name: 'limit',
 *   type: 'integer', default: 50 }], { id: '42' });
 * // { id: 42, limit: 50 }: typed { id: number; limit?: number }
 */
export function validateFields<const F extends readonly Field[]>(
  fields: F,
  value: unknown,
  options: ValidateFieldsOptions = {},
): InferFields<F> {
  const validate = compileFieldsValidator(fields, options.fieldsPath);
  const given = value === undefined ? {} : value;
  const prepared = isPlainObject(given) ? prepareInput(fields, given, true) : given;
  if (validate(prepared)) return prepared as InferFields<F>;
  const base = options.path ?? 'input';
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error, fields, prepared, base);
    if (seen.has(problem.path)) continue;
    seen.add(problem.path);
    problems.push(problem);
  }
  if (problems.length === 0)
    problems.push({ path: base, message: 'is not valid', code: 'SLUICE_FIELD_INVALID' });
  throw toError(problems);
}
