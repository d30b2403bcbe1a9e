/**
 * The one parser of integer flag values (`--port`, `--concurrency`, `--template-fuel`, ...).
 *
 * @module
 */
import { CliError } from '../errors.js';

/**
 * `value` as an integer from 0 to `max`, or `undefined` when the flag was not given.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` naming `option` and the accepted range.
 */
export function integer(value: string | undefined, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new CliError('SLUICE_CLI_OPTION', `${option} ${value} is not an integer from 0 to ${max}`, {
      hint:
        option === '--port'
          ? 'give a port from 0 to 65535 (0 picks a free port)'
          : `give a number for ${option}`,
    });
  }
  return Number(value);
}
