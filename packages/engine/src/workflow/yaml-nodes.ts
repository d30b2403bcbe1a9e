/**
 * Every node of a parsed `yaml` document in document order, without recursion: the library's `visit`
 * recurses, and a hostile document can nest deeper than the stack.
 *
 * @internal
 * @module
 */
import { type Document, isMap, isPair, isSeq } from 'yaml';

/**
 * The nodes of `doc` in document order (pre-order: a collection, then its items; a pair, then its key
 * and its value), as the parser resolves aliases. Aliases are yielded, not followed.
 */
export function* yamlNodes(doc: Document): Generator<unknown> {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    yield node;
    const children: readonly unknown[] = isPair(node)
      ? [node.key, node.value]
      : isMap(node) || isSeq(node)
        ? node.items
        : [];
    // Pushed last-first, so they come out in document order.
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]);
  }
}
