/**
 * Errors of the `sluice` command line. Each failure a user can cause on the command line has a stable
 * `SLUICE_CLI_*` code; errors raised by the SDK keep their own codes.
 *
 * @module
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/sdk';

/** The codes the CLI raises, each with what it means. Retired codes are never reused. */
export const CLI_ERROR_CODES = {
  SLUICE_CLI_USAGE: 'the command line does not parse (unknown option, missing argument)',
  SLUICE_CLI_OPTION: 'an option does not apply to the command or path, or clashes with another',
  SLUICE_CLI_FILE_READ: 'a file named by an option cannot be read (missing, a folder, no permission)',
  SLUICE_CLI_FILE_PARSE:
    'a JSON or YAML file named by an option does not parse, or holds the wrong kind of value',
  SLUICE_CLI_FILE_WRITE: 'an output file cannot be written',
  SLUICE_CLI_ARGS: '`--args` is not JSON, or not the shape the path takes (array or object)',
  SLUICE_CLI_DIR_NOT_EMPTY:
    '`sluice new connector` or `sluice new service` was pointed at a folder that is not empty',
  SLUICE_CLI_SETTINGS_KEY:
    'the key of an encrypted settings file is missing, malformed, or does not decrypt it',
  SLUICE_CLI_EDITOR: '`sluice edit` found no editor ($VISUAL, $EDITOR), or the editor failed',
  SLUICE_CLI_SERVER:
    'the Sluice service cannot be reached at its URL (--server, SLUICE_SERVER, the profile), or did not answer as the API',
  SLUICE_CLI_LOGIN:
    'no API key for the service (--key, SLUICE_KEY, "sluice login"), or the profile file is malformed',
  SLUICE_CLI_LISTEN:
    '`sluice serve` or `sluice worker` cannot listen on its host and port (in use, no permission, no such address)',
} as const;

/** A stable error code of the CLI. */
export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/** An error the CLI raises itself: a bad option, file or folder named on the command line. */
export class CliError extends SluiceError {
  declare readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(code, message, options);
  }
}
