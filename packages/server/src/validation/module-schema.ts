/**
 * The two `schema.json` formats a route folder may hold, told apart by shape: a JSON Schema (`type`,
 * `properties`, `$schema` ... at its root), or a Stacksync workflows-cdk module schema (the form the
 * workflow builder draws: `metadata`, `fields`, `ui_options`). For a module schema, this builds the JSON
 * Schema of the request `data` from the fields it declares: each field's `type`, `validation.required` and
 * the `validation` bounds. Pure.
 *
 * @module
 */
import { RouteDiscoveryError } from '../errors.js';
import { isJsonObject, type JsonObject } from '../utils/json-object.js';

/** The format of a `schema.json`. */
export type SchemaFormat = 'json-schema' | 'stacksync-module';

/** Root keywords that make a file a JSON Schema, whatever else it holds. */
const JSON_SCHEMA_KEYWORDS = [
  '$schema',
  '$id',
  '$ref',
  '$defs',
  'definitions',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'enum',
  'const',
  'items',
];

/** Field types whose values are checked, and the JSON type they must have. */
const FIELD_TYPES: Readonly<Record<string, string>> = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  object: 'object',
  array: 'array',
};

/** `validation` keys that become JSON Schema bounds, by the JSON type they apply to. */
const BOUNDS: Readonly<Record<string, readonly [string, string]>> = {
  min_length: ['string', 'minLength'],
  max_length: ['string', 'maxLength'],
  pattern: ['string', 'pattern'],
  min: ['number', 'minimum'],
  max: ['number', 'maximum'],
  min_items: ['array', 'minItems'],
  max_items: ['array', 'maxItems'],
};

/**
 * Tells the format of a parsed `schema.json`. A file with a JSON Schema keyword at its root is a JSON
 * Schema; one with a `fields` array and none of them is a module schema.
 *
 * @throws {RouteDiscoveryError} `SLUICE_ROUTE_SCHEMA` when the file looks like a module schema but a field
 *   is not an object with a string `id` and `type` (naming the field's index).
 */
export function schemaFormatOf(schema: JsonObject, shown: string): SchemaFormat {
  if (JSON_SCHEMA_KEYWORDS.some((keyword) => keyword in schema)) return 'json-schema';
  if (!Array.isArray(schema.fields)) return 'json-schema';
  schema.fields.forEach((field: unknown, index) => {
    if (!isJsonObject(field) || typeof field.id !== 'string' || typeof field.type !== 'string') {
      throw new RouteDiscoveryError(
        'SLUICE_ROUTE_SCHEMA',
        shown,
        `${shown}: fields[${index}] of the module schema must be an object with a string "id" and "type"`,
        { hint: 'write each field as {"id": "subject", "type": "string", "label": "Subject"}' },
      );
    }
  });
  return 'stacksync-module';
}

/**
 * The JSON Schema of the request `data` a module schema declares: one property per field (`connection`
 * fields aside: they describe credentials), typed when the field's type is one of string, number, integer,
 * boolean, object and array; `validation.required` fields are required and may not be `null`, the others
 * may be `null`. Other properties are allowed. A `pattern` that is not a valid JavaScript regular
 * expression is not enforced.
 */
export function moduleDataSchema(schema: JsonObject): JsonObject {
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const field of (schema.fields as JsonObject[]) ?? []) {
    const id = field.id as string;
    if (field.type === 'connection') continue;
    const validation = isJsonObject(field.validation) ? field.validation : {};
    const isRequired = validation.required === true;
    const jsonType = FIELD_TYPES[field.type as string];
    const property: JsonObject = {};
    if (jsonType !== undefined) {
      property.type = isRequired ? jsonType : [jsonType, 'null'];
      for (const [key, [appliesTo, keyword]] of Object.entries(BOUNDS)) {
        const value = validation[key];
        if (value === undefined) continue;
        const applies = appliesTo === jsonType || (appliesTo === 'number' && jsonType === 'integer');
        if (!applies) continue;
        if (keyword === 'pattern') {
          if (typeof value === 'string' && compiles(value)) property.pattern = value;
        } else if (typeof value === 'number') property[keyword] = value;
      }
    } else if (isRequired) {
      property.not = { type: 'null' };
    }
    if (typeof field.label === 'string') property.title = field.label;
    if (typeof field.description === 'string') property.description = field.description;
    properties[id] = property;
    if (isRequired) required.push(id);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
