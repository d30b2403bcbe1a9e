/**
 * Where a position in a YAML document is, read from the lines above it by their indentation (so it works
 * on the half-typed, often invalid text of an editor): the path of the mapping or sequence it is in, and
 * whether a key or a value is being typed there. Block style only (`key:` and `- ` items); a flow
 * collection (`[a, b]`, `{a: 1}`) gives no path.
 */

/** A path into the document: keys, and item indexes (`0` for any item: the schema does not tell them apart). */
export type YamlPath = (string | number)[];

export interface YamlContext {
  /** `key`: a key of the mapping at `path`, or an item of the sequence at `path`; `value`: the value at `path`. */
  mode: 'key' | 'value';
  path: YamlPath;
  /** Where the word being typed starts (an offset in the document). */
  from: number;
  /** The word typed so far. */
  word: string;
}

interface LineShape {
  /** Columns of the `- ` item markers, outermost first. */
  markers: number[];
  /** Column of the content after the markers. */
  column: number;
  /** The key when the content is `key:` or `key: value`. */
  key: string | undefined;
  /** The text after `key:` (trimmed), when there is a key. */
  rest: string;
}

const KEY = /^("[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?)\s*:(\s|$)/;

function unquote(key: string): string {
  return /^["'].*["']$/.test(key) ? key.slice(1, -1) : key.trim();
}

/** The markers, content column and key of one line; `undefined` for a blank or comment-only line. */
export function lineShape(line: string): LineShape | undefined {
  let column = 0;
  while (line[column] === ' ') column++;
  if (column >= line.length || line[column] === '#') return undefined;
  const markers: number[] = [];
  while (line[column] === '-' && (line[column + 1] === ' ' || column + 1 === line.length)) {
    markers.push(column);
    column += 1;
    while (line[column] === ' ') column++;
  }
  const content = line.slice(column);
  const match = KEY.exec(content);
  if (match === null) return { markers, column, key: undefined, rest: content.trim() };
  return {
    markers,
    column,
    key: unquote(match[1] as string),
    rest: content
      .slice(match[0].length)
      .replace(/\s+#.*$/, '')
      .trim(),
  };
}

/** The path of the block that holds content at `column`, from the lines above `lineIndex`. */
function parentPath(lines: readonly string[], lineIndex: number, column: number): YamlPath {
  const path: YamlPath = [];
  let threshold = column;
  for (let i = lineIndex - 1; i >= 0 && threshold > 0; i--) {
    const shape = lineShape(lines[i] as string);
    if (shape === undefined) continue;
    if (shape.key !== undefined && shape.column < threshold) {
      // A key left of the threshold holds the block: `key:` then, deeper, what is below it.
      path.unshift(shape.key);
      threshold = shape.column;
    } else if (shape.column < threshold) {
      // A scalar left of the block: not YAML this reader follows.
      return [];
    }
    // Items this line opens around the block (`- key:` with the block at the key's column).
    const inside = shape.markers.filter((marker) => marker < threshold);
    if (inside.length > 0 && shape.column <= threshold) {
      for (let n = 0; n < inside.length; n++) path.unshift(0);
      threshold = inside[0] as number;
    }
  }
  return path;
}

/** The context of position `offset` in `text`. */
export function yamlContext(text: string, offset: number): YamlContext {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lines = text.slice(0, lineStart).split('\n');
  lines.pop();
  const before = text.slice(lineStart, offset);
  const word = /[\w$.-]*$/.exec(before)?.[0] ?? '';
  const from = offset - word.length;
  const shape = lineShape(before) ?? { markers: [], column: before.length, key: undefined, rest: '' };
  const items: YamlPath = shape.markers.map(() => 0);
  const outer = shape.markers[0] ?? shape.column;
  const base = [...parentPath(lines, lines.length, outer), ...items];
  if (shape.key !== undefined) {
    // `key: val|`: the value of `key`.
    return { mode: 'value', path: [...base, shape.key], from, word };
  }
  return { mode: 'key', path: base, from, word };
}

/** The path of the key under `offset` (a word followed by `:`), or `undefined` when it is on none. */
export function keyPathAt(text: string, offset: number): YamlPath | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  const shape = lineShape(line);
  if (shape?.key === undefined) return undefined;
  const keyEnd = line.indexOf(':', shape.column);
  const at = offset - lineStart;
  if (at < shape.column || at > keyEnd) return undefined;
  const lines = text.slice(0, lineStart).split('\n');
  lines.pop();
  const outer = shape.markers[0] ?? shape.column;
  return [...parentPath(lines, lines.length, outer), ...shape.markers.map(() => 0), shape.key];
}
