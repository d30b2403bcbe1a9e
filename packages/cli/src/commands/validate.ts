/**
 * `sluice validate <file>`: checks a workflow document (YAML or JSON) and prints `<file>: valid (N steps)`,
 * or every problem, one per line, as `file:line: path: message` (`file:line:column:` for syntax errors);
 * past the first 100, a last line says how many more there were. With `--system-apis` (as `sluice serve`
 * takes it), a template naming another `SYSTEM_APIS` key is a problem too.
 *
 * Exit codes: 0 valid, 2 invalid (syntax or format), 1 the file cannot be read (or another error).
 *
 * @module
 */
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { type DebugOptions, debugOption } from '../options/debug.js';
import { systemApis, systemApisOption } from '../options/execution.js';
import { workflowProblemsText } from '../workflow-problems-text.js';

/** The options of `sluice validate`, as commander hands them over. */
export interface ValidateOptions extends DebugOptions {
  /** Print `{ file, valid, steps?, code?, problems, omitted? }` as JSON on stdout instead of text. */
  json?: boolean;
  /**
   * The `SYSTEM_APIS` the workflow will run with (inline JSON, or a JSON or YAML file): templates may
   * name only these keys and the service's own. @default not checked
   */
  systemApis?: string;
}

/** The exit code of a document that does not parse or breaks the format. */
export const INVALID_EXIT_CODE = 2;

const VALIDATE_HELP = `
Prints "<file>: valid (N steps)", or every problem on stderr, one per line, as
"<file>:<line>: <path>: <message>" (syntax errors add the column: "<file>:<line>:<column>:").

Templates are checked too: each step they name exists and runs before, each filter exists, and with
--system-apis each SYSTEM_APIS key is configured (sluice, credentials, workflows and runs, which the
service adds itself, always are).

Exit codes: 0 valid, 2 invalid (syntax or format), 1 the file cannot be read.

Examples:
  $ sluice validate workflows/sync.yaml
  $ sluice validate workflows/sync.yaml --system-apis '{"my_app": "http://127.0.0.1:4010"}'
  $ sluice validate workflows/sync.json --json`;

/** Registers `sluice validate` on `program`. */
export function registerValidate(program: Command, io: CommandIo): void {
  program
    .command('validate')
    .description('check a workflow file (YAML or JSON) and print every problem with its line')
    .argument('<file>', 'the workflow file (.yaml, .yml or .json)')
    .option('--json', 'print {"file", "valid", "problems": [{"path", "message", "line"}]} on stdout')
    .addOption(
      systemApisOption('the SYSTEM_APIS the workflow runs with: check that templates name only these keys'),
    )
    .addOption(debugOption())
    .addHelpText('after', VALIDATE_HELP)
    .action(async (file: string, options: ValidateOptions) => {
      io.setExitCode?.(await validateCommand(file, options, io));
    });
}

/**
 * Validates the workflow in `file`, prints the verdict and returns the exit code: 0 valid, 2 invalid.
 *
 * @throws {SluiceError} `SLUICE_WORKFLOW_FILE` when the file cannot be read, `SLUICE_CLI_OPTION` for a
 * `--system-apis` that is not an object of base URLs; the caller prints it (exit 1).
 */
export async function validateCommand(
  file: string,
  options: ValidateOptions,
  io: CommandIo,
): Promise<number> {
  // The engine loads on use, as every command's dependencies do: `sluice --help` does not pay for it.
  const engine = await import('@sluice/engine');
  const apis = options.systemApis === undefined ? undefined : await systemApis(options.systemApis);
  try {
    const workflow = await engine.loadWorkflowFile(file, { systemApis: apis });
    const steps = workflow.steps.length;
    if (options.json) io.stdout(`${JSON.stringify({ file, valid: true, steps, problems: [] }, null, 2)}\n`);
    else io.stdout(`${file}: valid (${steps} ${steps === 1 ? 'step' : 'steps'})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof engine.WorkflowParseError)) throw err;
    if (options.json) {
      const omitted = err.omitted > 0 ? { omitted: err.omitted } : {};
      const answer = { file, valid: false, code: err.code, problems: err.problems, ...omitted };
      io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
      return INVALID_EXIT_CODE;
    }
    const what = err.code === 'SLUICE_WORKFLOW_PARSE' ? 'does not parse' : 'is not a valid workflow';
    io.stderr(workflowProblemsText(err, file, what));
    return INVALID_EXIT_CODE;
  }
}
