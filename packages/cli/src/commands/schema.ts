import type { Command } from 'commander';
import { writeOutput } from '../cli-files.js';
import type { CommandIo } from '../command-io.js';
import { type DebugOptions, debugOption } from '../options/debug.js';

/** The options of `sluice schema workflow`, as commander hands them over. */
export interface SchemaOptions extends DebugOptions {
  /** Write the schema to this file (folders created) instead of stdout. */
  output?: string;
}

const SCHEMA_HELP = `
Point an editor at the schema for completion, hover docs and checks, e.g. with the VS Code YAML
extension, as the first line of a workflow file:
  # yaml-language-server: $schema=./workflow.schema.json

Examples:
  $ sluice schema workflow > workflow.schema.json
  $ sluice schema workflow --output .vscode/workflow.schema.json`;

/** Registers `sluice schema workflow` on `program`. */
export function registerSchema(program: Command, io: CommandIo): void {
  const schema = program.command('schema').description('print the JSON Schema of a Sluice file format');
  schema
    .command('workflow')
    .description('print the JSON Schema (draft-07) of the workflow document, for editors')
    .option('--output <file>', 'write the schema to this file instead of stdout')
    .addOption(debugOption())
    .addHelpText('after', SCHEMA_HELP)
    .action((options: SchemaOptions) => schemaWorkflowCommand(options, io));
}

/** The workflow schema as a file holds it: pretty JSON, two-space indent, trailing newline. */
export async function workflowSchemaText(): Promise<string> {
  // The engine loads on use, as every command's dependencies do: `sluice --help` does not pay for it.
  const { workflowJsonSchema } = await import('@sluice/engine');
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}

/**
 * Prints the workflow JSON Schema on stdout, or writes it to `options.output`.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_WRITE` when the output file cannot be written.
 */
export async function schemaWorkflowCommand(options: SchemaOptions, io: CommandIo): Promise<void> {
  const text = await workflowSchemaText();
  writeOutput(text, options.output, io);
}
