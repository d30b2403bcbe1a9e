/**
 * Numbers in query strings are written as decimal integers. Ajv's type coercion reads `Infinity`,
 * `1e400`, `0x10` and ` 5` as numbers too, and skips `minimum`/`maximum` for the infinite ones, so
 * `?limit=Infinity` reached the store. This `preValidation` hook checks the raw text of every query
 * parameter the route's schema types as `integer` or `number`; the schema then checks the range.
 *
 * @internal
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { EngineError } from '../errors.js';

/** At most 15 digits: every such number is exact as a double. */
const DECIMAL_INTEGER = /^-?\d{1,15}$/;

interface QuerySchema {
  properties?: Record<string, { type?: unknown }>;
}

/** The numeric parameters of each route's query schema: a route's schema does not change. */
const NUMERIC_PARAMS = new WeakMap<QuerySchema, readonly string[]>();

/** The query parameters of the route that its schema types as numbers. */
function numericParams(request: FastifyRequest): readonly string[] {
  const schema = request.routeOptions.schema?.querystring as QuerySchema | undefined;
  if (schema === undefined) return [];
  let names = NUMERIC_PARAMS.get(schema);
  if (names === undefined) {
    names = Object.entries(schema.properties ?? {})
      .filter(([, property]) => property.type === 'integer' || property.type === 'number')
      .map(([name]) => name);
    NUMERIC_PARAMS.set(schema, names);
  }
  return names;
}

/**
 * Refuses a numeric query parameter that is not a decimal integer (a repeated one is left to the
 * schema, which refuses it).
 *
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST` naming the parameter, with `details.problems`.
 */
export async function checkQueryNumbers(request: FastifyRequest): Promise<void> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  for (const name of numericParams(request)) {
    const raw = query[name];
    if (typeof raw !== 'string' || DECIMAL_INTEGER.test(raw)) continue;
    const message = 'must be a decimal integer';
    const err = new EngineError('SLUICE_API_BAD_REQUEST', `querystring/${name} ${message}`, {
      hint: `write ${name} as digits, like ${name}=20`,
    });
    throw Object.assign(err, { details: { problems: [{ path: `querystring.${name}`, message }] } });
  }
}
