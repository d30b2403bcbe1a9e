/**
 * Request validation: the body schema of a route (its `schema.json` applies to the body's `data`), the
 * Ajv instance every route schema is compiled with, and the mapping of Ajv errors to field paths.
 *
 * @module
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { RouteDiscoveryError } from '../errors.js';

type FormatsPlugin = typeof addFormatsModule.default;
/** ajv-formats is CommonJS: Node gives the plugin itself as default import; it also carries `.default`. */
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

/** One failing field: `data.address.zip`, `must be string`. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * The Ajv every route schema is compiled with: all errors (so every failing field is named), no type
 * coercion, defaults filled in, unknown keywords rejected (so a typo in a schema.json is caught).
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: false,
    useDefaults: true,
    removeAdditional: false,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    logger: false,
  });
  addFormats(ajv);
  // OpenAPI's `example` is common in schemas written for API docs.
  ajv.addKeyword('example');
  return ajv;
}

/**
 * Marks a body schema that is shown in the docs but not enforced (beyond "the body is an object"): the
 * data is validated elsewhere. An OpenAPI extension keyword, stripped before Ajv sees the schema.
 */
export const DOCS_ONLY = 'x-sluice-docs-only';

/**
 * The JSON Schema of a route's body: an object whose `data` matches `dataSchema` (`{}` when absent, so
 * required fields are reported), or any object when the route has no schema.json. With
 * `validate: false` the data schema is for the docs only.
 */
export function bodySchema(
  dataSchema: Record<string, unknown> | undefined,
  options: { validate?: boolean } = {},
): Record<string, unknown> {
  const { $schema: _draft, ...data } = dataSchema ?? { type: 'object' };
  return {
    type: 'object',
    properties: { data: { default: {}, ...data } },
    ...(options.validate === false ? { [DOCS_ONLY]: true } : {}),
  };
}

/** What Ajv compiles for a body schema: a docs-only one checks that the body is an object. */
function enforced(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema[DOCS_ONLY] !== true) return schema;
  return { type: 'object', properties: { data: { type: 'object', default: {} } } };
}

/**
 * Compiles a schema.json at start-up, so a bad schema stops the server with the file's name.
 *
 * @throws {RouteDiscoveryError} `SLUICE_ROUTE_SCHEMA`.
 */
export function checkDataSchema(ajv: Ajv, schema: Record<string, unknown>, shown: string): void {
  try {
    ajv.compile(bodySchema(schema));
  } catch (err) {
    throw new RouteDiscoveryError(
      'SLUICE_ROUTE_SCHEMA',
      shown,
      `${shown} is not a valid JSON Schema: ${(err as Error).message}${/strict mode: unknown keyword: "(fields|ui_options|metadata)"/.test((err as Error).message) ? ' (a Stacksync module schema has "fields" and no JSON Schema keyword such as "type" or "properties" at its root)' : ''}`,
      { cause: err, hint: 'fix the schema (keywords are checked: a misspelt keyword is an error)' },
    );
  }
}

/**
 * Fastify's validator compiler on our Ajv. A missing body is validated as `{}` (and then becomes `{}`),
 * so a request without a body still gets "data.name is required".
 */
export function validatorCompiler(ajv: Ajv): FastifySchemaCompiler<unknown> {
  return ({ schema, httpPart }) => {
    const validate: ValidateFunction = ajv.compile(enforced(schema as Record<string, unknown>));
    if (httpPart !== 'body') return validate;
    return (value: unknown) => {
      if (value !== null) return validate(value) ? true : { error: errorOf(validate) };
      const empty = {};
      return validate(empty) ? { value: empty } : { error: errorOf(validate) };
    };
  };
}

function errorOf(validate: ValidateFunction): Error {
  return Object.assign(new Error('the request body does not match its schema'), {
    validation: validate.errors ?? [],
    validationContext: 'body',
    statusCode: 400,
    code: 'FST_ERR_VALIDATION',
  });
}

/** Turns Ajv errors on a body into field paths (`data.name`) and messages, one per failing field. */
export function fieldProblems(errors: readonly ErrorObject[], context = 'body'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // anyOf/oneOf report each branch and then themselves; the summary is enough.
    if (error.schemaPath.includes('/anyOf/') || error.schemaPath.includes('/oneOf/')) continue;
    const segments = error.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      segments.push(String((error.params as { missingProperty: string }).missingProperty));
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
      message = 'is not allowed';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const path = segments.length === 0 ? context : segments.map(pathSegment).join('').replace(/^\./, '');
    if (segments.length === 0 && error.keyword === 'type') message = 'must be a JSON object';
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message });
  }
  return problems;
}

function pathSegment(segment: string): string {
  return /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
}
