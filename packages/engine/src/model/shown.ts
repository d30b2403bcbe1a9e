/**
 * How a problem message shows a value the document holds: short, and never the whole of a big one.
 *
 * @module
 */

/** The bad value as the message shows it: scalars as JSON (shortened), collections by kind. */
export function shown(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 60 ? text : `${text.slice(0, 57)}...`;
}
