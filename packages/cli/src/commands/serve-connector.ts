/**
 * `sluice serve-connector <connector file>`: serves a `defineConnector` connector over HTTP with
 * `@sluice/server`: `POST /<action>/v1/execute`, `POST /<trigger>/v1/poll`, `POST /test`, plus the
 * built-in endpoints. Runs until SIGINT or SIGTERM.
 *
 * @module
 */
import type { AppSettings } from '@sluice/server';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { type DebugOptions, debugOption } from '../options/debug.js';

/** The options of `sluice serve-connector`, as commander hands them over. */
export interface ServeConnectorOptions extends DebugOptions {
  /** Overrides `port` of the config (and SLUICE_PORT). */
  port?: string;
  /** Overrides `host`. */
  host?: string;
  /** An app_config.yaml to read. @default ./app_config.yaml when it exists */
  config?: string;
  /** Log requests (pino JSON lines on stdout) at this level. */
  logLevel?: string;
}

const SERVE_CONNECTOR_HELP = `
Each action is served at POST /<action>/v1/execute (body {"data": input, "credentials":
{"connection_data": {"value": connection}}}), each trigger at POST /<trigger>/v1/poll (send the
"closure" of the previous answer back), and the connection test at POST /test. Also GET /health,
/routes, /app-config, /openapi.json and /docs. Stops on Ctrl-C.

Examples:
  $ sluice serve-connector examples/my-app/src/connector.ts --port 8080
  $ curl -s localhost:8080/get_customer_by_id/v1/execute -H 'content-type: application/json' \\
      -d '{"data": {"id": 1}, "credentials": {"connection_data": {"value": {"api_token": "..."}}}}'`;

/** Registers `sluice serve-connector` on `program`. */
export function registerServeConnector(program: Command, io: CommandIo): void {
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
    .addOption(debugOption())
    .addHelpText('after', SERVE_CONNECTOR_HELP)
    .action((connector: string, options: ServeConnectorOptions) =>
      serveConnectorCommand(connector, options, io),
    );
}

/**
 * Loads the connector, serves it, prints the address and routes, and resolves once a signal stopped it.
 *
 * @throws {SluiceError} `SLUICE_CONNECTOR_LOAD`, `SLUICE_CLI_OPTION`, `SLUICE_CONFIG_*`, `SLUICE_SERVER_LISTEN`.
 */
export async function serveConnectorCommand(
  file: string,
  options: ServeConnectorOptions,
  io: CommandIo,
): Promise<void> {
  const settings: Partial<Record<keyof AppSettings, unknown>> = {};
  if (options.port !== undefined) {
    if (!/^\d+$/.test(options.port) || Number(options.port) > 65535) {
      throw new CliError('SLUICE_CLI_OPTION', `--port ${options.port} is not a port number`, {
        hint: 'give an integer from 0 to 65535 (0 picks a free port)',
      });
    }
    settings.port = Number(options.port);
  }
  if (options.host !== undefined) settings.host = options.host;
  if (options.logLevel !== undefined) settings.log_level = options.logLevel;
  // Loaded on use, as every command's dependencies are: `sluice --help` does not pay for them.
  const { loadConnector } = await import('../load-connector.js');
  const { Router } = await import('@sluice/server');
  const connector = await loadConnector(file);
  const router = new Router({
    connector,
    connectorSource: `connector ${file}`,
    configPath: options.config,
    settings: settings as Partial<AppSettings>,
  });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    const address = await router.runApp();
    io.stdout(`serving connector ${connector.title} at ${address}\n`);
    for (const route of router.routes) io.stdout(`  ${route.method.padEnd(6)} ${address}${route.url}\n`);
    io.stdout(`  docs   ${address}/docs\npress Ctrl-C to stop\n`);
    await stopped;
  } finally {
    await router.close();
  }
}
