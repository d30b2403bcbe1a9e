/**
 * Jinja's truthiness of a rendered value, for what the engine decides on one (a step's `when`, a filter's
 * flag argument).
 *
 * @module
 */

/** False for `false`, `null`, `undefined`, `0`, `NaN`, `''`, an empty list and an empty object. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}
