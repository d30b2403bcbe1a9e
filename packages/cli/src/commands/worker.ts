/**
 * `sluice worker`: a process that executes runs from the shared BullMQ queue (Redis) on the shared
 * PostgreSQL store, and serves no API. It also runs the trigger loop: the `triggers` lease in the
 * database lets exactly one process of the deployment run schedules and polls, and another takes over
 * when that one dies, so a worker-only deployment keeps its triggers. `--metrics-port` serves
 * `GET /health` and `GET /metrics` with the engine's ops server (as `sluice serve` answers them). Runs
 * until SIGINT or SIGTERM, then closes like `sluice serve`: executing runs get `--grace` seconds, the rest
 * resume on another worker.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { listenOrExplain } from '../listen-errors.js';
import { DEFAULT_DATA_DIR } from '../options/database.js';
import { type EngineNodeFlags, engineNodeOptions } from '../options/engine-node.js';
import { executionOptions, withLeaseOptions, withTemplateOptions } from '../options/execution.js';
import { integer } from '../options/integer.js';
import { metricsTokenOf } from '../options/metrics.js';
import { queueOptions, type RedisQueue } from '../options/queue.js';

/** The options of `sluice worker`, as commander hands them over. */
export interface WorkerOptions extends EngineNodeFlags {
  /** The API node's base URL: runs see it as `SYSTEM_APIS.sluice` (and `credentials`, `runs`, ...). */
  apiUrl?: string;
  /** Serve `GET /health` and `GET /metrics` on this port. @default none */
  metricsPort?: string;
  /** @default 127.0.0.1 */
  metricsHost?: string;
}

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

/** Registers `sluice worker` on `program`. */
export function registerWorker(program: Command, io: CommandIo): void {
  const flags = engineNodeOptions({
    dataDir: 'the folder holding the secret.key (unless SLUICE_SECRET_KEY is set)',
    database: 'the PostgreSQL URL of the deployment (required)',
    redis: 'the Redis URL of the queue (required)',
  });
  const command = withTemplateOptions(
    program
      .command('worker')
      .description('execute runs from the Redis queue of sluice serve --redis (no API)'),
  )
    .addOption(flags.database)
    .addOption(flags.databaseSchema)
    .addOption(flags.redis)
    .addOption(flags.redisPrefix)
    .addOption(flags.concurrency)
    .addOption(flags.dataDir)
    .addOption(flags.systemApis)
    .option('--api-url <url>', 'the API node base URL: SYSTEM_APIS.sluice (credentials, runs, ...) of runs')
    .addOption(flags.connectors)
    .option('--metrics-port <port>', 'serve GET /health and GET /metrics on this port (0 picks one)')
    .option('--metrics-host <host>', 'the host of --metrics-port', '127.0.0.1')
    .addOption(flags.metricsToken)
    .addOption(flags.grace)
    .addOption(flags.denyPrivateNetworks);
  withLeaseOptions(command)
    .addOption(flags.debug)
    .addHelpText('after', WORKER_HELP)
    .action((options: WorkerOptions) => workerCommand(options, io));
}

/**
 * Executes runs until a signal stops it; resolves once closed.
 *
 * @throws {SluiceError} `SLUICE_CLI_OPTION` for a missing or bad flag, `SLUICE_SECRET_KEY` when neither
 * `SLUICE_SECRET_KEY` nor the key file of `--data-dir` exists, `SLUICE_STORE`, `SLUICE_QUEUE`.
 */
export async function workerCommand(options: WorkerOptions, io: CommandIo): Promise<void> {
  if (options.database === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', 'sluice worker needs --database postgres://...', {
      hint: 'give the PostgreSQL URL of the API node (sluice serve --database)',
    });
  }
  if (options.redis === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', 'sluice worker needs --redis redis://...', {
      hint: 'give the Redis URL of the API node (sluice serve --redis)',
    });
  }
  const queued = queueOptions(options, 'sluice worker');
  const { grace, engine: execution } = await executionOptions(options);
  const metricsPort = integer(options.metricsPort, '--metrics-port', 65535);
  const metricsToken = metricsTokenOf(options.metricsToken, process.env.SLUICE_METRICS_TOKEN);
  const apiUrl = apiUrlOf(options.apiUrl);
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  // Loaded on use, as every command's dependencies are: `sluice --help` does not pay for the engine.
  const { createOpsServer, EngineError, SECRET_KEY_ENV, SECRET_KEY_FILE } = await import('@sluice/engine');
  const { openEngineNode } = await import('../open-engine-node.js');
  const { queueLine, registeredLine, secretKeyLine, warningLogger } = await import('../service-lines.js');
  // A key made up here would seal values no other node can open: the key must be the deployment's.
  const env = process.env[SECRET_KEY_ENV];
  if ((env === undefined || env === '') && !existsSync(join(dataDir, SECRET_KEY_FILE))) {
    throw new EngineError(
      'SLUICE_SECRET_KEY',
      `sluice worker needs the deployment's secret key: set ${SECRET_KEY_ENV}, or give the --data-dir that holds ${SECRET_KEY_FILE}`,
      {
        hint: `use the key of the API node (its ${SECRET_KEY_ENV}, or its <data-dir>/${SECRET_KEY_FILE}); a new key would not open its sealed values`,
      },
    );
  }
  const { stopped, registered, secretKey, store, engine } = await openEngineNode(options, {
    ...execution,
    ...queued,
    logger: warningLogger(io),
    nodeKind: 'worker',
  });
  let ops: Awaited<ReturnType<typeof createOpsServer>> | undefined;
  try {
    const resumed = await engine.start(apiUrl === undefined ? {} : { baseUrl: apiUrl });
    io.stdout(`sluice worker: store ${store.location}\n`);
    io.stdout(queueLine(queued.queue as RedisQueue, true));
    io.stdout(registeredLine(registered));
    io.stdout(secretKeyLine(secretKey));
    io.stdout(`concurrency: ${execution.maxConcurrentRuns ?? 16} runs at once; node ${engine.owner}\n`);
    if (resumed > 0) io.stdout(`queued ${resumed} claimable ${resumed === 1 ? 'run' : 'runs'}\n`);
    if (metricsPort !== undefined) {
      const server = await createOpsServer({ engine, metricsToken });
      ops = server;
      const host = options.metricsHost ?? '127.0.0.1';
      await listenOrExplain(() => server.listen({ port: metricsPort, host }), {
        host,
        port: metricsPort,
        portOption: '--metrics-port',
        hostOption: '--metrics-host',
      });
      const { address, port } = ops.server.address() as AddressInfo;
      io.stdout(`health  http://${address}:${port}/health\nmetrics http://${address}:${port}/metrics\n`);
    }
    io.stdout('press Ctrl-C to stop\n');
    const signal = await stopped;
    io.stdout(`${signal}: closing (runs still executing after ${grace}s resume on another worker)\n`);
    await engine.close();
  } finally {
    await engine.close();
    await ops?.close();
    await store.close();
  }
}

function apiUrlOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^/]+/i.test(value)) {
    throw new CliError('SLUICE_CLI_OPTION', `--api-url ${value} is not an http(s) URL`, {
      hint: 'give the base URL of sluice serve, e.g. --api-url http://api.internal:8080',
    });
  }
  return value.replace(/\/+$/, '');
}
