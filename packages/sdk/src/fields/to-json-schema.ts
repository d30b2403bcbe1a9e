/**
 * Compiles the field notation to JSON Schema (draft-07), checking the notation itself on the way.
 *
 * @module
 */
import { FieldValidationError } from '../errors.js';
import type { Field, FieldOptionValue, FieldType } from './field.js';
import { isPlainObject, kindOf } from './kind-of.js';

/** The field types, in the order error messages list them. */
export const FIELD_TYPES: readonly FieldType[] = [
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'date_time',
  'timestamp',
  'object',
  'array',
];

/** The JSON Schema (draft-07) that {@link fieldsToJsonSchema} produces for a field list or one field. */
export interface FieldJsonSchema {
  /** Only at the top, and only with `schemaUri: true`. */
  $schema?: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  /** From the field's `label`. */
  title?: string;
  /** From the field's `hint`. */
  description?: string;
  default?: unknown;
  /** `date` for `date` fields, `date-time` (RFC 3339) for `date_time` and `timestamp` fields. */
  format?: 'date' | 'date-time';
  /** The values of the field's `options`. */
  enum?: FieldOptionValue[];
  properties?: Record<string, FieldJsonSchema>;
  /** Absent when no property is required. */
  required?: string[];
  additionalProperties?: boolean;
  items?: FieldJsonSchema;
}

/** Options of {@link fieldsToJsonSchema}. */
export interface FieldsToJsonSchemaOptions {
  /**
   * Where the field list sits, for notation error messages (`actions.get_customer.inputFields`).
   * @default 'fields'
   */
  path?: string;
  /**
   * Whether objects accept keys their fields do not name. Workato tolerates extra keys, so the default does.
   * @default true
   */
  additionalProperties?: boolean;
  /**
   * Whether nested objects list their `optional: false` fields in `required` too. Workato checks only the
   * top-level fields before it runs an action, so input validation compiles without them.
   * @default true
   */
  nestedRequired?: boolean;
  /**
   * Whether to add `"$schema": "http://json-schema.org/draft-07/schema#"` at the top. Leave it out to
   * embed the schema in a route schema or an OpenAPI document.
   * @default false
   */
  schemaUri?: boolean;
}

/** The draft the compiled schemas follow. */
export const JSON_SCHEMA_DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

const NOTATION_HINT = 'fix the field definition; see the field notation in the SDK docs';

function notationError(path: string, message: string, hint = NOTATION_HINT): FieldValidationError {
  return new FieldValidationError(path, message, { code: 'SLUICE_FIELD_NOTATION', hint });
}

function withArticle(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** The JSON type a scalar field's values (and option values, and defaults) have. */
function scalarSchema(type: FieldType): FieldJsonSchema {
  switch (type) {
    case 'integer':
    case 'number':
    case 'boolean':
      return { type };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'date_time':
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
    default:
      return { type: 'string' };
  }
}

/** True when `value` has the JSON type a field of `type` holds (formats are not checked). */
function hasJsonType(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    default:
      return typeof value === 'string';
  }
}

function checkType(value: unknown, path: string): FieldType {
  if (value === undefined) return 'string';
  if (typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value))
    return value as FieldType;
  const shown = JSON.stringify(value) ?? kindOf(value);
  throw notationError(path, `unknown type ${shown} (expected one of ${FIELD_TYPES.join(', ')})`);
}

function checkOptionalString(field: Record<string, unknown>, key: string, path: string): void {
  const value = field[key];
  if (value !== undefined && typeof value !== 'string') {
    throw notationError(`${path}.${key}`, `must be a string (got ${kindOf(value)})`);
  }
}

const PICK_LIST_HINT = "give a pick list name, or pairs such as [['Open', 'open'], ['Closed', 'closed']]";

/** A pick list is a name or `[label, value]` pairs given in place. */
function checkPickList(value: unknown, path: string): void {
  if (value === undefined || (typeof value === 'string' && value !== '')) return;
  if (!Array.isArray(value)) {
    throw notationError(
      path,
      `must be a pick list name or a list of pairs (got ${kindOf(value)})`,
      PICK_LIST_HINT,
    );
  }
  value.forEach((pair: unknown, i) => {
    if (!Array.isArray(pair) || pair.length < 2 || typeof pair[0] !== 'string') {
      throw notationError(
        `${path}[${i}]`,
        'must be a [label, value] pair with a string label',
        PICK_LIST_HINT,
      );
    }
  });
}

function checkOptions(field: Record<string, unknown>, itemType: FieldType, path: string): FieldOptionValue[] {
  const options = field.options;
  if (!Array.isArray(options)) {
    throw notationError(`${path}.options`, `must be a list of [label, value] pairs (got ${kindOf(options)})`);
  }
  if (itemType === 'object' || itemType === 'array') {
    throw notationError(
      `${path}.options`,
      `only fields of scalar values take options (type is "${itemType}")`,
    );
  }
  return options.map((option: unknown, i) => {
    const at = `${path}.options[${i}]`;
    if (!Array.isArray(option) || option.length !== 2 || typeof option[0] !== 'string') {
      throw notationError(at, 'must be a [label, value] pair with a string label');
    }
    const value: unknown = option[1];
    if (!hasJsonType(itemType, value)) {
      throw notationError(
        `${at}[1]`,
        `must be ${withArticle(itemType)} value like the field (got ${kindOf(value)})`,
      );
    }
    return value as FieldOptionValue;
  });
}

/** A default must have the field's type (each item, for arrays) and be one of its options. */
function checkDefault(
  value: unknown,
  type: FieldType,
  itemType: FieldType,
  enumValues: readonly FieldOptionValue[] | undefined,
  path: string,
): void {
  if (type === 'array' && !Array.isArray(value)) {
    throw notationError(path, `must be a list like the field (got ${kindOf(value)})`);
  }
  const expected = type === 'array' ? `a list of ${itemType} values` : `${withArticle(type)} value`;
  for (const item of type === 'array' ? (value as unknown[]) : [value]) {
    if (!hasJsonType(itemType, item)) {
      throw notationError(path, `must be ${expected} like the field (got ${kindOf(item)})`);
    }
    if (enumValues !== undefined && !enumValues.includes(item as FieldOptionValue)) {
      throw notationError(path, `must be one of the option values (got ${JSON.stringify(item)})`);
    }
  }
}

/** How a list compiles: extra keys allowed, and whether nested objects list their required fields. */
interface Compile {
  readonly extra: boolean;
  readonly nestedRequired: boolean;
}

/** Compiles a list of fields (the properties of one object) to an object schema. */
function objectSchema(fields: unknown, path: string, how: Compile, top: boolean): FieldJsonSchema {
  if (!Array.isArray(fields)) {
    throw notationError(path, `must be a list of fields (got ${kindOf(fields)})`);
  }
  const properties: Record<string, FieldJsonSchema> = {};
  const required: string[] = [];
  const seen = new Map<string, number>();
  fields.forEach((field: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(field)) {
      throw notationError(at, `must be a field object like { name: 'id' } (got ${kindOf(field)})`);
    }
    const name = field.name;
    if (typeof name !== 'string' || name === '') {
      throw notationError(`${at}.name`, 'is required (a non-empty string)', 'give every field a name');
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw notationError(
        `${at}.name`,
        `duplicate name "${name}" (also at ${path}[${first}])`,
        'rename or remove one of the two fields',
      );
    }
    seen.set(name, i);
    properties[name] = fieldSchema(field, at, how);
    if (field.optional === false && (top || how.nestedRequired)) required.push(name);
  });
  const schema: FieldJsonSchema = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  schema.additionalProperties = how.extra;
  return schema;
}

/** Compiles one field (already known to be an object with a name) to its schema. */
function fieldSchema(field: Record<string, unknown>, path: string, how: Compile): FieldJsonSchema {
  const type = checkType(field.type, `${path}.type`);
  for (const key of ['label', 'hint', 'controlType']) checkOptionalString(field, key, path);
  checkPickList(field.pickList, `${path}.pickList`);
  if (field.optional !== undefined && typeof field.optional !== 'boolean') {
    throw notationError(`${path}.optional`, `must be true or false (got ${kindOf(field.optional)})`);
  }
  if (field.of !== undefined && type !== 'array') {
    throw notationError(`${path}.of`, `only array fields take "of" (type is "${type}")`);
  }
  const of = type === 'array' ? checkType(field.of, `${path}.of`) : undefined;
  if (of === 'array') {
    throw notationError(
      `${path}.of`,
      'arrays of arrays are not supported',
      'wrap the inner list in an object',
    );
  }
  const itemType = of ?? type;
  if (itemType === 'object' && field.properties === undefined) {
    throw notationError(
      `${path}.properties`,
      type === 'object' ? 'an object field needs properties' : 'an array of objects needs properties',
      'list the fields of the object in properties (an empty list accepts any keys)',
    );
  }
  if (itemType !== 'object' && field.properties !== undefined) {
    throw notationError(
      `${path}.properties`,
      `only object fields and arrays of objects take properties (type is "${type}"${of ? `, of "${of}"` : ''})`,
      type === 'array' ? "add of: 'object'" : "set type: 'object'",
    );
  }

  const enumValues = field.options === undefined ? undefined : checkOptions(field, itemType, path);
  let schema: FieldJsonSchema =
    itemType === 'object'
      ? objectSchema(field.properties, `${path}.properties`, how, false)
      : scalarSchema(itemType);
  if (enumValues !== undefined) schema.enum = enumValues;
  if (of !== undefined) schema = { type: 'array', items: schema };

  const annotated: FieldJsonSchema = { type: schema.type };
  if (typeof field.label === 'string') annotated.title = field.label;
  if (typeof field.hint === 'string') annotated.description = field.hint;
  if (field.default !== undefined) {
    checkDefault(field.default, type, itemType, enumValues, `${path}.default`);
    annotated.default = structuredClone(field.default);
  }
  return { ...annotated, ...schema };
}

/**
 * Compiles a field list to a JSON Schema (draft-07) for the object it describes: `required` lists the fields
 * marked `optional: false` (a field is optional by default, as in Workato), `label` becomes `title`, `hint`
 * `description`, `options` `enum`; `date` fields get the format `date`, `date_time` and `timestamp` fields
 * `date-time`; keys that only shape a form (`sticky`, `pickList`, ...) leave no trace; `object` fields nest, `array` fields get
 * `items`.
 * Objects accept extra keys unless `additionalProperties: false`. The result is plain JSON, fit for route
 * schemas and OpenAPI.
 *
 * An `object` field needs `properties`, and so does an array with `of: 'object'` (an empty list accepts any
 * keys while extra keys are allowed); a default must have the field's type and be one of its options.
 *
 * @throws {FieldValidationError} `SLUICE_FIELD_NOTATION` when the notation itself is wrong (unknown type,
 *   missing or duplicate name, `properties` on a non-object, `of` on a non-array, ...); the path names the
 *   field, like `actions.get_customer.inputFields[2].type`.
 * @example
 * fieldsToJsonSchema([{ name: 'id', type: 'integer', optional: false }, { name: 'note' }]);
 * // { type: 'object', properties: { id: { type: 'integer' }, note: { type: 'string' } },
 * //   required: ['id'], additionalProperties: true }
 */
export function fieldsToJsonSchema(
  fields: readonly Field[],
  options: FieldsToJsonSchemaOptions = {},
): FieldJsonSchema {
  const how = {
    extra: options.additionalProperties ?? true,
    nestedRequired: options.nestedRequired ?? true,
  };
  const schema = objectSchema(fields, options.path ?? 'fields', how, true);
  return options.schemaUri === true ? { $schema: JSON_SCHEMA_DRAFT_07, ...schema } : schema;
}
