/**
 * Turns a value minijinja-js hands to JavaScript into a JSON-like value: its maps (`Map`) become
 * plain objects, `none` (which arrives as `undefined`) becomes `null`, big integers (`BigInt`) become
 * numbers, and tuples are already arrays.
 *
 * @internal
 * @module
 */

/** The JSON-like form of a value that came out of minijinja-js. */
export function fromJinja(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromJinja);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = fromJinja(v);
    return out;
  }
  return value;
}
