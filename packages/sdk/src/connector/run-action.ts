/**
 * Running one action: validate the input against the input fields, call `execute`, coerce the output
 * by the output fields. The runtime supplies the context and resolves field specs.
 *
 * @module
 */
import { coerceOutput } from '../fields/coerce.js';
import { validateFields } from '../fields/validate.js';
import type { ActionDefinition, ApiContext, Fields, FieldsSpec } from './define-connector.js';
import { extendContext } from './extend-context.js';

/** What {@link runAction} needs. */
export interface RunActionOptions {
  /** The action's name, for paths in errors. */
  readonly name: string;
  readonly action: ActionDefinition;
  /** The input as given; `undefined` counts as `{}`. */
  readonly input: unknown;
  /** The connection, `http` and `call` handed to `execute`. */
  readonly context: ApiContext;
  /**
   * Resolves a field spec to a list (the runtime's, with object definitions); a list it has at once
   * may be returned as it is.
   */
  readonly resolveFields: (
    spec: FieldsSpec | undefined,
    path: string,
  ) => Fields | undefined | Promise<Fields | undefined>;
}

/**
 * Validates the input, runs the action and coerces its output.
 *
 * @throws {FieldValidationError} when the input does not match the input fields; paths start with
 *   `input.` (`input.id: is required`).
 * @throws whatever `execute` throws (`RequestFailedError`, ...).
 */
export async function runAction(options: RunActionOptions): Promise<unknown> {
  const { name, action } = options;
  // Field lists are usually at hand (a list, or a function that returns one at once): no wait for them.
  const given = options.resolveFields(action.inputFields, `actions.${name}.inputFields`);
  const inputFields = given instanceof Promise ? await given : given;
  const input = validateInput(inputFields, options.input, `actions.${name}.inputFields`);
  const output: unknown = await action.execute(extendContext(options.context, 'input', input));
  const resolved = options.resolveFields(action.outputFields, `actions.${name}.outputFields`);
  const outputFields = resolved instanceof Promise ? await resolved : resolved;
  return outputFields === undefined ? output : coerceOutput(outputFields, output);
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
