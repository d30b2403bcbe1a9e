/**
 * Walks the workflow JSON Schema (`packages/engine/schema/workflow.schema.json`, imported at build time)
 * along a YAML path: the keys a mapping may have (with their descriptions), the values a scalar may take
 * (`enum`, `const`, booleans), and the description of a key. Alternatives (`anyOf`, `oneOf`, `allOf`)
 * are all followed, so a step offers the keys of every step kind. `$ref` to `#/definitions/...` or
 * `#/$defs/...` is followed too, though the generated schema has none today.
 */
import type { YamlPath } from './yaml-context.js';

/** The part of a JSON Schema node the walker reads. */
export interface SchemaNode {
  $ref?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode | SchemaNode[];
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  default?: unknown;
  required?: string[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  definitions?: Record<string, SchemaNode>;
  $defs?: Record<string, SchemaNode>;
}

/** A key a mapping may have. */
export interface KeyOption {
  name: string;
  description: string | undefined;
  required: boolean;
  /** Whether its value is a mapping or a list (so completion opens a block below it). */
  block: boolean;
}

/** The keys the store sets: a document a person types never holds them. */
const STORED_KEYS = new Set(['workspace_id', 'user_id', 'created', 'updated', 'deleted', 'version']);

export class SchemaWalker {
  readonly #root: SchemaNode;

  constructor(root: SchemaNode) {
    this.#root = root;
  }

  #resolve(node: SchemaNode): SchemaNode {
    const ref = node.$ref;
    if (ref === undefined) return node;
    const match = /^#\/(definitions|\$defs)\/(.+)$/.exec(ref);
    const target =
      match === null ? undefined : this.#root[match[1] as 'definitions' | '$defs']?.[match[2] as string];
    return target === undefined ? node : this.#resolve(target);
  }

  /** `node` and every alternative below it, resolved. */
  #expand(node: SchemaNode, seen = new Set<SchemaNode>()): SchemaNode[] {
    const resolved = this.#resolve(node);
    if (seen.has(resolved)) return [];
    seen.add(resolved);
    const out = [resolved];
    for (const alternative of [
      ...(resolved.anyOf ?? []),
      ...(resolved.oneOf ?? []),
      ...(resolved.allOf ?? []),
    ]) {
      out.push(...this.#expand(alternative, seen));
    }
    return out;
  }

  /** The schema nodes at `path` (none when the schema does not know the path). */
  at(path: YamlPath): SchemaNode[] {
    let nodes = this.#expand(this.#root);
    for (const segment of path) {
      const next: SchemaNode[] = [];
      for (const node of nodes) {
        if (typeof segment === 'number') {
          const items = node.items;
          if (items === undefined) continue;
          next.push(...(Array.isArray(items) ? items : [items]));
          continue;
        }
        const property = node.properties?.[segment];
        if (property !== undefined) next.push(property);
        for (const [pattern, value] of Object.entries(node.patternProperties ?? {})) {
          if (new RegExp(pattern).test(segment)) next.push(value);
        }
        if (property === undefined && typeof node.additionalProperties === 'object') {
          next.push(node.additionalProperties);
        }
      }
      nodes = next.flatMap((node) => this.#expand(node));
      if (nodes.length === 0) return [];
    }
    return nodes;
  }

  /** The keys the mapping at `path` may have, in the schema's order. */
  keys(path: YamlPath): KeyOption[] {
    const options = new Map<string, KeyOption>();
    const top = path.length === 0;
    for (const node of this.at(path)) {
      for (const [name, property] of Object.entries(node.properties ?? {})) {
        if (top && STORED_KEYS.has(name)) continue;
        const expanded = this.#expand(property);
        const found = options.get(name);
        const description = found?.description ?? expanded.find((n) => n.description)?.description;
        const block = expanded.some((n) => n.properties !== undefined || n.items !== undefined);
        options.set(name, {
          name,
          description,
          required: (found?.required ?? false) || (node.required ?? []).includes(name),
          block: (found?.block ?? false) || block,
        });
      }
    }
    return [...options.values()];
  }

  /**
   * The values a scalar at `path` may take: `enum` and `const` values, `true`/`false` for a boolean;
   * else the schema's scalar `examples` (an HTTP method's `GET`, `POST`, ...).
   */
  values(path: YamlPath): unknown[] {
    const values: unknown[] = [];
    const examples: unknown[] = [];
    for (const node of this.at(path)) {
      values.push(...(node.enum ?? []));
      if (node.const !== undefined) values.push(node.const);
      const types = Array.isArray(node.type) ? node.type : [node.type];
      if (types.includes('boolean')) values.push(true, false);
      examples.push(...(node.examples ?? []).filter((example) => typeof example !== 'object'));
    }
    return [...new Set(values.length > 0 ? values : examples)];
  }

  /** The description of what is at `path`: the first one found. */
  describe(path: YamlPath): string | undefined {
    return this.at(path).find((node) => node.description !== undefined)?.description;
  }
}
