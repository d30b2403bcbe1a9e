/**
 * `sluice exec <connector file> <path>`: runs one part of a connector (its test, an action, a trigger
 * cycle, fields, a pick list, a method) against the API named in the settings, and prints the result
 * as JSON.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { type Connector, isSluiceError, SdkError } from '@sluice/sdk';
import type { ConnectorRuntime, TriggerState } from '@sluice/sdk/internal';
import type { Command } from 'commander';
import { writeOutput } from '../cli-files.js';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { type ExecTarget, parseExecPath } from '../exec-path.js';
import { expectObject, isPlainObject, kindOf } from '../named-values.js';
import { type DebugOptions, debugOption } from '../options/debug.js';
import { createStderrLogger } from '../stderr-logger.js';
import { WEBHOOK_EXEC_HELP, type WebhookExecOptions } from './exec-webhook.js';

/** The options of `sluice exec`, as commander hands them over. */
export interface ExecOptions extends DebugOptions, WebhookExecOptions {
  /** File with the connection values (JSON, YAML or encrypted YAML), or inline JSON. */
  settings?: string;
  /** The connection to use from a settings file that holds several, by name. */
  connection?: string;
  /** The key file of an encrypted settings file. */
  key?: string;
  /** The values of the action's or trigger's config fields: inline JSON or a file. */
  configFields?: string;
  /** File with the input of an action or trigger. */
  input?: string;
  /** File with the trigger state printed by an earlier run (`triggers.<name>`), or a raw poll closure. */
  closure?: string;
  /** Arguments: inline JSON or a file; an array for methods, an object for pick lists. */
  args?: string;
  /** Write the result here instead of stdout. */
  output?: string;
  /** Log each request and response on stderr, secrets masked. */
  verbose?: boolean;
  /** Record the HTTP exchanges into this cassette file. */
  record?: string;
  /** Answer HTTP requests from this cassette file. */
  replay?: string;
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
${WEBHOOK_EXEC_HELP}
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
  $ sluice exec connector.ts triggers.new_order --webhook-payload p.json --webhook-headers h.json
  $ sluice exec connector.ts triggers.new_order.webhookSubscribe --webhook-url https://example.com/hook
  $ sluice exec connector.ts actions.get_customer --connection prod --input input.json
  $ sluice exec connector.ts actions.search.inputFields --config-fields '{"object": "customer"}'
  $ sluice exec connector.ts pickLists.countries --settings settings.json --args '{"region": "EU"}'
  $ sluice exec connector.ts actions.get_customer --settings settings.json --input input.json \\
      --record test/cassettes/get-customer.cassette.json
  $ sluice exec connector.ts actions.get_customer --settings settings.json --input input.json \\
      --replay test/cassettes/get-customer.cassette.json

Without --settings, the first of settings.yaml.enc and settings.yaml in the working folder, then
beside the connector file, is read. Values that authorization refreshes are written back to that file.

The result is printed on stdout as JSON. On failure sluice prints "error CODE: message" (and
"hint: ..." below it) on stderr and exits with 1; --debug adds the stack trace.`;

/** Registers `sluice exec` on `program`. */
export function registerExec(program: Command, io: CommandIo): void {
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
    .option(
      '--settings <json|file>',
      'connection values: inline JSON, or a JSON, YAML or encrypted file (default: settings.yaml.enc or settings.yaml)',
    )
    .option('--connection <name>', 'the named connection to use from a settings file that holds several')
    .option(
      '--key <file>',
      'key of an encrypted settings file (default: SLUICE_MASTER_KEY, else master.key beside it)',
    )
    .option(
      '--config-fields <json|file>',
      "values of the action's or trigger's config fields: inline JSON, or a JSON or YAML file",
    )
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
    .addOption(debugOption())
    .option('--record <file>', 'record every HTTP exchange into this cassette file (secrets masked)')
    .option('--replay <file>', 'answer HTTP requests from this cassette file instead of the network')
    .option('--webhook-payload <json|file>', 'webhook triggers: the delivery body (inline JSON or a file)')
    .option('--webhook-headers <json|file>', 'webhook triggers: the delivery headers, an object')
    .option(
      '--webhook-params <json|file>',
      "webhook triggers: the delivery URL's query parameters, an object",
    )
    .option('--webhook-url <url>', 'triggers.<name>.webhookSubscribe: the URL to subscribe')
    .option(
      '--webhook-subscribe-output <json|file>',
      'webhook triggers: what triggers.<name>.webhookSubscribe printed',
    )
    .addHelpText('after', EXEC_HELP)
    .action((connector: string, path: string, options: ExecOptions) =>
      execCommand(connector, path, options, io),
    );
}

/** Which paths each data option applies to. */
const OPTION_TARGETS = {
  input: ['action', 'trigger', 'triggerPoll', 'webhookSubscribe'],
  closure: ['trigger', 'triggerPoll'],
  args: ['method', 'pickList'],
} as const satisfies Record<string, readonly ExecTarget['kind'][]>;

const OPTION_PATHS = {
  input: 'actions.<name>, triggers.<name>, triggers.<name>.poll and triggers.<name>.webhookSubscribe',
  closure: 'triggers.<name> and triggers.<name>.poll',
  args: 'methods.<name> and pickLists.<name>',
} as const;

/**
 * Runs `path` of the connector in `file` and writes the result as pretty JSON.
 *
 * @throws {SluiceError} any error of loading, options, data files or the connector run; the caller prints it.
 */
export async function execCommand(
  file: string,
  path: string,
  options: ExecOptions,
  io: CommandIo,
): Promise<void> {
  if (options.record !== undefined && options.replay !== undefined) {
    throw new CliError('SLUICE_CLI_OPTION', '--record and --replay cannot be used together', {
      hint: 'record once with --record FILE, then run with --replay FILE',
    });
  }
  // Loaded on use, as every command's dependencies are: `sluice --help` and `sluice new` do not pay for
  // the SDK runtime, tsx or YAML.
  const { loadConnector } = await import('../load-connector.js');
  const { loadDataOption } = await import('../load-data-file.js');
  const { createConnectorRuntime, createUndiciTransport } = await import('@sluice/sdk/internal');
  const { recordingTransport, replayTransport } = await import('@sluice/sdk/testing');
  const connector: Connector = await loadConnector(file);
  const target = parseExecPath(path, connector, file);
  for (const option of ['input', 'closure', 'args'] as const) {
    const kinds: readonly string[] = OPTION_TARGETS[option];
    if (options[option] !== undefined && !kinds.includes(target.kind)) {
      throw new CliError('SLUICE_CLI_OPTION', `--${option} does not apply to ${path}`, {
        hint: `--${option} applies to ${OPTION_PATHS[option]}`,
      });
    }
  }
  const { loadExecSettings, connectionSaver } = await import('../exec-settings.js');
  const { loadConfigFields } = await import('../exec-config-fields.js');
  const configFields = loadConfigFields(options.configFields, target, path);
  const settings = loadExecSettings({
    settings: options.settings,
    connection: options.connection,
    key: options.key,
    connectorFile: file,
    connectionFields: (connector.connection?.fields ?? []).map((field) => field.name),
    env: process.env,
  });
  const connection = settings.values;
  const saver = connectionSaver(settings, (line) => io.stderr(`${line}\n`), options.replay !== undefined);
  const input =
    options.input === undefined
      ? undefined
      : expectObject(loadDataOption(options.input, '--input'), `--input ${options.input}`);
  const closure =
    options.closure === undefined
      ? undefined
      : closureOf(loadDataOption(options.closure, '--closure'), target);
  const args = options.args === undefined ? undefined : await loadArgs(options.args, target, path);
  const { loadWebhookData, runWebhookTarget } = await import('./exec-webhook.js');
  const webhook = await loadWebhookData(options, target, path, connector);

  let runtime: ConnectorRuntime | undefined;
  const secrets = (): readonly string[] => {
    try {
      return runtime?.secrets() ?? [];
    } catch {
      // The connection does not validate (so no request was sent): mask every value it holds.
      return Object.values(connection).filter((v): v is string => typeof v === 'string');
    }
  };
  io.addSecrets?.(secrets);
  const network = createUndiciTransport();
  const recorder = options.record === undefined ? undefined : recordingTransport(network, { secrets });
  const transport =
    options.replay === undefined ? (recorder ?? network) : replayTransport(options.replay, { secrets });
  const logger = options.verbose
    ? createStderrLogger({ write: (line) => io.stderr(line), secrets })
    : undefined;
  let failure: { error: unknown } | undefined;
  try {
    runtime = createConnectorRuntime(connector, {
      connection,
      transport,
      onConnectionChange: saver.onConnectionChange,
      ...(logger ? { logger } : {}),
    });
    try {
      saver.setBaseline(runtime.connection);
    } catch {
      // The connection does not validate: the run reports it.
    }
    const data = { input, closure, args, configFields };
    const run =
      webhook === undefined
        ? runTarget(runtime, target, data)
        : runWebhookTarget(runtime, target, webhook, data);
    const result = await run.catch((err: unknown) => {
      throw options.closure !== undefined && isSluiceError(err, 'SLUICE_TRIGGER_STATE')
        ? new SdkError('SLUICE_TRIGGER_STATE', `--closure file ${options.closure}: ${err.message}`, {
            hint: err.hint,
            cause: err,
          })
        : err;
    });
    writeResult(result, options.output, io);
  } catch (error) {
    failure = { error };
  }
  // A failed run is recorded too (an error response is worth replaying); the run's error wins.
  try {
    if (recorder !== undefined && options.record !== undefined) await recorder.save(options.record);
  } catch (error) {
    failure ??= { error };
  }
  await network.close?.();
  if (failure !== undefined) throw failure.error;
}

/** Calls the runtime for one target; a trigger cycle prints its state as `closure`. */
async function runTarget(
  runtime: ConnectorRuntime,
  target: ExecTarget,
  data: {
    input: Record<string, unknown> | undefined;
    closure: unknown;
    args: unknown;
    configFields?: Record<string, unknown> | undefined;
  },
): Promise<unknown> {
  const fieldsOptions = { configFields: data.configFields };
  switch (target.kind) {
    case 'test':
      return runtime.test();
    case 'action':
      return runtime.runAction(target.name, data.input ?? {}, fieldsOptions);
    case 'actionFields':
      return runtime.actionFields(target.name, target.which, fieldsOptions);
    case 'sampleOutput':
      return runtime.sampleOutput(target.name, target.of);
    case 'trigger': {
      const { events, state } = await runtime.pollTrigger(target.name, {
        input: data.input ?? {},
        ...fieldsOptions,
        // The runtime checks the state itself (SLUICE_TRIGGER_STATE) after it went through JSON.
        ...(data.closure === undefined ? {} : { state: data.closure as TriggerState }),
      });
      return { events, closure: state };
    }
    case 'triggerPoll':
      return runtime.pollTriggerOnce(target.name, {
        input: data.input ?? {},
        closure: data.closure,
        ...fieldsOptions,
      });
    case 'triggerFields':
      return runtime.triggerFields(target.name, target.which, fieldsOptions);
    case 'pickList':
      return runtime.pickList(target.name, (data.args as Record<string, unknown> | undefined) ?? {});
    case 'method':
      return runtime.callMethod(target.name, (data.args as unknown[] | undefined) ?? []);
    case 'webhookSubscribe':
    case 'webhookUnsubscribe':
      // Run by exec-webhook.ts (loadWebhookData gives their data).
      throw new CliError(
        'SLUICE_CLI_OPTION',
        `triggers.${target.name}.${target.kind} needs its webhook options`,
      );
  }
}

/**
 * A trigger cycle prints `{ events, closure }`; `--closure` takes that whole output as well as the bare
 * closure, so `> cycle1.json` then `--closure cycle1.json` just works.
 */
function closureOf(value: unknown, target: ExecTarget): unknown {
  if (
    target.kind === 'trigger' &&
    isPlainObject(value) &&
    Array.isArray(value.events) &&
    'closure' in value
  ) {
    return value.closure;
  }
  return value;
}

/**
 * `--args` is inline JSON when it starts with `[` or `{`, else a JSON or YAML file. Methods take an
 * array (the arguments, in order); pick lists take an object (their named arguments).
 */
async function loadArgs(value: string, target: ExecTarget, path: string): Promise<unknown> {
  const { loadDataFile, parseDataText } = await import('../load-data-file.js');
  const inline = /^\s*[[{]/.test(value);
  if (!inline && !existsSync(value)) {
    throw new CliError(
      'SLUICE_CLI_ARGS',
      `--args ${JSON.stringify(value)} is neither JSON nor an existing file`,
      {
        hint: `pass JSON such as '[1, "two"]' (quoted for the shell), or a file that holds it`,
      },
    );
  }
  let args: unknown;
  try {
    args = inline ? parseDataText(value, 'json', { option: '--args' }) : loadDataFile(value, '--args');
  } catch (err) {
    if (!inline || !(err instanceof CliError)) throw err;
    throw new CliError('SLUICE_CLI_ARGS', err.message, { hint: err.hint, cause: err });
  }
  const wantsArray = target.kind === 'method';
  if (wantsArray ? !Array.isArray(args) : !isPlainObject(args)) {
    throw new CliError(
      'SLUICE_CLI_ARGS',
      `--args for ${path} must be a JSON ${wantsArray ? 'array' : 'object'}, got ${kindOf(args)}`,
      {
        hint: wantsArray
          ? `a method takes its arguments in order, e.g. --args '["a", 2]'`
          : `a pick list takes named arguments, e.g. --args '{"country": "US"}'`,
      },
    );
  }
  return args;
}

function writeResult(result: unknown, output: string | undefined, io: CommandIo): void {
  writeOutput(`${JSON.stringify(result === undefined ? null : result, null, 2)}\n`, output, io);
}
