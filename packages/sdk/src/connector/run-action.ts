/**
 * Running one action: validate the input against the input fields, call `execute`, coerce the output
 * by the output fields. The runtime supplies the context and resolves field specs.
 *
 * @module
 */
import { coerceOutput } from '../fields/coerce.js';
import { validateFields } from '../fields/validate.js';
import type { ActionDefinition, ApiContext, Fields, FieldsSpec } from './define-connector.js';

/** What {@link runAction} needs. */
export interface RunActionOptions {
  /** The action's name, for paths in errors. */
  readonly name: string;
  readonly action: ActionDefinition;
  /** The input as given; `undefined` counts as `{}`. */
  readonly input: unknown;
  /** The connection, `http` and `call` handed to `execute`. */
  readonly context: ApiContext;
  /** Resolves a field spec to a list (the runtime's, with object definitions). */
  readonly resolveFields: (spec: FieldsSpec | undefined, path: string) => Promise<Fields | undefined>;
}

/**
 * Validates the input, runs the action and coerces its output.
 *
 * @throws {FieldValidationError} when the input does not match the input fields; paths start with
 *   `input.` (`input.id: is required`).
 * @throws whatever `execute` throws (`RequestFailedError`, ...).
 */
export async function runAction(options: RunActionOptions): Promise<unknown> {
  const path = `actions.${options.name}`;
  const input = validateInput(
    await options.resolveFields(options.action.inputFields, `${path}.inputFields`),
    options.input,
    `${path}.inputFields`,
  );
  const base = options.context;
  const output: unknown = await options.action.execute({
    get connection() {
      return base.connection;
    },
    http: base.http,
    call: base.call,
    input,
  });
  const outputFields = await options.resolveFields(options.action.outputFields, `${path}.outputFields`);
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
