/**
 * The `sluice` program: assembles the commands, each registered with its options by its own file in
 * `commands/` (shared flags are declared in `options/`), prints errors (`error CODE: message`, then
 * `hint: ...`) and decides the exit code. Command files load their heavy dependencies (the engine, the
 * server, the SDK runtime) when they run, so `--help` and `sluice new` start fast.
 *
 * @module
 */
import { Command, CommanderError } from 'commander';
import { cliVersion } from './cli-version.js';
import type { CommandIo } from './command-io.js';
import { registerConnections } from './commands/connections.js';
import { registerDev } from './commands/dev.js';
import { registerEdit } from './commands/edit.js';
import { registerExec } from './commands/exec.js';
import { registerGenerate } from './commands/generate.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerNewConnector } from './commands/new-connector.js';
import { registerNewService } from './commands/new-service.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerSchema } from './commands/schema.js';
import { registerServe } from './commands/serve.js';
import { registerServeConnector } from './commands/serve-connector.js';
import { registerStatus } from './commands/status.js';
import { registerTriggers } from './commands/triggers.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkflows } from './commands/workflows.js';
import { CliError } from './errors.js';
import { maskText } from './mask-text.js';
import { debugRequested } from './options/debug.js';
import { formatError } from './print-error.js';

/** Builds the `sluice` program; `io` receives stdout and stderr text. */
export function createProgram(io: CommandIo): Command {
  const program = new Command('sluice')
    .description('Sluice: run connectors, serve them, run workflows.')
    .version(cliVersion(), '-V, --version', 'print the version of sluice')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: () => {},
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ sluice exec connector.ts actions.get_customer --settings settings.json --input input.json
  $ sluice new connector ./acme-connector --name "Acme CRM"

Run "sluice <command> --help" for the options of a command.`,
    );
  registerExec(program, io);
  registerEdit(program, io);
  registerGenerate(program, io);
  const create = program.command('new').description('create a new project from a template');
  registerNewConnector(create, io);
  registerNewService(create, io);
  registerServeConnector(program, io);
  registerDev(program, io);
  registerValidate(program, io);
  registerRun(program, io);
  registerServe(program, io);
  registerWorker(program, io);
  registerStatus(program, io);
  registerKeys(program, io);
  registerSchema(program, io);
  registerLogin(program, io);
  registerWorkflows(program, io);
  registerRuns(program, io);
  registerConnections(program, io);
  registerTriggers(program, io);
  return program;
}

/**
 * Runs the program on `argv` and returns the exit code: 0 on success, 1 on any error, or the code a
 * command set (`sluice validate`: 2 for an invalid workflow).
 */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const debug = debugRequested(argv);
  const sources: (() => readonly string[])[] = [];
  // Errors can quote a URL or body that holds a secret: mask them as the logs are masked.
  const printError = (err: unknown): void => {
    const secrets = sources.flatMap((source) => source());
    io.stderr(maskText(formatError(err, { debug }), secrets));
  };
  let exitCode = 0;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  try {
    await createProgram({ ...io, addSecrets: (source) => sources.push(source), setExitCode }).parseAsync(
      [...argv],
      { from: 'user' },
    );
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help was printed (asked for, or because a command needs a sub-command): nothing more to say.
      if (err.exitCode === 0 || err.code === 'commander.help') return err.exitCode;
      const message = err.message.replace(/^error: /, '');
      const usage = new CliError('SLUICE_CLI_USAGE', message, {
        hint: 'run "sluice --help" or "sluice <command> --help"',
      });
      printError(usage);
      return 1;
    }
    printError(err);
    return exitCodeOf(err);
  }
}

/** The exit code an error asks for (the service commands' errors carry `exitCode` 2), else 1. */
function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' && code > 0 ? code : 1;
}
