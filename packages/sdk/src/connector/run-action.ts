/**
 * Running one action: validate the input against the config and input fields, call `execute`, coerce the
 * output by the output fields. The runtime supplies the context and resolves field specs.
 *
 * @module
 */
import { coerceOutput } from '../fields/coerce.js';
import { validateFields } from '../fields/validate.js';
import type {
  ActionDefinition,
  ApiContext,
  ConfigFieldValues,
  Fields,
  FieldsSpec,
} from './define-connector.js';
import { extendContext } from './extend-context.js';

/** Resolves a field spec to a list for given config field values (the runtime's, with object definitions). */
export type ResolveFields = (
  spec: FieldsSpec | undefined,
  path: string,
  configFields?: ConfigFieldValues,
) => Fields | undefined | Promise<Fields | undefined>;

/** What {@link runAction} needs. */
export interface RunActionOptions {
  /** The action's name, for paths in errors. */
  readonly name: string;
  readonly action: ActionDefinition;
  /** The input as given; `undefined` counts as `{}`. */
  readonly input: unknown;
  /**
   * Config field values given apart from the input (as `sluice exec --config-fields` reads them). They
   * are merged under the input (a key in both takes the input's value). As in Workato, the config field
   * values are otherwise read from the input itself. @default none
   */
  readonly configFields?: ConfigFieldValues | undefined;
  /** The connection, `http` and `call` handed to `execute`. */
  readonly context: ApiContext;
  /**
   * Resolves a field spec to a list (the runtime's, with object definitions); a list it has at once
   * may be returned as it is.
   */
  readonly resolveFields: ResolveFields;
}

/**
 * Validates the input, runs the action and coerces its output. With `configFields` on the action, the
 * values of those fields (read from the input) reach the input and output field functions and the
 * object definitions they read, as `configFields`.
 *
 * @throws {FieldValidationError} when the input does not match the config and input fields; paths start
 *   with `input.` (`input.id: is required`).
 * @throws whatever `execute` throws (`RequestFailedError`, ...).
 */
export async function runAction(options: RunActionOptions): Promise<unknown> {
  const { name, action } = options;
  const path = `actions.${name}`;
  const given = withConfigFields(options.input, options.configFields);
  const { input, configFields } = await validateOperationInput(action, given, path, options.resolveFields);
  const output: unknown = await action.execute(extendContext(options.context, 'input', input));
  const resolved = options.resolveFields(action.outputFields, `${path}.outputFields`, configFields);
  const outputFields = resolved instanceof Promise ? await resolved : resolved;
  return outputFields === undefined ? output : coerceOutput(outputFields, output);
}

/** The input with config field values given apart merged under it. */
export function withConfigFields(input: unknown, configFields: ConfigFieldValues | undefined): unknown {
  if (configFields === undefined) return input;
  if (input === undefined || input === null) return { ...configFields };
  return typeof input === 'object' && !Array.isArray(input) ? { ...configFields, ...input } : input;
}

const NO_CONFIG: ConfigFieldValues = Object.freeze({});

/** The config fields and resolved input fields of an operation, as one list (cached per pair of lists). */
const combined = new WeakMap<Fields, WeakMap<Fields, Fields>>();

function combine(config: Fields, input: Fields | undefined): Fields {
  if (input === undefined || input.length === 0) return config;
  let byInput = combined.get(config);
  if (byInput === undefined) {
    byInput = new WeakMap();
    combined.set(config, byInput);
  }
  let list = byInput.get(input);
  if (list === undefined) {
    // A name in both lists is the config field's (Workato applies both lists; one value serves both).
    const names = new Set(config.map((field) => field.name));
    list = [...config, ...input.filter((field) => !names.has(field.name))];
    byInput.set(input, list);
  }
  return list;
}

/**
 * Validates an action's or trigger's input: first against its config fields (their values then resolve
 * the input fields), then against the config and input fields together. Without config fields, it is
 * the input fields alone. Returns the validated input and the config field values.
 *
 * @throws {FieldValidationError} with paths under `input.`.
 */
export async function validateOperationInput(
  operation: { readonly configFields?: Fields | undefined; readonly inputFields?: FieldsSpec | undefined },
  given: unknown,
  path: string,
  resolveFields: ResolveFields,
): Promise<{ input: Record<string, unknown>; configFields: ConfigFieldValues }> {
  const config = operation.configFields;
  if (config === undefined || config.length === 0) {
    // Field lists are usually at hand (a list, or a function that returns one at once): no wait for them.
    const resolved = resolveFields(operation.inputFields, `${path}.inputFields`);
    const inputFields = resolved instanceof Promise ? await resolved : resolved;
    return { input: validateInput(inputFields, given, `${path}.inputFields`), configFields: NO_CONFIG };
  }
  const configPath = `${path}.configFields`;
  const chosen = validateInput(config, given, configPath);
  const configFields: Record<string, unknown> = {};
  for (const field of config) {
    if (Object.hasOwn(chosen, field.name)) configFields[field.name] = chosen[field.name];
  }
  const resolved = resolveFields(operation.inputFields, `${path}.inputFields`, configFields);
  const inputFields = resolved instanceof Promise ? await resolved : resolved;
  const input = validateInput(combine(config, inputFields), given, `${path}.inputFields`);
  return { input, configFields };
}

/**
 * Validates an action or trigger input against its fields (none means any object), defaults applied.
 *
 * @throws {FieldValidationError} with paths under `input.`.
 */
export function validateInput(
  fields: Fields | undefined,
  input: unknown,
  fieldsPath: string,
): Record<string, unknown> {
  return validateFields(fields ?? [], input, { path: 'input', fieldsPath }) as Record<string, unknown>;
}
