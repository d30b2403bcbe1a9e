/**
 * How deep a JSON text nests, measured on the text before it is parsed: a run input nested 5,000
 * levels deep parses, but the store's `JSON.stringify` then runs out of stack. Each `[` or `{` outside
 * a string opens a level.
 *
 * @internal
 * @module
 */

/** Whether `text` (JSON) nests arrays and objects more than `limit` levels deep. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) {
      depth--;
    }
  }
  return false;
}
