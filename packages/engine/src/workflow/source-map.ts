/**
 * Paths in a workflow document (`steps[2].retry.total`) and the source lines they sit on. Lines come
 * from the `yaml` parser's node ranges, for YAML and JSON text alike (JSON is parsed a second time, as
 * YAML, only for its positions).
 *
 * @internal
 * @module
 */
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type YAMLMap,
} from 'yaml';
import { yamlNodes } from './yaml-nodes.js';

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

/**
 * A source map over a parsed `yaml` document; `lineCounter` must be the one given to the parser.
 * Each lookup costs the length of the path: maps are indexed by key on first use, and aliases are
 * resolved from one pass over the document (`Alias.resolve` walks the whole document each time).
 */
export function createSourceMap(doc: Document, lineCounter: LineCounter): SourceMap {
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  let targets: Map<Alias, unknown> | undefined;
  const resolve = (node: unknown): unknown => {
    if (!isAlias(node)) return node;
    targets ??= aliasTargets(doc);
    return targets.get(node);
  };
  const indexes = new WeakMap<YAMLMap, MapIndex>();
  const indexOf = (map: YAMLMap): MapIndex => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = indexMap(map);
      indexes.set(map, index);
    }
    return index;
  };

  /** The child at `segment`, with the offset where it starts (its key, for a map member). */
  const child = (node: unknown, segment: PathSegment, depth: number): Found | undefined => {
    if (isSeq(node)) {
      if (typeof segment !== 'number') return undefined;
      const item = node.items[segment];
      return item === undefined ? undefined : { node: item, offset: rangeStart(item) };
    }
    if (!isMap(node)) return undefined;
    const index = indexOf(node);
    const own = index.keys.get(String(segment));
    if (own !== undefined || depth > 10) return own;
    // `<<: *base` merge keys: look in the merged maps, nearest first, as the parser does.
    for (const source of index.merged) {
      const sources = isSeq(source) ? source.items : [source];
      for (const item of sources) {
        const found = child(resolve(item), segment, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };

  return {
    lineOf(path) {
      let node: unknown = resolve(doc.contents);
      let line = lineAt(rangeStart(node));
      for (const segment of path) {
        const found = child(node, segment, 0);
        if (found === undefined) break;
        node = resolve(found.node);
        line = lineAt(found.offset) ?? line;
      }
      return line;
    },
  };
}

interface Found {
  node: unknown;
  offset: number | undefined;
}

/** A map's members by key (the first one, when a key repeats), and the values of its merge keys. */
interface MapIndex {
  keys: Map<string, Found>;
  merged: unknown[];
}

function indexMap(map: YAMLMap): MapIndex {
  const index: MapIndex = { keys: new Map(), merged: [] };
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key === 'symbol' || key === '<<') index.merged.push(pair.value);
    else if (!index.keys.has(String(key))) {
      index.keys.set(String(key), { node: pair.value, offset: rangeStart(pair.key) });
    }
  }
  return index;
}

/**
 * The node each alias stands for: the latest node before it with that anchor, in document order, as
 * the parser resolves it. One iterative pass, however deep or large the document.
 */
function aliasTargets(doc: Document): Map<Alias, unknown> {
  const targets = new Map<Alias, unknown>();
  const anchors = new Map<string, unknown>();
  for (const node of yamlNodes(doc)) {
    if (isAlias(node)) targets.set(node, anchors.get(node.source));
    else if (isNode(node) && node.anchor !== undefined) anchors.set(node.anchor, node);
  }
  return targets;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}
