/**
 * What the service commands (`sluice workflows|runs|connections|triggers`, `sluice login`) share: the
 * flags `--server`, `--key`, `--json` and `--debug`; their exit codes (every error exits with
 * {@link EXIT_ERROR}, usage errors included, so that 1 and 3 keep meaning "the run failed" and "it was
 * cancelled"); the client of the flags; JSON output; and a workflow named by uid or by name.
 *
 * @module
 */
import type { WorkflowListView, WorkflowView } from '@sluice/engine/api-types';
import { type Command, CommanderError } from 'commander';
import type { CommandIo } from './command-io.js';
import { CliError } from './errors.js';
import { type DebugOptions, debugOption } from './options/debug.js';
import { EXIT_ERROR, resolveTarget, ServiceClient, type TargetFlags } from './service-client.js';

/** The flags of every service command. */
export interface ServiceOptions extends TargetFlags, DebugOptions {
  /** Print the API's JSON answer instead of a table. */
  json?: boolean;
}

/** Adds `--server`, `--key`, `--json` (unless `json` is false) and `--debug` to `command`. */
export function withServiceOptions(command: Command, json = true): Command {
  command
    .option(
      '--server <url>',
      'the service URL (default: SLUICE_SERVER, else the profile of "sluice login", else http://127.0.0.1:8080)',
    )
    .option('--key <key>', 'an API key (default: SLUICE_KEY, else the profile of "sluice login")');
  if (json) command.option('--json', "print the API's JSON answer instead of a table");
  return command.addOption(debugOption());
}

/** What every service group's help starts with: where its commands find the service. */
const WHERE_THE_SERVICE_IS = `Every command talks to a running sluice serve: --server and --key, else SLUICE_SERVER and SLUICE_KEY,
else the profile of "sluice login".`;

/**
 * Adds the command group `name` (`sluice runs`, ...) to `program`, its help ending with where the service
 * is found, then `help`: a command line error in it exits with {@link EXIT_ERROR} as its other errors
 * do; help still exits 0.
 */
export function serviceGroup(program: Command, name: string, description: string, help: string): Command {
  return program
    .command(name)
    .description(description)
    .addHelpText('after', `\n${WHERE_THE_SERVICE_IS}\n${help}`)
    .exitOverride((err: CommanderError) => {
      if (err.exitCode === 0 || err.code === 'commander.help' || err.code === 'commander.helpDisplayed') {
        throw err;
      }
      throw withExitCode(
        new CliError('SLUICE_CLI_USAGE', err.message.replace(/^error: /, ''), {
          cause: err,
          hint: `run "sluice ${name} --help" or "sluice ${name} <command> --help"`,
        }),
      );
    });
}

/** `err` with the service commands' exit code, unless it has one. */
function withExitCode(err: unknown): unknown {
  if (err instanceof Error && typeof (err as { exitCode?: unknown }).exitCode !== 'number') {
    Object.defineProperty(err, 'exitCode', { value: EXIT_ERROR, enumerable: false });
  }
  return err;
}

/** Wraps a command's handler: whatever it throws exits with {@link EXIT_ERROR}. */
export function serviceAction<A extends unknown[]>(
  handler: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (err) {
      throw err instanceof CommanderError ? err : withExitCode(err);
    }
  };
}

/**
 * The client of a command's flags and the environment (`SLUICE_SERVER`, `SLUICE_KEY`,
 * `SLUICE_CONFIG_DIR`).
 *
 * @throws {CliError} as {@link resolveTarget}.
 */
export function clientOf(options: TargetFlags): ServiceClient {
  return new ServiceClient(resolveTarget(options, process.env));
}

/** Prints `value` as the API answered it: pretty JSON and a newline. */
export function printJson(io: CommandIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** A uid as the API takes it (`UID_PATTERN` of the engine's schemas). */
const UID = /^[A-Za-z0-9_.-]{1,128}$/;

/** Every workflow the caller sees (its workspace's and the global ones), all pages, by name. */
export async function listWorkflows(client: ServiceClient): Promise<WorkflowListView[]> {
  const all: WorkflowListView[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.get<{ workflows: WorkflowListView[]; next_cursor: string | null }>(
      '/v1/workflows',
      { limit: 200, cursor },
    );
    all.push(...page.workflows);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

/**
 * The workflow `ref` names: its uid, else its name (among the workflows the caller sees).
 *
 * @throws {ServiceError} `SLUICE_API_NOT_FOUND` when none has that uid or name, `SLUICE_CLI_OPTION`
 * when several have that name.
 */
export async function findWorkflow(client: ServiceClient, ref: string): Promise<WorkflowView> {
  if (UID.test(ref)) {
    const found = await client
      .get<WorkflowView>(`/v1/workflows/${encodeURIComponent(ref)}`)
      .catch((err: unknown) => {
        if ((err as { status?: unknown }).status === 404) return undefined;
        throw err;
      });
    if (found !== undefined) return found;
  }
  const named = (await listWorkflows(client)).filter((w) => w.name === ref);
  if (named.length === 1) return named[0] as WorkflowView;
  if (named.length > 1) {
    throw new CliError('SLUICE_CLI_OPTION', `${named.length} workflows are named ${JSON.stringify(ref)}`, {
      hint: `name one by its uid: ${named.map((w) => w.uid).join(', ')}`,
    });
  }
  throw new CliError('SLUICE_CLI_OPTION', `no workflow has the uid or name ${JSON.stringify(ref)}`, {
    hint: 'run "sluice workflows list" for the workflows you can see',
  });
}

/**
 * Sends `method /v1/workflows/{uid}<suffix>` for the workflow `ref` names (uid or name); with `--json`,
 * prints the answer. Resolves the workflow and the answer, or `undefined` as the answer once printed.
 */
export async function onWorkflow<T>(
  ref: string,
  options: ServiceOptions,
  io: CommandIo,
  method: string,
  suffix = '',
): Promise<{ workflow: WorkflowView; answer: T | undefined }> {
  const client = clientOf(options);
  const workflow = await findWorkflow(client, ref);
  const path = `/v1/workflows/${encodeURIComponent(workflow.uid)}${suffix}`;
  const { body } = await client.request<T>(method, path);
  if (options.json !== true) return { workflow, answer: body };
  printJson(io, body);
  return { workflow, answer: undefined };
}
