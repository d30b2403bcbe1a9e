/**
 * `sluice serve`: the engine service (issue 5, first slice): the publishing and runs API with API
 * keys, runs executed in this process and resumed after a restart. The store is the SQLite file
 * `<data-dir>/sluice.db`, or PostgreSQL with `--database postgres://...`. Runs until SIGINT or
 * SIGTERM, then closes gracefully: stops taking work, lets executing runs finish for a grace period,
 * leaves the rest for the next start.
 *
 * @module
 */
import type { Logger } from '@sluice/sdk';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { consoleFolder } from '../console-folder.js';
import { createDeferredLogger } from '../deferred-logger.js';
import { CliError } from '../errors.js';
import { listenOrExplain } from '../listen-errors.js';
import { type EngineNodeFlags, engineNodeOptions } from '../options/engine-node.js';
import { executionOptions, withLeaseOptions, withTemplateOptions } from '../options/execution.js';
import { integer } from '../options/integer.js';
import { metricsTokenOf } from '../options/metrics.js';
import { queueOptions } from '../options/queue.js';

/** The options of `sluice serve`, as commander hands them over. */
export interface ServeOptions extends EngineNodeFlags {
  /** @default 8080 */
  port?: string;
  /** @default 127.0.0.1 */
  host?: string;
  /** The request body limit in bytes. @default 1048576 */
  bodyLimit?: string;
  /** How deep a JSON request body may nest arrays and objects. @default 1000 */
  jsonDepthLimit?: string;
  /** Log requests as pino JSON lines on stdout at this level. */
  logLevel?: string;
  /** commander's `--no-worker`: false makes an API node that executes no runs (needs --redis). */
  worker?: boolean;
  /** commander's `--no-console`: false serves no web console at `/`. */
  console?: boolean;
  /** Where third parties reach the API (connector webhooks subscribe with it). @default SLUICE_PUBLIC_URL, else the listen address */
  publicUrl?: string;
}

const SERVE_HELP = `
Serves the publishing API (/v1/workflows) and the runs API (/v1/runs) with API keys, OpenAPI at
/openapi.json and docs at /docs. Runs execute in this process; runs left unfinished by a crash or a
stop resume on the next start. Stops on Ctrl-C or SIGTERM. See docs/service.md.

Examples:
  $ sluice keys create --workspace acme --email ann@acme.test --role admin
  $ sluice serve --port 8080
  $ sluice serve --connectors connectors    # connectors/my-app.ts is the connector my-app
  $ sluice serve --database postgres://postgres@127.0.0.1:5432/sluice`;

/** Registers `sluice serve` on `program`. */
export function registerServe(program: Command, io: CommandIo): void {
  const flags = engineNodeOptions({
    dataDir: 'the data folder; the store is <dir>/sluice.db',
    database: 'a PostgreSQL URL (postgres://...) instead of the SQLite file',
    redis: 'queue runs in Redis (BullMQ) for sluice worker processes; needs --database',
    systemApis: 'more SYSTEM_APIS entries (sluice, the API itself, is added)',
  });
  const command = withTemplateOptions(
    program
      .command('serve')
      .description('serve the engine: publish workflows and run them over an API with keys'),
  )
    .option('--port <port>', 'the port (0 picks a free one)', '8080')
    .option('--host <host>', 'the host', '127.0.0.1')
    .addOption(flags.dataDir)
    .addOption(flags.database)
    .addOption(flags.systemApis)
    .option('--body-limit <bytes>', 'the largest request body (default 1048576)')
    .option('--json-depth-limit <levels>', 'how deep a JSON body may nest arrays and objects (default 1000)')
    .addOption(flags.grace)
    .addOption(flags.concurrency)
    .addOption(flags.denyPrivateNetworks)
    .addOption(flags.metricsToken)
    .addOption(flags.databaseSchema)
    .addOption(flags.redis)
    .addOption(flags.redisPrefix)
    .option('--no-worker', 'with --redis: an API node only; runs execute on sluice worker processes')
    .option('--no-console', 'do not serve the web console at /')
    .option(
      '--public-url <url>',
      'the URL third parties reach this API at; connector webhook triggers subscribe <url>/v1/hooks/... (default: SLUICE_PUBLIC_URL, else the listen address)',
    )
    .addOption(flags.connectors);
  withLeaseOptions(command)
    .option('--log-level <level>', 'log requests as pino JSON lines: info, debug, ... (default: silent)')
    .addOption(flags.debug)
    .addHelpText('after', SERVE_HELP)
    .action((options: ServeOptions) => serveCommand(options, io));
}

/**
 * Serves the API, prints its URLs, and resolves once a signal stopped and closed it.
 *
 * @throws {SluiceError} `SLUICE_CLI_OPTION` for a bad flag, `SLUICE_STORE` when the store cannot be
 * opened, `SLUICE_CLI_LISTEN` when it cannot listen (the port is taken, say).
 */
export async function serveCommand(options: ServeOptions, io: CommandIo): Promise<void> {
  const port = integer(options.port, '--port', 65535) ?? 8080;
  const bodyLimit = integer(options.bodyLimit, '--body-limit', 2 ** 31);
  const jsonDepthLimit = integer(options.jsonDepthLimit, '--json-depth-limit', 100_000);
  if (jsonDepthLimit === 0) {
    throw new CliError('SLUICE_CLI_OPTION', '--json-depth-limit 0 would refuse every JSON body', {
      hint: 'give 1 or more (the default is 1000)',
    });
  }
  const { grace, engine: execution } = await executionOptions(options);
  const metricsToken = metricsTokenOf(options.metricsToken, process.env.SLUICE_METRICS_TOKEN);
  const queued = queueOptions(options, 'sluice serve');
  const publicUrl = publicUrlOf(options.publicUrl ?? process.env.SLUICE_PUBLIC_URL);
  // Loaded on use, as every command's dependencies are: `sluice --help` does not pay for the engine.
  const { createApi } = await import('@sluice/engine');
  const { openEngineNode } = await import('../open-engine-node.js');
  const { queueLine, registeredLine, secretKeyLine, warningLogger } = await import('../service-lines.js');
  // The engine logs runs through Fastify's pino (one JSON line each), which exists only once the API does.
  const runLog = options.logLevel === undefined ? undefined : createDeferredLogger();
  const { stopped, registered, secretKey, store, engine } = await openEngineNode(options, {
    ...execution,
    ...(runLog === undefined ? {} : { logger: runLog.logger }),
    ...queued,
    // Without --log-level, a shared deployment still prints its outages (store or Redis down and back).
    ...(runLog === undefined && queued.queue !== undefined ? { logger: warningLogger(io) } : {}),
    ...(queued.queue === undefined ? {} : { nodeKind: queued.execute === false ? 'api' : 'api+worker' }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
  });
  try {
    const app = await createApi({
      engine,
      ...(bodyLimit === undefined ? {} : { bodyLimit }),
      ...(jsonDepthLimit === undefined ? {} : { jsonDepthLimit }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      ...(metricsToken === undefined ? {} : { metricsToken }),
      console: options.console === false ? false : consoleFolder(),
    });
    runLog?.use(app.log as unknown as Logger);
    try {
      const host = options.host ?? '127.0.0.1';
      const address = await listenOrExplain(() => app.listen({ port, host }), {
        host,
        port,
        portOption: '--port',
        hostOption: '--host',
      });
      const resumed = await engine.start({ baseUrl: address });
      io.stdout(`sluice serve: store ${store.location}\n`);
      if (queued.queue !== undefined) io.stdout(queueLine(queued.queue, queued.execute !== false));
      io.stdout(registeredLine(registered));
      io.stdout(secretKeyLine(secretKey));
      if (resumed > 0) io.stdout(`resumed ${resumed} unfinished ${resumed === 1 ? 'run' : 'runs'}\n`);
      const consoleLine = options.console === false ? '' : `console ${address}/\n`;
      io.stdout(`API  ${address}/v1\ndocs ${address}/docs\n${consoleLine}press Ctrl-C to stop\n`);
      const signal = await stopped;
      io.stdout(`${signal}: closing (runs still executing after ${grace}s resume on the next start)\n`);
      await engine.close();
    } finally {
      await app.close();
    }
  } finally {
    await engine.close();
    await store.close();
  }
}

/**
 * `--public-url` (or `SLUICE_PUBLIC_URL`): an absolute http(s) URL.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` naming the flag for anything else.
 */
function publicUrlOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `--public-url ${JSON.stringify(value)} is not an absolute http(s) URL`,
      {
        hint: 'give the URL third parties reach this API at, e.g. --public-url https://sluice.example.com',
      },
    );
  }
  return value.replace(/\/+$/, '');
}
