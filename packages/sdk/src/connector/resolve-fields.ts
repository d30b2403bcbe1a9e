/**
 * Resolves field specs (a list, or a function of the context) and object definitions, for given
 * config field values (`configFields`, Workato's `config_fields`). Object definitions resolve lazily, on
 * first access from a field function, and are kept for the runtime's life, per config field values. When a field function reads an object definition whose own `fields` function is async and not
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
  type ConfigFieldValues,
  describeValue,
  type Fields,
  type FieldsContext,
  type FieldsSpec,
  type ObjectDefinition,
  type ObjectDefinitionFields,
} from './define-connector.js';
import { extendContext } from './extend-context.js';

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
  return checkFieldList(await spec(context), path);
}

/**
 * Checks what a field function returned: a well-formed field list.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` naming `path` when it is not a list.
 * @throws {FieldValidationError} `SLUICE_FIELD_NOTATION` when the list is malformed.
 */
function checkFieldList(fields: unknown, path: string): Fields {
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

const NO_CONFIG: ConfigFieldValues = Object.freeze({});

/** How many distinct config field values keep their resolved object definitions. */
const SCOPE_CACHE_SIZE = 64;

/** Resolves field specs for one runtime, with its object definitions. */
export class FieldsResolver {
  readonly #definitions: Readonly<Record<string, ObjectDefinition>>;
  readonly #context: () => ApiContext;
  /** One scope per config field values (by their JSON), each with its resolved object definitions. */
  readonly #scopes = new Map<string, FieldsScope>();

  constructor(
    definitions: Readonly<Record<string, ObjectDefinition>> | undefined,
    context: () => ApiContext,
  ) {
    this.#definitions = definitions ?? {};
    this.#context = context;
  }

  /**
   * Resolves a field spec (`actions.x.inputFields`, ...) to a list; `undefined` when there is none. Field
   * functions and the object definitions they read get `configFields` (`{}` when not given).
   *
   * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` for a bad result or a cycle between object definitions;
   *   `SLUICE_CONNECTOR_PATH` for an unknown object definition.
   */
  resolve(
    spec: FieldsSpec | undefined,
    path: string,
    configFields?: ConfigFieldValues,
  ): Fields | undefined | Promise<Fields | undefined> {
    if (typeof spec !== 'function') return spec;
    return this.#scope(configFields).resolve(spec, path);
  }

  #scope(configFields: ConfigFieldValues | undefined): FieldsScope {
    const values = configFields === undefined || isEmpty(configFields) ? NO_CONFIG : configFields;
    const key = values === NO_CONFIG ? '' : JSON.stringify(values);
    let scope = this.#scopes.get(key);
    if (scope === undefined) {
      if (this.#scopes.size >= SCOPE_CACHE_SIZE) {
        // Keep the scope without config fields: it is the common one.
        const oldest = [...this.#scopes.keys()].find((k) => k !== '');
        if (oldest !== undefined) this.#scopes.delete(oldest);
      }
      scope = new FieldsScope(this.#definitions, this.#context, Object.freeze({ ...values }));
      this.#scopes.set(key, scope);
    }
    return scope;
  }
}

function isEmpty(values: ConfigFieldValues): boolean {
  for (const _ in values) return false;
  return true;
}

/** Resolves field specs for one set of config field values. */
class FieldsScope {
  readonly #definitions: Readonly<Record<string, ObjectDefinition>>;
  readonly #context: () => ApiContext;
  readonly #configFields: ConfigFieldValues;
  readonly #resolved = new Map<string, Fields>();

  constructor(
    definitions: Readonly<Record<string, ObjectDefinition>>,
    context: () => ApiContext,
    configFields: ConfigFieldValues,
  ) {
    this.#definitions = definitions;
    this.#context = context;
    this.#configFields = configFields;
  }

  resolve(spec: Exclude<FieldsSpec, Fields>, path: string): Fields | Promise<Fields | undefined> {
    // The usual field function returns a list at once (`({ objectDefinitions }) => objectDefinitions.x`):
    // it is checked without waiting. Anything else goes the way #withDefinitions goes, from this first call.
    let fields: unknown;
    try {
      fields = spec(this.#fieldsContext());
    } catch (err) {
      return this.#afterPending(err, spec, path);
    }
    if (Array.isArray(fields)) return checkFieldList(fields, path);
    return Promise.resolve(fields).then(
      (value) => checkFieldList(value, path),
      (err: unknown) => this.#afterPending(err, spec, path),
    );
  }

  /** After a first call of `spec` failed: resolves the definition it waited for and calls it again. */
  async #afterPending(err: unknown, spec: FieldsSpec, path: string): Promise<Fields | undefined> {
    if (!(err instanceof PendingDefinition)) throw err;
    await this.#definition(err.definition, []);
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
    const context = extendContext(this.#context(), 'objectDefinitions', this.#view());
    return Object.assign(context, { configFields: this.#configFields });
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
