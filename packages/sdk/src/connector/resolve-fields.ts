/**
 * Resolves field specs (a list, or a function of the context) and object definitions. Object
 * definitions resolve lazily, on first access from a field function, and are kept for the runtime's
 * life. When a field function reads an object definition whose own `fields` function is async and not
 * yet resolved, the runtime resolves that definition and calls the field function again; so field
 * functions should read `objectDefinitions` before doing other work. A cycle between definitions is
 * reported, naming the chain.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { fieldsToJsonSchema } from '../fields/to-json-schema.js';
import {
  type ApiContext,
  describeValue,
  type Fields,
  type FieldsContext,
  type FieldsSpec,
  type ObjectDefinition,
  type ObjectDefinitionFields,
} from './define-connector.js';

/** Thrown by the `objectDefinitions` view when a definition is not resolved yet. */
class PendingDefinition extends Error {
  readonly definition: string;
  constructor(definition: string) {
    super(`objectDefinitions.${definition} is not resolved yet`);
    this.definition = definition;
  }
}

/**
 * Calls a field spec and checks that it gives a well-formed field list; `undefined` when there is no spec.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` naming `path` when a function returns something else.
 * @throws {FieldValidationError} `SLUICE_FIELD_NOTATION` when the list is malformed.
 */
export async function callFieldsSpec(
  spec: FieldsSpec | undefined,
  context: FieldsContext,
  path: string,
): Promise<Fields | undefined> {
  if (spec === undefined) return undefined;
  if (typeof spec !== 'function') return spec;
  const fields: unknown = await spec(context);
  if (!Array.isArray(fields)) {
    throw new SdkError(
      'SLUICE_CONNECTOR_INVALID',
      `${path}: must return a list of fields (got ${describeValue(fields)})`,
      {
        hint: "return an array such as [{ name: 'id', type: 'integer' }]",
      },
    );
  }
  if (!checkedFieldLists.has(fields)) {
    fieldsToJsonSchema(fields as Fields, { path });
    checkedFieldLists.add(fields);
  }
  return fields as Fields;
}

/** Field lists already checked: a field function that returns the same array each call is checked once. */
const checkedFieldLists = new WeakSet<object>();

/** Resolves field specs for one runtime, with its object definitions. */
export class FieldsResolver {
  readonly #definitions: Readonly<Record<string, ObjectDefinition>>;
  readonly #context: () => ApiContext;
  readonly #resolved = new Map<string, Fields>();

  constructor(
    definitions: Readonly<Record<string, ObjectDefinition>> | undefined,
    context: () => ApiContext,
  ) {
    this.#definitions = definitions ?? {};
    this.#context = context;
  }

  /**
   * Resolves a field spec (`actions.x.inputFields`, ...) to a list; `undefined` when there is none.
   *
   * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` for a bad result or a cycle between object definitions;
   *   `SLUICE_CONNECTOR_PATH` for an unknown object definition.
   */
  resolve(spec: FieldsSpec | undefined, path: string): Promise<Fields | undefined> {
    if (typeof spec !== 'function') return Promise.resolve(spec);
    return this.#withDefinitions([], (context) => callFieldsSpec(spec, context, path));
  }

  async #withDefinitions<T>(
    chain: readonly string[],
    run: (context: FieldsContext) => Promise<T>,
  ): Promise<T> {
    for (;;) {
      try {
        return await run(this.#fieldsContext());
      } catch (err) {
        if (!(err instanceof PendingDefinition)) throw err;
        if (chain.includes(err.definition)) {
          const cycle = [...chain.slice(chain.indexOf(err.definition)), err.definition].join(' -> ');
          throw new SdkError(
            'SLUICE_CONNECTOR_INVALID',
            `objectDefinitions.${chain.at(-1)}.fields: refers back to itself (${cycle})`,
            {
              hint: 'break the cycle: an object definition cannot contain itself',
            },
          );
        }
        await this.#definition(err.definition, chain);
      }
    }
  }

  async #definition(name: string, chain: readonly string[]): Promise<Fields> {
    const done = this.#resolved.get(name);
    if (done !== undefined) return done;
    const spec = this.#definitions[name]?.fields;
    const path = `objectDefinitions.${name}.fields`;
    const fields = await this.#withDefinitions(
      [...chain, name],
      async (context) => (await callFieldsSpec(spec, context, path)) ?? [],
    );
    this.#resolved.set(name, fields);
    return fields;
  }

  #fieldsContext(): FieldsContext {
    const base = this.#context();
    return {
      get connection() {
        return base.connection;
      },
      http: base.http,
      call: base.call,
      objectDefinitions: this.#view(),
    };
  }

  /** The `objectDefinitions` object a field function sees: resolved lists, by name. */
  #view(): ObjectDefinitionFields {
    this.#cachedView ??= this.#makeView();
    return this.#cachedView;
  }

  #cachedView: ObjectDefinitionFields | undefined;

  #makeView(): ObjectDefinitionFields {
    const names = Object.keys(this.#definitions);
    const target = Object.fromEntries(names.map((name) => [name, undefined]));
    return new Proxy(target, {
      get: (_target, key) => {
        if (typeof key !== 'string' || !names.includes(key)) {
          if (typeof key !== 'string' || key === 'then' || key === 'toJSON') return undefined;
          throw new SdkError(
            'SLUICE_CONNECTOR_PATH',
            `objectDefinitions.${key}: no such object definition (available: ${names.join(', ') || 'none'})`,
            {
              hint: 'add it under objectDefinitions, or fix the name',
            },
          );
        }
        const resolved = this.#resolved.get(key);
        if (resolved !== undefined) return resolved;
        const spec = this.#definitions[key]?.fields;
        if (Array.isArray(spec)) return spec;
        // A cycle shows up as a pending definition already in the chain.
        throw new PendingDefinition(key);
      },
    }) as unknown as ObjectDefinitionFields;
  }
}
