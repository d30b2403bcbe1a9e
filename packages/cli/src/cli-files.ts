/**
 * Files a command reads or writes for its user, with errors that name the option and the file: a
 * result written to stdout or to `--output`, and a file that cannot be read. Light on purpose (no YAML,
 * no engine): commands import it before their heavy parts.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandIo } from './command-io.js';
import { CliError } from './errors.js';

/**
 * Writes `text` to stdout, or to the `--output` file `output` (its folders created).
 *
 * @throws {CliError} `SLUICE_CLI_FILE_WRITE` when the file cannot be written.
 */
export function writeOutput(text: string, output: string | undefined, io: CommandIo): void {
  if (output === undefined) {
    io.stdout(text);
    return;
  }
  try {
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, text);
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot write --output file ${output}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that the folder exists and is writable',
      },
    );
  }
}

/** `SLUICE_CLI_FILE_READ` for `file` of `option`, saying why it could not be read. */
export function unreadable(file: string, option: string, err: unknown): CliError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'not found'
      : code === 'EISDIR'
        ? 'it is a folder'
        : err instanceof Error
          ? err.message
          : String(err);
  return new CliError('SLUICE_CLI_FILE_READ', `cannot read ${option} file ${file}: ${reason}`, {
    cause: err,
    hint: `check the path (relative paths start at ${process.cwd()})`,
  });
}
