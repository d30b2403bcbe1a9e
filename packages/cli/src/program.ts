/**
 * The `sluice` program: each sub-command lives in `commands/<command>.ts`; this file wires them into
 * commander, prints errors (`error CODE: message`, then `hint: ...`) and decides the exit code.
 *
 * @module
 */
import { Command, CommanderError } from 'commander';
import type { ExecOptions } from './commands/exec.js';
import type { NewConnectorOptions } from './commands/new-connector.js';
import { CliError } from './errors.js';
import { maskText } from './mask-text.js';
import { formatError } from './print-error.js';

const EXEC_HELP = `
Paths:
  test                              run the connection test
  actions.<name>                    validate --input, run the action, coerce its output
  actions.<name>.inputFields        the action's input fields (likewise .outputFields)
  actions.<name>.sampleOutput       the action's sample output
  triggers.<name>                   one poll cycle: prints {"events": [...], "closure": <state>};
                                    pass that state back with --closure to continue where it stopped
  triggers.<name>.poll              exactly one call of the trigger's poll with --closure as its closure;
                                    prints what poll returned
  triggers.<name>.inputFields       the trigger's input fields (likewise .outputFields, .sampleOutput)
  pickLists.<name>                  a pick list; --args is an object of named arguments
  methods.<name>                    a method; --args is an array of arguments

Examples:
  $ sluice exec connector.ts test --settings settings.json
  $ sluice exec connector.ts actions.get_customer --settings settings.yaml --input input.json
  $ sluice exec connector.ts actions.get_customer.inputFields
  $ sluice exec connector.ts triggers.new_customer --settings settings.json --output cycle1.json
  $ jq .closure cycle1.json > closure.json
  $ sluice exec connector.ts triggers.new_customer --settings settings.json --closure closure.json
  $ sluice exec connector.ts triggers.new_customer.poll --settings settings.json --closure since.json
  $ sluice exec connector.ts methods.format_name --args '["Ann", "Lee"]'
  $ sluice exec connector.ts pickLists.countries --settings settings.json --args '{"region": "EU"}'
  $ sluice exec connector.ts actions.get_customer --settings settings.json --input input.json \\
      --record test/cassettes/get-customer.cassette.json
  $ sluice exec connector.ts actions.get_customer --settings settings.json --input input.json \\
      --replay test/cassettes/get-customer.cassette.json

The result is printed on stdout as JSON. On failure sluice prints "error CODE: message" (and
"hint: ..." below it) on stderr and exits with 1; --debug adds the stack trace.`;

const NEW_CONNECTOR_HELP = `
Creates connector.ts (a connection, a test, one action, one trigger), connector.test.ts (a vitest test
against a tiny local API), settings.example.json, README.md, package.json, vitest.config.ts and
.gitignore.
The folder must not exist or must be empty.

Examples:
  $ sluice new connector ./acme-connector
  $ sluice new connector ./acme --name "Acme CRM"`;

/** Where the program writes. */
export interface ProgramIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Registers values to mask wherever the program prints them (errors included). */
  addSecrets?(source: () => readonly string[]): void;
}

/** Builds the `sluice` program; `io` receives stdout and stderr text. */
export function createProgram(io: ProgramIo): Command {
  const program = new Command('sluice')
    .description('Sluice: run connectors, serve them, run workflows.')
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

  program
    .command('exec')
    .description(
      'run one part of a connector (test, action, trigger, fields, pick list, method) and print JSON',
    )
    .argument('<connector>', 'the connector file (.ts, .mts, .js, .mjs) that default-exports the connector')
    .argument(
      '<path>',
      'what to run, e.g. test, actions.get_customer, triggers.new_customer.poll (see below)',
    )
    .option('--settings <json|file>', 'connection values: inline JSON, or a JSON or YAML file')
    .option('--input <json|file>', 'input of an action or trigger: inline JSON, or a JSON or YAML file')
    .option(
      '--closure <json|file>',
      'the output (or its closure) of an earlier triggers.<name> run; the raw closure for .poll',
    )
    .option(
      '--args <json|file>',
      'arguments as inline JSON or a file: an array for methods, an object for pickLists',
    )
    .option('--output <file>', 'write the result JSON to this file instead of stdout')
    .option('--verbose', 'log each HTTP request and response on stderr, secrets masked')
    .option('--debug', 'print stack traces with errors')
    .option('--record <file>', 'record every HTTP exchange into this cassette file (secrets masked)')
    .option('--replay <file>', 'answer HTTP requests from this cassette file instead of the network')
    .addHelpText('after', EXEC_HELP)
    .action(async (connector: string, path: string, options: ExecOptions) => {
      // Commands load on use, so `--help` and `new` do not pay for loading the SDK runtime.
      const { execCommand } = await import('./commands/exec.js');
      await execCommand(connector, path, options, io);
    });

  const create = program.command('new').description('create a new project from a template');
  create
    .command('connector')
    .description('scaffold a connector with a test, settings example and README')
    .argument('<dir>', 'the folder to create (must not exist, or be empty)')
    .option('--name <title>', 'the connector title (default: from the folder name)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', NEW_CONNECTOR_HELP)
    .action(async (dir: string, options: NewConnectorOptions) => {
      const { newConnectorCommand } = await import('./commands/new-connector.js');
      await newConnectorCommand(dir, options, io);
    });

  return program;
}

/** Runs the program on `argv` and returns the exit code: 0 on success, 1 on any error. */
export async function run(argv: readonly string[], io: ProgramIo): Promise<number> {
  const debug = argv.includes('--debug');
  const sources: (() => readonly string[])[] = [];
  // Errors can quote a URL or body that holds a secret: mask them as the logs are masked.
  const printError = (err: unknown): void => {
    const secrets = sources.flatMap((source) => source());
    io.stderr(maskText(formatError(err, { debug }), secrets));
  };
  try {
    await createProgram({ ...io, addSecrets: (source) => sources.push(source) }).parseAsync([...argv], {
      from: 'user',
    });
    return 0;
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
    return 1;
  }
}
