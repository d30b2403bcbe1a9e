/**
 * Small helpers the field modules share to describe and recognise values.
 *
 * @internal
 * @module
 */

/** The JSON kind of a value, as messages name it: `null`, `array`, `integer`, `number`, `string`, ... */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'Date';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** True for `{...}` objects (not arrays, not null, not Dates or other class instances). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Appends a property name to a path: `input.zip`, or `input["a b"]` when it is not an identifier. */
export function joinPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
