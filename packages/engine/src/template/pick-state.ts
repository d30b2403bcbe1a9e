/**
 * Builds the context handed to minijinja from only the state paths a template references, so that
 * rendering costs the same however large the unrelated state is. minijinja-js converts its whole
 * context into the WebAssembly heap on every render; this keeps that conversion to what is used.
 *
 * @internal
 * @module
 */
import type { PathKey } from './scan.js';

/** Marks a path that does not resolve. */
export const MISSING: unique symbol = Symbol('missing');

interface Trie {
  whole: boolean;
  children: Map<string, Trie>;
}

/** Whether a value is a plain object (the only kind of value that is narrowed to the keys used). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The sub-tree of `state` that the paths reach. Plain objects along a path keep only the keys the
 * template names; the value at the end of a path, and any array or other value met on the way, is
 * passed whole. Keys that do not exist are left out, so minijinja reports them as undefined.
 */
export function pickState(state: Record<string, unknown>, paths: readonly (readonly PathKey[])[]): object {
  const root: Trie = { whole: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const key of path) {
      if (node.whole) break;
      const name = String(key);
      let child = node.children.get(name);
      if (child === undefined) {
        child = { whole: false, children: new Map() };
        node.children.set(name, child);
      }
      node = child;
    }
    node.whole = true;
    node.children.clear();
  }
  return pick(state, root) as object;
}

function pick(value: unknown, node: Trie): unknown {
  if (node.whole || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of node.children) {
    // defineProperty: a state key named `__proto__` is a key like any other, not the prototype.
    if (Object.hasOwn(value, key)) {
      Object.defineProperty(out, key, {
        value: pick(value[key], child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

/**
 * Follows a static path through plain objects (string keys) and arrays (non-negative integer indexes).
 * Returns {@link MISSING} when a step does not resolve or meets anything else, so the caller falls back
 * to minijinja (and its error message).
 */
export function resolvePath(state: Record<string, unknown>, path: readonly PathKey[]): unknown {
  let value: unknown = state;
  for (const key of path) {
    if (isPlainObject(value) && typeof key === 'string') {
      if (!Object.hasOwn(value, key)) return MISSING;
      value = value[key];
    } else if (Array.isArray(value) && typeof key === 'number' && key < value.length) {
      value = value[key];
    } else {
      return MISSING;
    }
  }
  return value === undefined ? MISSING : value;
}
