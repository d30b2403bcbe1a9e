/**
 * `sluice serve-connector <connector file>`: serves a `defineConnector` connector over HTTP with
 * `@sluice/server`: `POST /<action>/v1/execute`, `POST /<trigger>/v1/poll`, `POST /test`, plus the
 * built-in endpoints. Runs until SIGINT or SIGTERM.
 *
 * @module
 */
import { type AppSettings, Router } from '@sluice/server';
import { CliError } from '../errors.js';
import { loadConnector } from '../load-connector.js';
import type { CommandIo } from './exec.js';

/** The options of `sluice serve-connector`, as commander hands them over. */
export interface ServeConnectorOptions {
  /** Overrides `port` of the config (and SLUICE_PORT). */
  port?: string;
  /** Overrides `host`. */
  host?: string;
  /** An app_config.yaml to read. @default ./app_config.yaml when it exists */
  config?: string;
  /** Log requests (pino JSON lines on stdout) at this level. */
  logLevel?: string;
  debug?: boolean;
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
