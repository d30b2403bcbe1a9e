/**
 * `sluice connections list|create|test|delete`: the stored connections of your workspace on a running
 * `sluice serve` (`GET|POST /v1/connections`, `DELETE /v1/connections/{name}`,
 * `POST /v1/connections/{name}/test`). Answers name a connection's values, never show them; the values
 * given to `create` are masked in any error the command prints.
 *
 * @module
 */
import type { ConnectionView } from '@sluice/engine/api-types';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { isServiceError } from '../service-client.js';
import {
  clientOf,
  printJson,
  type ServiceOptions,
  serviceAction,
  serviceGroup,
  withServiceOptions,
} from '../service-command.js';
import { formatTable, formatTime, truncate } from '../table.js';

const CONNECTIONS_HELP = `"test" exits 1 when the connector's test fails.

Examples:
  $ sluice connections create crm-main --connector crm --values crm-values.json
  $ sluice connections create crm-main --connector crm --values '{"api_key": "...", "region": "eu"}'
  $ sluice connections test crm-main
  $ sluice connections list
  $ sluice connections delete crm-main`;

/** The options of `sluice connections create`. */
export interface ConnectionsCreateOptions extends ServiceOptions {
  connector: string;
  /** Inline JSON, or a JSON or YAML file. */
  values?: string;
}

/** Registers `sluice connections ...` on `program`. */
export function registerConnections(program: Command, io: CommandIo): void {
  const group = serviceGroup(
    program,
    'connections',
    'create, test and delete the stored connections of your workspace',
    CONNECTIONS_HELP,
  );
  withServiceOptions(
    group
      .command('list')
      .description("list your workspace's connections (the names of their values, never the values)"),
  ).action(serviceAction((options: ServiceOptions) => connectionsListCommand(options, io)));
  withServiceOptions(
    group
      .command('create')
      .description('create (or replace) a connection; its values are stored encrypted')
      .argument('<name>', 'unique in your workspace')
      .requiredOption('--connector <name>', 'a connector the service registered')
      .option(
        '--values <json|file>',
        "the connector's connection fields: inline JSON, or a JSON or YAML file",
      ),
  ).action(
    serviceAction((name: string, options: ConnectionsCreateOptions) =>
      connectionsCreateCommand(name, options, io),
    ),
  );
  withServiceOptions(
    group
      .command('test')
      .description("run the connector's test on a connection; exit 1 when it fails")
      .argument('<name>', 'the connection'),
  ).action(
    serviceAction((name: string, options: ServiceOptions) => connectionsTestCommand(name, options, io)),
  );
  withServiceOptions(
    group.command('delete').description('delete a connection').argument('<name>', 'the connection'),
    false,
  ).action(
    serviceAction((name: string, options: ServiceOptions) => connectionsDeleteCommand(name, options, io)),
  );
}

const connectionPath = (name: string) => `/v1/connections/${encodeURIComponent(name)}`;

/** Prints the connections, by name. */
export async function connectionsListCommand(options: ServiceOptions, io: CommandIo): Promise<void> {
  const answer = await clientOf(options).get<{ connections: ConnectionView[] }>('/v1/connections');
  if (options.json === true) {
    printJson(io, answer);
    return;
  }
  io.stdout(
    formatTable(
      ['NAME', 'CONNECTOR', 'VALUES', 'UPDATED', 'BY'],
      answer.connections.map((c) => [
        c.name,
        c.connector,
        truncate(c.fields.join(', '), 60),
        formatTime(c.updated_at),
        c.user_id,
      ]),
    ),
  );
}

/** The strings of a values object, to mask in errors. */
function secretsOf(values: unknown): string[] {
  if (typeof values === 'string') return values.length >= 4 ? [values] : [];
  if (typeof values !== 'object' || values === null) return [];
  return Object.values(values).flatMap(secretsOf);
}

/**
 * Creates or replaces a connection.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_PARSE` for `--values` that is no object; {@link ServiceError}
 * `SLUICE_CONNECTION` for an unknown connector or values that break its fields.
 */
export async function connectionsCreateCommand(
  name: string,
  options: ConnectionsCreateOptions,
  io: CommandIo,
): Promise<void> {
  // Loaded on use (it loads YAML): every command's start-up would pay for it otherwise.
  const { loadDataOption } = await import('../load-data-file.js');
  const values = options.values === undefined ? {} : loadDataOption(options.values, '--values');
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new CliError('SLUICE_CLI_FILE_PARSE', '--values must be an object of connection fields', {
      hint: `give a JSON object such as '{"api_key": "..."}', or a file holding one`,
    });
  }
  io.addSecrets?.(() => secretsOf(values));
  const answer = await clientOf(options).request<ConnectionView>('POST', '/v1/connections', {
    body: { name, connector: options.connector, values },
  });
  if (options.json === true) {
    printJson(io, answer.body);
    return;
  }
  const what = answer.status === 201 ? 'created' : 'replaced';
  const fields = answer.body.fields.length === 0 ? 'no values' : `values ${answer.body.fields.join(', ')}`;
  io.stdout(`${what} connection ${answer.body.name} (${answer.body.connector}, ${fields})\n`);
}

/**
 * Runs the connector's test on a connection: prints its result; a failing test prints the error and
 * exits 1.
 */
export async function connectionsTestCommand(
  name: string,
  options: ServiceOptions,
  io: CommandIo,
): Promise<void> {
  const client = clientOf(options);
  try {
    const answer = await client.request<{ ok: true; result: unknown }>(
      'POST',
      `${connectionPath(name)}/test`,
    );
    if (options.json === true) printJson(io, answer.body);
    else io.stdout(`connection ${name} works; the test answered ${JSON.stringify(answer.body.result)}\n`);
  } catch (err) {
    if (!isServiceError(err, 'SLUICE_CONNECTION_TEST')) throw err;
    // The test ran and failed: what was asked about failed (1), the command itself did its job.
    if (options.json === true) printJson(io, { ok: false, error: { code: err.code, message: err.message } });
    io.stderr(`test failed: ${err.message}\n`);
    io.setExitCode?.(1);
  }
}

/** Deletes a connection. */
export async function connectionsDeleteCommand(
  name: string,
  options: ServiceOptions,
  io: CommandIo,
): Promise<void> {
  await clientOf(options).request('DELETE', connectionPath(name));
  io.stdout(`deleted connection ${name}\n`);
}
