/**
 * How deep a workflow value nests lists and objects. Checked before the validator walks the value
 * recursively (the schema, templates, the store's `JSON.stringify`), so a document 10,000 levels deep
 * is one clear problem instead of a stack overflow.
 *
 * @internal
 * @module
 */
import type { PathSegment } from './source-map.js';

/** What a too-deep value is told. */
export function tooDeepMessage(maxDepth: number): string {
  return `nests lists and objects more than ${maxDepth} levels deep; flatten it`;
}

interface Visit {
  value: unknown;
  depth: number;
  parent: Visit | undefined;
  key: PathSegment | undefined;
}

/**
 * The path of the first list or object (in document order) that sits deeper than `maxDepth` levels,
 * `value` itself being level 1; `undefined` when none does. Iterative, so any depth is safe to check.
 */
export function tooDeepPath(value: unknown, maxDepth: number): PathSegment[] | undefined {
  const stack: Visit[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const node = visit.value;
    if (typeof node !== 'object' || node === null) continue;
    if (visit.depth > maxDepth) return pathOf(visit);
    // Children pushed last-first, so they are visited in document order.
    const entries: [PathSegment, unknown][] = Array.isArray(node)
      ? node.map((item, index) => [index, item])
      : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, child] = entries[i] as [PathSegment, unknown];
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: visit.depth + 1, parent: visit, key });
      }
    }
  }
  return undefined;
}

function pathOf(visit: Visit): PathSegment[] {
  const path: PathSegment[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}
