/**
 * Where JSON text stops being valid, for syntax errors that name a line and column: V8's `JSON.parse`
 * messages give the position in most cases, but not in all (`Unexpected end of JSON input`, ...).
 *
 * @internal
 * @module
 */

/**
 * The length of the longest prefix of `text` that is still the start of a valid JSON text, found by
 * bisection; the character just past it is where parsing failed (or the text ended).
 */
export function validJsonPrefixLength(text: string): number {
  const isValidStart = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const at = /at position (\d+)/.exec(why);
      return /Unexpected end of JSON input/.test(why) || (at !== null && Number(at[1]) >= length);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (isValidStart(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
