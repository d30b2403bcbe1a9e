/**
 * Value checks for route handlers, the camelCase equivalents of workflows-cdk's `validate_*` helpers
 * (`validate_request`, `validate_and_parse_json`, `validate_array`, `validate_object`, `validate_string`,
 * `validate_dict`, `parse_str_to_json`). Where those raise `ValueError` (answered 400 by the kit's wrapper),
 * these throw `ManagedError.validationError` (400) with `data: { field }`.
 *
 * @module
 */
import { ManagedError } from '../errors.js';
import type { Request } from '../request.js';
import { isJsonObject, type JsonObject } from '../utils/json-object.js';

function invalid(message: string, field: string): ManagedError {
  return ManagedError.validationError(message, { field }, { type: 'validation_error' });
}

/**
 * Parses a JSON string (workflows-cdk `parse_str_to_json`).
 * @throws {ManagedError} 400 `"<field> is not valid JSON"`.
 */
export function parseJsonString(value: string, field = 'value'): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw invalid(`${field} is not valid JSON`, field);
  }
}

/**
 * An object or array as is, or a string parsed as JSON (workflows-cdk `validate_and_parse_json`).
 * @throws {ManagedError} 400 when it is none of these.
 */
export function validateAndParseJson(value: unknown, field: string): unknown {
  if (typeof value === 'string') return parseJsonString(value, field);
  if (typeof value === 'object' && value !== null) return value;
  throw invalid(`${field} must be a JSON string, object or array`, field);
}

/**
 * An array, or a string holding a JSON array (workflows-cdk `validate_array`).
 * @throws {ManagedError} 400 `"<field> must be an array"`.
 */
export function validateArray(value: unknown, field: string): unknown[] {
  const parsed = typeof value === 'string' ? parseJsonString(value, field) : value;
  if (!Array.isArray(parsed)) throw invalid(`${field} must be an array`, field);
  return parsed;
}

/**
 * An object, or a string holding a JSON object (workflows-cdk `validate_object`).
 * @throws {ManagedError} 400 `"<field> must be an object"`.
 */
export function validateObject(value: unknown, field: string): JsonObject {
  const parsed = typeof value === 'string' ? parseJsonString(value, field) : value;
  if (!isJsonObject(parsed)) throw invalid(`${field} must be an object`, field);
  return parsed;
}

/**
 * A string (workflows-cdk `validate_string`).
 * @throws {ManagedError} 400 `"<field> must be a string"`.
 */
export function validateString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string`, field);
  return value;
}

/**
 * An object, not parsed from a string (workflows-cdk `validate_dict`).
 * @throws {ManagedError} 400 `"<field> must be an object"`.
 */
export function validateDict(value: unknown, field: string): JsonObject {
  if (!isJsonObject(value)) throw invalid(`${field} must be an object`, field);
  return value;
}

/**
 * Checks that the body has `data` and `credentials` objects and each of `requiredFields` at its top level
 * (workflows-cdk `validate_request`). A `schema.json` does this and more; this is for routes without one.
 * @throws {ManagedError} 400 `"Missing required fields: <names>"`, with `data: { missing }`.
 */
export function validateRequest(request: Request, requiredFields: readonly string[] = []): void {
  const body = isJsonObject(request.json) ? request.json : {};
  const missing = ['data', 'credentials', ...requiredFields].filter(
    (name, index, all) => all.indexOf(name) === index && (body[name] === undefined || body[name] === null),
  );
  if (missing.length > 0) {
    throw ManagedError.validationError(`Missing required fields: ${missing.join(', ')}`, { missing });
  }
}
