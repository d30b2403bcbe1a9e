/**
 * `--debug`, which every command takes: errors print their stack trace (and each `cause`'s) below the
 * `error CODE: message` and `hint:` lines.
 *
 * @module
 */
import { Option } from 'commander';

/** The `--debug` flag as commander hands it over. */
export interface DebugOptions {
  /** Print stack traces with errors. */
  debug?: boolean;
}

/** `--debug`. */
export function debugOption(): Option {
  return new Option('--debug', 'print stack traces with errors');
}

/**
 * Whether `argv` holds `--debug`. Read from the raw arguments, not from the parsed options, so that
 * errors of the command line itself (an unknown option) honour it too.
 */
export function debugRequested(argv: readonly string[]): boolean {
  return argv.includes('--debug');
}
