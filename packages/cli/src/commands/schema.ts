/**
 * `sluice schema workflow [--output F]`: prints the JSON Schema (draft-07) of the workflow document, for
 * editors (completion, hover docs, checks) and other tools.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { workflowJsonSchema } from '@sluice/engine';
import { CliError } from '../errors.js';
import type { CommandIo } from './exec.js';

/** The options of `sluice schema workflow`, as commander hands them over. */
export interface SchemaOptions {
  /** Write the schema to this file (folders created) instead of stdout. */
  output?: string;
  /** Print stack traces with errors. */
  debug?: boolean;
}

/** The workflow schema as a file holds it: pretty JSON, two-space indent, trailing newline. */
export function workflowSchemaText(): string {
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}

/**
 * Prints the workflow JSON Schema on stdout, or writes it to `options.output`.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_WRITE` when the output file cannot be written.
 */
export function schemaWorkflowCommand(options: SchemaOptions, io: CommandIo): void {
  const text = workflowSchemaText();
  if (options.output === undefined) {
    io.stdout(text);
    return;
  }
  try {
    mkdirSync(dirname(options.output), { recursive: true });
    writeFileSync(options.output, text);
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot write --output file ${options.output}: ${(err as Error).message}`,
      { cause: err, hint: 'check that the folder exists and is writable' },
    );
  }
}
