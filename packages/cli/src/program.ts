/**
 * The `sluice` program: each sub-command lives in `commands/<command>.ts`; this file wires them into
 * commander, prints errors (`error CODE: message`, then `hint: ...`) and decides the exit code.
 *
 * @module
 */
import { Command, CommanderError, Option } from 'commander';
import type { DevOptions } from './commands/dev.js';
import type { ExecOptions } from './commands/exec.js';
import type { KeysCreateOptions, KeysListOptions, KeysRevokeOptions } from './commands/keys.js';
import type { NewConnectorOptions } from './commands/new-connector.js';
import type { NewServiceOptions } from './commands/new-service.js';
import type { RunOptions } from './commands/run.js';
import type { SchemaOptions } from './commands/schema.js';
import type { ServeOptions } from './commands/serve.js';
import type { ServeConnectorOptions } from './commands/serve-connector.js';
import type { StatusOptions } from './commands/status.js';
import type { ValidateOptions } from './commands/validate.js';
import type { WorkerOptions } from './commands/worker.js';
import { CliError } from './errors.js';
import { maskText } from './mask-text.js';
import { formatError } from './print-error.js';

/** The template limit flags of `serve` and `worker` (docs/service.md, "Limits and isolation"). */
function withTemplateOptions(command: Command): Command {
  return command
    .option(
      '--template-deadline-ms <ms>',
      'wall-clock limit of one template compile or render (default 1000)',
    )
    .option('--template-memory-mb <mb>', 'memory cap of each template worker (default 128)')
    .option('--template-max-output <chars>', 'the largest result of one template (default 16777216)')
    .option('--template-fuel <n>', 'template instructions one render may execute (default 1000000)')
    .option('--template-workers <n>', 'template worker threads (default 2)');
}

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

const NEW_SERVICE_HELP = `
Creates main.ts, app_config.yaml, routes/hello/v1/route.ts with its schema.json, test/hello.test.ts,
a Dockerfile that type-checks, tests and runs the service, package.json, tsconfig.json,
vitest.config.ts, README.md, .gitignore and .dockerignore. The folder must not exist or must be empty.

Examples:
  $ sluice new service ./acme-service
  $ sluice new service ./acme --name "Acme CRM"`;

const STATUS_HELP = `
A node is dead when it missed three heartbeats (it was killed, or cannot reach the database); its row
is pruned after an hour. Run leases of a dead node expire by themselves and other workers take the runs.

Examples:
  $ sluice status --database postgres://sluice@db:5432/sluice --redis redis://redis:6379
  $ sluice status --database postgres://sluice@db:5432/sluice --database-schema sluice --json`;

const SERVE_CONNECTOR_HELP = `
Each action is served at POST /<action>/v1/execute (body {"data": input, "credentials":
{"connection_data": {"value": connection}}}), each trigger at POST /<trigger>/v1/poll (send the
"closure" of the previous answer back), and the connection test at POST /test. Also GET /health,
/routes, /app-config, /openapi.json and /docs. Stops on Ctrl-C.

Examples:
  $ sluice serve-connector examples/my-app/src/connector.ts --port 8080
  $ curl -s localhost:8080/get_customer_by_id/v1/execute -H 'content-type: application/json' \\
      -d '{"data": {"id": 1}, "credentials": {"connection_data": {"value": {"api_token": "..."}}}}'`;

const DEV_HELP = `
Runs main.ts with tsx (ENVIRONMENT=dev unless set), prints the routes it mounted and the route files
it skipped (with the reason), the address and each request, and restarts it when a file in the folder
changes (node_modules, .git and dist excepted). Stops on Ctrl-C.

Example:
  $ cd acme-service && sluice dev`;

const VALIDATE_HELP = `
Prints "<file>: valid (N steps)", or every problem on stderr, one per line, as
"<file>:<line>: <path>: <message>" (syntax errors add the column: "<file>:<line>:<column>:").

Exit codes: 0 valid, 2 invalid (syntax or format), 1 the file cannot be read.

Examples:
  $ sluice validate workflows/sync.yaml
  $ sluice validate workflows/sync.json --json`;

const SCHEMA_HELP = `
Point an editor at the schema for completion, hover docs and checks, e.g. with the VS Code YAML
extension, as the first line of a workflow file:
  # yaml-language-server: $schema=./workflow.schema.json

Examples:
  $ sluice schema workflow > workflow.schema.json
  $ sluice schema workflow --output .vscode/workflow.schema.json`;

const RUN_HELP = `
Runs a workflow locally and records it in a SQLite database: a throwaway one in memory, or the --db
file. SYSTEM_APIS and USER come from sluice.yaml in the working directory (keys system_apis, user,
secret_names), overridden key by key by --system-apis and --user. Steps show as they progress (a
spinner on a terminal, one line per step otherwise); --json prints only the run record on stdout.

Exit codes: 0 the run succeeded, 1 it failed (the error names the step, its last status and the
start of the body), 2 the workflow is invalid (every problem is printed; nothing runs).

Examples:
  $ sluice run examples/workflows/list-and-notify.yaml --input '{"limit": 10}'
  $ sluice run flow.yaml --input input.json --json > run.json
  $ sluice run flow.yaml --db runs.db --system-apis '{"my_app": "http://127.0.0.1:4010"}'
  $ sluice run flow.yaml --user user.yaml --verbose`;

const SERVE_HELP = `
Serves the publishing API (/v1/workflows) and the runs API (/v1/runs) with API keys, OpenAPI at
/openapi.json and docs at /docs. Runs execute in this process; runs left unfinished by a crash or a
stop resume on the next start. Stops on Ctrl-C or SIGTERM. See docs/service.md.

Examples:
  $ sluice keys create --workspace acme --email ann@acme.test --role admin
  $ sluice serve --port 8080
  $ sluice serve --connectors connectors    # connectors/my-app.ts is the connector my-app
  $ sluice serve --database postgres://postgres@127.0.0.1:5432/sluice`;

const WORKER_HELP = `
Executes runs from the Redis queue the API node (sluice serve --redis) pushes them to, on the same
PostgreSQL store; serves no API. A job is "continue run X": the worker claims the run in the database
(a lease) before it executes it, so a lost or duplicated job is harmless. It also runs the trigger loop:
a lease in the database lets one process at a time run schedules and polls. It needs the secret key of
the API node: SLUICE_SECRET_KEY, or the --data-dir holding its secret.key. See docs/scaling.md.

Examples:
  $ export SLUICE_SECRET_KEY=...    # the API node's key
  $ sluice worker --database postgres://sluice@db:5432/sluice --redis redis://redis:6379 --concurrency 32
  $ sluice worker --database postgres://sluice@db:5432/sluice --redis redis://redis:6379 \\
      --connectors connectors --metrics-port 9464 --metrics-token "$METRICS_TOKEN"`;

const KEYS_HELP = `
Prints the key alone on stdout (shown once: only its SHA-256 is stored) and what it is for on stderr.

Example:
  $ KEY=$(sluice keys create --workspace acme --email ann@acme.test --role admin)
  $ curl -s localhost:8080/v1/workflows -H "authorization: Bearer $KEY"`;

const KEYS_LIST_HELP = `
The key itself is never shown again (only its SHA-256 is stored), nor its hash. A revoked key stays
listed, with the time it was revoked; requests with it answer 401 SLUICE_API_UNAUTHORIZED.

Examples:
  $ sluice keys list --workspace acme
  $ sluice keys list --json
  $ sluice keys revoke key_3f9a1c0d5e7b2a64`;

/** Where the program writes. */
export interface ProgramIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Registers values to mask wherever the program prints them (errors included). */
  addSecrets?(source: () => readonly string[]): void;
  /** Sets the exit code of a command that finished without throwing (e.g. 2: the workflow is invalid). */
  setExitCode?(code: number): void;
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

  create
    .command('service')
    .description(
      'scaffold a connector service: main.ts, app_config.yaml, a route, its schema, a test, a Dockerfile',
    )
    .argument('<dir>', 'the folder to create (must not exist, or be empty)')
    .option('--name <name>', 'the service name, app_name (default: from the folder name)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', NEW_SERVICE_HELP)
    .action(async (dir: string, options: NewServiceOptions) => {
      const { newServiceCommand } = await import('./commands/new-service.js');
      await newServiceCommand(dir, options, io);
    });

  program
    .command('serve-connector')
    .description('serve a connector over HTTP: /<action>/v1/execute, /<trigger>/v1/poll, /test, docs')
    .argument('<connector>', 'the connector file (.ts, .mts, .js, .mjs) that default-exports the connector')
    .option(
      '--port <port>',
      'the port (default: app_config.yaml, SLUICE_PORT, else 2005; 0 picks a free one)',
    )
    .option('--host <host>', 'the host (default: app_config.yaml, SLUICE_HOST, else 127.0.0.1)')
    .option('--config <file>', 'an app_config.yaml (default: ./app_config.yaml when it exists)')
    .option('--log-level <level>', 'log requests as pino JSON lines: info, debug, ... (default: silent)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', SERVE_CONNECTOR_HELP)
    .action(async (connector: string, options: ServeConnectorOptions) => {
      const { serveConnectorCommand } = await import('./commands/serve-connector.js');
      await serveConnectorCommand(connector, options, io);
    });

  program
    .command('dev')
    .description('run the connector service in this folder, restarting it when a file changes')
    .option('--entry <file>', 'the entry file (default: main.ts)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', DEV_HELP)
    .action(async (options: DevOptions) => {
      const { devCommand } = await import('./commands/dev.js');
      await devCommand(options, io);
    });

  program
    .command('validate')
    .description('check a workflow file (YAML or JSON) and print every problem with its line')
    .argument('<file>', 'the workflow file (.yaml, .yml or .json)')
    .option('--json', 'print {"file", "valid", "problems": [{"path", "message", "line"}]} on stdout')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', VALIDATE_HELP)
    .action(async (file: string, options: ValidateOptions) => {
      const { validateCommand } = await import('./commands/validate.js');
      io.setExitCode?.(await validateCommand(file, options, io));
    });

  program
    .command('run')
    .description('run a workflow locally, show its steps, and record every attempt')
    .argument('<workflow>', 'the workflow file (.yaml, .yml or .json)')
    .option('--input <json|file>', 'INPUT of the run: inline JSON, or a JSON or YAML file')
    .option('--json', 'print the run record as JSON on stdout (succeeded or failed), and nothing else')
    .option('--db <file>', 'record the run in this SQLite file (default: a throwaway in-memory database)')
    .option('--system-apis <json|file>', 'SYSTEM_APIS keys (override sluice.yaml system_apis)')
    .option('--user <json|file>', 'USER keys (override sluice.yaml user)')
    .option('--verbose', 'log each step item and retry on stderr, secrets redacted')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', RUN_HELP)
    .action(async (workflow: string, options: RunOptions) => {
      const { runCommand } = await import('./commands/run.js');
      io.setExitCode?.(await runCommand(workflow, options, io));
    });

  withTemplateOptions(
    program
      .command('serve')
      .description('serve the engine: publish workflows and run them over an API with keys'),
  )
    .option('--port <port>', 'the port (0 picks a free one)', '8080')
    .option('--host <host>', 'the host', '127.0.0.1')
    .option('--data-dir <dir>', 'the data folder; the store is <dir>/sluice.db', '.sluice')
    .option('--database <url>', 'a PostgreSQL URL (postgres://...) instead of the SQLite file')
    .option('--system-apis <json|file>', 'more SYSTEM_APIS entries (sluice, the API itself, is added)')
    .option('--body-limit <bytes>', 'the largest request body (default 1048576)')
    .option('--json-depth-limit <levels>', 'how deep a JSON body may nest arrays and objects (default 1000)')
    .option('--grace <seconds>', 'how long closing lets executing runs finish (default 10)')
    .option('--concurrency <runs>', 'runs executing at once in this process (default 16)')
    .option(
      '--deny-private-networks',
      'refuse step calls to addresses that are not globally reachable (loopback, private, link-local, ...)',
    )
    .option('--metrics-token <token>', 'serve GET /metrics to this bearer token (or SLUICE_METRICS_TOKEN)')
    .option('--database-schema <schema>', 'the PostgreSQL schema of the tables (default public)')
    .option('--redis <url>', 'queue runs in Redis (BullMQ) for sluice worker processes; needs --database')
    .option('--redis-prefix <prefix>', 'the Redis key prefix of the queue (default sluice)')
    .option('--no-worker', 'with --redis: an API node only; runs execute on sluice worker processes')
    .option('--no-console', 'do not serve the web console at /')
    .option(
      '--connectors <dir>',
      'register every connector file in the folder (repeatable, or dir1,dir2)',
      (dir: string, dirs: string[] = []) => [...dirs, dir],
    )
    // Lease tuning, for tests and unusual set-ups (docs/service.md "Durability"); not in --help.
    .addOption(new Option('--lease-ms <ms>', 'a run lease without a heartbeat (default 30000)').hideHelp())
    .addOption(new Option('--heartbeat-ms <ms>', 'how often leases are renewed (default 10000)').hideHelp())
    .addOption(
      new Option('--sweep-ms <ms>', 'how often the store is swept for runs (default lease/2)').hideHelp(),
    )
    .option('--log-level <level>', 'log requests as pino JSON lines: info, debug, ... (default: silent)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', SERVE_HELP)
    .action(async (options: ServeOptions) => {
      const { serveCommand } = await import('./commands/serve.js');
      await serveCommand(options, io);
    });

  withTemplateOptions(
    program
      .command('worker')
      .description('execute runs from the Redis queue of sluice serve --redis (no API)'),
  )
    .option('--database <url>', 'the PostgreSQL URL of the deployment (required)')
    .option('--database-schema <schema>', 'the PostgreSQL schema of the tables (default public)')
    .option('--redis <url>', 'the Redis URL of the queue (required)')
    .option('--redis-prefix <prefix>', 'the Redis key prefix of the queue (default sluice)')
    .option('--concurrency <runs>', 'runs executing at once in this process (default 16)')
    .option(
      '--data-dir <dir>',
      'the folder holding the secret.key (unless SLUICE_SECRET_KEY is set)',
      '.sluice',
    )
    .option('--system-apis <json|file>', 'more SYSTEM_APIS entries')
    .option('--api-url <url>', 'the API node base URL: SYSTEM_APIS.sluice (credentials, runs, ...) of runs')
    .option(
      '--connectors <dir>',
      'register every connector file in the folder (repeatable, or dir1,dir2)',
      (dir: string, dirs: string[] = []) => [...dirs, dir],
    )
    .option('--metrics-port <port>', 'serve GET /health and GET /metrics on this port (0 picks one)')
    .option('--metrics-host <host>', 'the host of --metrics-port', '127.0.0.1')
    .option('--metrics-token <token>', 'serve GET /metrics to this bearer token (or SLUICE_METRICS_TOKEN)')
    .option('--grace <seconds>', 'how long closing lets executing runs finish (default 10)')
    .option(
      '--deny-private-networks',
      'refuse step calls to addresses that are not globally reachable (loopback, private, link-local, ...)',
    )
    .addOption(new Option('--lease-ms <ms>', 'a run lease without a heartbeat (default 30000)').hideHelp())
    .addOption(new Option('--heartbeat-ms <ms>', 'how often leases are renewed (default 10000)').hideHelp())
    .addOption(
      new Option('--sweep-ms <ms>', 'how often the store is swept for runs (default lease/2)').hideHelp(),
    )
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', WORKER_HELP)
    .action(async (options: WorkerOptions) => {
      const { workerCommand } = await import('./commands/worker.js');
      await workerCommand(options, io);
    });

  program
    .command('status')
    .description('show the nodes, runs, queue depth and leases of a deployment (docs/scaling.md)')
    .option('--data-dir <dir>', 'the data folder of sluice serve', '.sluice')
    .option('--database <url>', 'the PostgreSQL URL the deployment uses')
    .option('--database-schema <schema>', 'the PostgreSQL schema the deployment uses (default public)')
    .option('--redis <url>', 'the Redis URL the deployment uses, for the queue counts')
    .option('--redis-prefix <prefix>', 'the Redis key prefix the deployment uses (default sluice)')
    .option('--json', 'print the status as one JSON object')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', STATUS_HELP)
    .action(async (options: StatusOptions) => {
      const { statusCommand } = await import('./commands/status.js');
      await statusCommand(options, io);
    });

  const keys = program.command('keys').description('manage the API keys of sluice serve');
  keys
    .command('create')
    .description('create an API key for a user of a workspace and print it (once)')
    .requiredOption('--workspace <name>', 'the workspace the key belongs to')
    .requiredOption('--email <email>', 'the user the key belongs to')
    .option('--role <role>', 'admin or member (admins also write global workflows)', 'member')
    .option('--data-dir <dir>', 'the data folder of sluice serve', '.sluice')
    .option('--database <url>', 'the PostgreSQL URL sluice serve uses')
    .option('--database-schema <schema>', 'the PostgreSQL schema sluice serve uses (default public)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', KEYS_HELP)
    .action(async (options: KeysCreateOptions) => {
      const { keysCreateCommand } = await import('./commands/keys.js');
      await keysCreateCommand(options, io);
    });
  keys
    .command('list')
    .description('list the API keys (id, workspace, email, role, created, revoked), never the keys')
    .option('--workspace <name>', 'only the keys of this workspace')
    .option('--json', 'print a JSON array instead of a table')
    .option('--data-dir <dir>', 'the data folder of sluice serve', '.sluice')
    .option('--database <url>', 'the PostgreSQL URL sluice serve uses')
    .option('--database-schema <schema>', 'the PostgreSQL schema sluice serve uses (default public)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', KEYS_LIST_HELP)
    .action(async (options: KeysListOptions) => {
      const { keysListCommand } = await import('./commands/keys.js');
      await keysListCommand(options, io);
    });
  keys
    .command('revoke')
    .description('revoke an API key: requests with it answer 401 from then on')
    .argument('<id>', 'the key id, as "sluice keys list" shows it (key_...)')
    .option('--data-dir <dir>', 'the data folder of sluice serve', '.sluice')
    .option('--database <url>', 'the PostgreSQL URL sluice serve uses')
    .option('--database-schema <schema>', 'the PostgreSQL schema sluice serve uses (default public)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', KEYS_LIST_HELP)
    .action(async (id: string, options: KeysRevokeOptions) => {
      const { keysRevokeCommand } = await import('./commands/keys.js');
      await keysRevokeCommand(id, options, io);
    });

  const schema = program.command('schema').description('print the JSON Schema of a Sluice file format');
  schema
    .command('workflow')
    .description('print the JSON Schema (draft-07) of the workflow document, for editors')
    .option('--output <file>', 'write the schema to this file instead of stdout')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', SCHEMA_HELP)
    .action(async (options: SchemaOptions) => {
      const { schemaWorkflowCommand } = await import('./commands/schema.js');
      schemaWorkflowCommand(options, io);
    });

  return program;
}

/**
 * Runs the program on `argv` and returns the exit code: 0 on success, 1 on any error, or the code a
 * command set (`sluice validate`: 2 for an invalid workflow).
 */
export async function run(argv: readonly string[], io: ProgramIo): Promise<number> {
  const debug = argv.includes('--debug');
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
    return 1;
  }
}
