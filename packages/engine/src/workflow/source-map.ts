/**
 * Paths in a workflow document (`steps[2].retry.total`) and the source lines they sit on. Lines come
 * from the `yaml` parser's node ranges, for YAML and JSON text alike (JSON is parsed a second time, as
 * YAML, only for its positions).
 *
 * @internal
 * @module
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** One step of a path: an object key or a list index. */
export type PathSegment = string | number;

/** Keys printed with a dot, as the template module prints them too (`template/field-path.ts`). */
const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

/** `['steps', 2, 'retry', 'total']` → `steps[2].retry.total`; odd keys are quoted: `headers["X Y"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * The inverse of {@link formatPath}, lenient: `a.b[2]["x y"]`, `a.b.2` and `a['x']` all parse. Dotted
 * names are split at dots and brackets only.
 */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const token = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\['((?:[^'\\]|\\.)*)'\]|\.?([^.[\]]+)/gy;
  for (let m = token.exec(path); m !== null && m[0] !== ''; m = token.exec(path)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else if (m[3] !== undefined) out.push(m[3]);
    else if (m[4] !== undefined) out.push(/^\d+$/.test(m[4]) ? Number(m[4]) : m[4]);
  }
  return out;
}

/** Finds the source line of a path. */
export interface SourceMap {
  /**
   * The 1-based line of the value at `path` (the line of its key, for an object member). When the
   * path does not exist (a missing key), the line of its deepest existing ancestor.
   */
  lineOf(path: readonly PathSegment[]): number | undefined;
}

/** A source map over a parsed `yaml` document; `lineCounter` must be the one given to the parser. */
export function createSourceMap(doc: Document, lineCounter: LineCounter): SourceMap {
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

  return {
    lineOf(path) {
      let node: unknown = resolve(doc.contents);
      let line = lineAt(rangeStart(node));
      for (const segment of path) {
        const found = child(node, segment, resolve, 0);
        if (found === undefined) break;
        node = resolve(found.node);
        line = lineAt(found.offset) ?? line;
      }
      return line;
    },
  };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

/** The child at `segment`, with the offset where it starts (its key, for a map member). */
function child(
  node: unknown,
  segment: PathSegment,
  resolve: (node: unknown) => unknown,
  depth: number,
): { node: unknown; offset: number | undefined } | undefined {
  if (isSeq(node)) {
    if (typeof segment !== 'number') return undefined;
    const item = node.items[segment];
    return item === undefined ? undefined : { node: item, offset: rangeStart(item) };
  }
  if (!isMap(node)) return undefined;
  const merged: unknown[] = [];
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key === 'symbol' || key === '<<') merged.push(pair.value);
    else if (String(key) === String(segment)) return { node: pair.value, offset: rangeStart(pair.key) };
  }
  // `<<: *base` merge keys: look in the merged maps, nearest first, as the parser does.
  if (depth > 10) return undefined;
  for (const source of merged) {
    const sources = isSeq(source) ? source.items : [source];
    for (const item of sources) {
      const found = child(resolve(item), segment, resolve, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
