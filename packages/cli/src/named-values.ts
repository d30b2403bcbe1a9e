/**
 * Checks of the values a user gives in files and options (settings, input, arguments): plain objects,
 * and what a value is, for messages. Light on purpose: commands import it before their heavy parts.
 *
 * @module
 */
import { CliError } from './errors.js';

/** Whether `value` is a plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `null`, `an array`, `an object`, `a string`, ...: what a value is, for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * `value` when it is an object of named values (`where` names it in the error); with `emptyIsNone`, an
 * empty file (`null`) is no values.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_PARSE` for anything else.
 */
export function expectObject(
  value: unknown,
  where: string,
  options: { emptyIsNone?: boolean } = {},
): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  if (options.emptyIsNone === true && (value === null || value === undefined)) return {};
  throw new CliError(
    'SLUICE_CLI_FILE_PARSE',
    `${where} must hold an object of named values, got ${kindOf(value)}`,
    {
      hint: 'write a JSON object ({"name": "value"}) or a YAML mapping (name: value)',
    },
  );
}
