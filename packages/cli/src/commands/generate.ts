/**
 * `sluice generate schema --json sample.json` (or `--csv sample.csv --col-sep semicolon`): prints the field
 * notation of a sample, the field list `defineConnector` takes, as JSON. Worked out locally
 * (`packages/cli/src/schema-from-sample.ts`); Workato's `workato generate schema` asks its API.
 *
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { unreadable, writeOutput } from '../cli-files.js';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { type DebugOptions, debugOption } from '../options/debug.js';

/** The options of `sluice generate schema`, as commander hands them over. */
export interface GenerateSchemaOptions extends DebugOptions {
  /** A JSON sample file. */
  json?: string;
  /** A CSV sample file (its header row names the fields). */
  csv?: string;
  /** The CSV separator by name. @default 'comma' */
  colSep?: string;
  /** Write the fields to this file instead of stdout. */
  output?: string;
}

/** The `--col-sep` names (Workato's) and their characters. */
export const CSV_SEPARATORS = {
  comma: ',',
  space: ' ',
  tab: '\t',
  colon: ':',
  semicolon: ';',
  pipe: '|',
} as const;

/** Samples larger than this are refused. */
const MAX_SAMPLE_BYTES = 64 * 1024 * 1024;

const GENERATE_SCHEMA_HELP = `
Types: whole numbers are integer, other numbers number; "2026-12-07" is date, "2026-12-07T10:00:00Z"
(with Z or an offset) date_time; objects give properties, arrays of objects of: 'object' with the
properties of every item merged. null, empty arrays and mixed types give string, with a note on stderr.
A CSV sample gives one string field per column of its header row.

Examples:
  $ sluice generate schema --json sample.json
  $ sluice generate schema --json response.json --output src/customer-fields.json
  $ sluice generate schema --csv export.csv --col-sep semicolon`;

/** Registers `sluice generate schema` on `program`. */
export function registerGenerate(program: Command, io: CommandIo): void {
  const generate = program.command('generate').description('generate connector code from samples');
  generate
    .command('schema')
    .description('print the field notation (inputFields/outputFields) of a JSON or CSV sample')
    .option('--json <file>', 'a JSON sample: an object, or an array of objects')
    .option('--csv <file>', 'a CSV sample: its header row names the fields')
    .option(
      '--col-sep <name>',
      `the CSV separator: ${Object.keys(CSV_SEPARATORS).join(', ')} (default: comma)`,
    )
    .option('--output <file>', 'write the fields to this file instead of stdout')
    .addOption(debugOption())
    .addHelpText('after', GENERATE_SCHEMA_HELP)
    .action((options: GenerateSchemaOptions) => generateSchemaCommand(options, io));
}

/**
 * Prints (or writes to `--output`) the fields of the sample as pretty JSON; notes go to stderr.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` without exactly one of `--json`/`--csv`, or for an unknown
 * `--col-sep`; `SLUICE_CLI_FILE_READ` / `SLUICE_CLI_FILE_PARSE` for a sample that cannot be read, does
 * not parse, or gives no fields; `SLUICE_CLI_FILE_WRITE` when `--output` cannot be written.
 */
export async function generateSchemaCommand(options: GenerateSchemaOptions, io: CommandIo): Promise<void> {
  if ((options.json === undefined) === (options.csv === undefined)) {
    throw new CliError('SLUICE_CLI_OPTION', 'give one sample: --json <file> or --csv <file>', {
      hint: 'e.g. sluice generate schema --json sample.json',
    });
  }
  if (options.colSep !== undefined && options.csv === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', '--col-sep goes with --csv', {
      hint: 'leave --col-sep out for --json',
    });
  }
  const separator = separatorOf(options.colSep ?? 'comma');
  const { schemaFromCsv, schemaFromSample, SampleError } = await import('../schema-from-sample.js');
  const option = options.json === undefined ? '--csv' : '--json';
  const file = (options.json ?? options.csv) as string;
  const text = readSample(file, option);
  let schema: ReturnType<typeof schemaFromSample>;
  try {
    if (options.json === undefined) {
      schema = schemaFromCsv(text, separator);
    } else {
      const { parseDataText } = await import('../load-data-file.js');
      schema = schemaFromSample(parseDataText(text, 'json', { option, file }));
    }
  } catch (err) {
    if (!(err instanceof SampleError)) throw err;
    throw new CliError('SLUICE_CLI_FILE_PARSE', `${option} file ${file}: ${err.message}`, {
      cause: err,
      hint:
        option === '--json'
          ? 'give a sample record: a JSON object, or an array of them'
          : 'the first line of the CSV file names the columns',
    });
  }
  for (const note of schema.notes) io.stderr(`note: ${note}\n`);
  const out = `${JSON.stringify(schema.fields, null, 2)}\n`;
  writeOutput(out, options.output, io);
}

function separatorOf(name: string): string {
  if (Object.hasOwn(CSV_SEPARATORS, name)) return CSV_SEPARATORS[name as keyof typeof CSV_SEPARATORS];
  throw new CliError('SLUICE_CLI_OPTION', `--col-sep ${name} is not a separator name`, {
    hint: `use one of: ${Object.keys(CSV_SEPARATORS).join(', ')}`,
  });
}

function readSample(file: string, option: string): string {
  try {
    const size = statSync(file).size;
    if (size > MAX_SAMPLE_BYTES) {
      throw new CliError(
        'SLUICE_CLI_FILE_READ',
        `${option} file ${file} is ${size} bytes, more than the ${MAX_SAMPLE_BYTES} a sample may have`,
        { hint: 'cut the sample down to a few records' },
      );
    }
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw unreadable(file, option, err);
  }
}
