/**
 * Field paths as errors print them: `apispec.json_body.id`, `steps[2].input`, `headers["X Y"]`.
 *
 * @internal
 * @module
 */

const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

/** `base.key` for a name-like key, `base[3]` for an index, `base["a key"]` otherwise. */
export function appendPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}
