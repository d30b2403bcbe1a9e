/**
 * `sluice serve`: the engine service (issue 5, first slice): the publishing and runs API with API
 * keys, runs executed in this process and resumed after a restart. The store is the SQLite file
 * `<data-dir>/sluice.db`, or PostgreSQL with `--database postgres://...`. Runs until SIGINT or
 * SIGTERM, then closes gracefully: stops taking work, lets executing runs finish for a grace period,
 * leaves the rest for the next start.
 *
 * @module
 */
import { join } from 'node:path';
import {
  type CreateEngineOptions,
  createApi,
  createEngine,
  type LoadedSecretKey,
  loadSecretKey,
  maskUrl,
  openStore,
  type SqlStore,
  type TemplateLimits,
} from '@sluice/engine';
import type { Logger } from '@sluice/sdk';
import { createDeferredLogger } from '../deferred-logger.js';
import { CliError } from '../errors.js';
import { connectorDirs, connectorMap, type LoadedConnector, loadConnectors } from '../load-connectors.js';
import { loadDataOption } from '../load-data-file.js';
import { createStderrLogger } from '../stderr-logger.js';
import type { CommandIo } from './exec.js';

/** Where the service keeps its data: `--data-dir` and `--database`. */
export interface DataOptions {
  /** The folder of the SQLite store (`sluice.db`). @default .sluice */
  dataDir?: string;
  /** A PostgreSQL URL; the store lives there instead of in the data dir. */
  database?: string;
  /** The PostgreSQL schema of the tables (`--database` only). @default public */
  databaseSchema?: string;
}

/** The options of `sluice serve`, as commander hands them over. */
export interface ServeOptions extends DataOptions {
  /** @default 8080 */
  port?: string;
  /** @default 127.0.0.1 */
  host?: string;
  /** More `SYSTEM_APIS` entries: inline JSON or a JSON or YAML file with an object of base URLs. */
  systemApis?: string;
  /** The request body limit in bytes. @default 1048576 */
  bodyLimit?: string;
  /** How deep a JSON request body may nest arrays and objects. @default 1000 */
  jsonDepthLimit?: string;
  /** How long closing lets executing runs finish, in seconds. @default 10 */
  grace?: string;
  /** Runs executing at once in this process. @default 16 */
  concurrency?: string;
  /** A run's lease without a heartbeat, in ms (hidden flag, for tests and tuning). @default 30000 */
  leaseMs?: string;
  /** How often executing runs' leases are renewed, in ms (hidden flag). @default 10000 */
  heartbeatMs?: string;
  /** How often the store is swept for claimable runs, in ms (hidden flag). @default lease / 2 */
  sweepMs?: string;
  /** Folders of connector files to register (repeatable, or comma-separated). @default none */
  connectors?: string[] | string;
  /** Log requests as pino JSON lines on stdout at this level. */
  logLevel?: string;
  /** Refuse step calls to loopback, private and link-local addresses (checked at connect time). */
  denyPrivateNetworks?: boolean;
  /** Wall-clock ms one template may take to compile or render. @default 1000 */
  templateDeadlineMs?: string;
  /** MB of memory a template worker may use. @default 128 */
  templateMemoryMb?: string;
  /** The largest result of one template, in characters. @default 16777216 */
  templateMaxOutput?: string;
  /** Template instructions one render may execute. @default 1000000 */
  templateFuel?: string;
  /** Template worker threads. @default 2 */
  templateWorkers?: string;
  /** The bearer token of `GET /metrics` (else `SLUICE_METRICS_TOKEN`); without one `/metrics` is off. */
  metricsToken?: string;
  /** A Redis URL: runs go through the BullMQ queue shared with `sluice worker` processes (needs --database). */
  redis?: string;
  /** The Redis key prefix of the queue. @default sluice */
  redisPrefix?: string;
  /** commander's `--no-worker`: false makes an API node that executes no runs (needs --redis). */
  worker?: boolean;
  /** commander's `--no-console`: false serves no web console at `/`. */
  console?: boolean;
  debug?: boolean;
}

/** The default data folder. */
export const DEFAULT_DATA_DIR = '.sluice';

/** `connectors: my-app (connectors/my-app.ts), crm (connectors/crm/connector.ts)`, or `connectors: none`. */
export function registeredLine(registered: readonly LoadedConnector[]): string {
  const list = registered.map((entry) => `${entry.name} (${entry.file})`).join(', ');
  return `connectors: ${list === '' ? 'none (register them with --connectors <dir>)' : list}\n`;
}

/** `secret key: SLUICE_SECRET_KEY`, or the key file (and whether it was just created); never the key. */
export function secretKeyLine({ source }: LoadedSecretKey): string {
  if (source.kind === 'env') return `secret key: ${source.variable}\n`;
  const created = source.created ? ' (created; back it up: connections do not open without it)' : '';
  return `secret key: ${source.path}${created}\n`;
}

/** The metrics token: `--metrics-token`, else `SLUICE_METRICS_TOKEN`; at least 16 characters. */
export function metricsTokenOf(flag: string | undefined, env: string | undefined): string | undefined {
  const token = flag ?? (env === '' ? undefined : env);
  if (token !== undefined && !/^[\x21-\x7e]{16,}$/.test(token)) {
    const from = flag === undefined ? 'SLUICE_METRICS_TOKEN' : '--metrics-token';
    throw new CliError('SLUICE_CLI_OPTION', `${from} must be 16 or more printable characters, no spaces`, {
      hint: 'for example: openssl rand -hex 24',
    });
  }
  return token;
}

/**
 * `--redis`, `--redis-prefix` and `--no-worker` as engine options: the run queue and the step limits
 * (`concurrency`, `rate_limit`) both live in that Redis, under that prefix, so they hold across every
 * node. A shared queue needs a shared store: `--redis` without `--database` is refused (SQLite is one
 * machine's file).
 */
export function queueOptions(
  options: Pick<ServeOptions, 'redis' | 'redisPrefix' | 'worker' | 'database'>,
  command: string,
): {
  queue?: { redis: string; prefix?: string };
  limits?: { redis: string; prefix?: string };
  execute?: false;
} {
  if (options.redis === undefined) {
    if (options.worker === false) {
      throw new CliError('SLUICE_CLI_OPTION', `${command} --no-worker needs --redis`, {
        hint: 'workers take runs from the Redis queue: give --redis redis://... (and --database postgres://...)',
      });
    }
    if (options.redisPrefix !== undefined) {
      throw new CliError('SLUICE_CLI_OPTION', '--redis-prefix applies with --redis only', {
        hint: 'give --redis redis://... too, or drop --redis-prefix',
      });
    }
    return {};
  }
  if (options.database === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', `${command} --redis needs --database postgres://...`, {
      hint: 'processes sharing a queue share the store too; a SQLite file belongs to one machine',
    });
  }
  if (options.redisPrefix !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(options.redisPrefix)) {
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `--redis-prefix ${JSON.stringify(options.redisPrefix)} is not a key prefix`,
      {
        hint: 'use 1 to 64 letters, digits, dots, dashes and underscores',
      },
    );
  }
  const redis = {
    redis: options.redis,
    ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
  };
  return {
    queue: redis,
    limits: redis,
    ...(options.worker === false ? { execute: false as const } : {}),
  };
}

/**
 * The engine's warnings and errors (store or Redis unreachable and back, runs that stopped) as plain
 * lines on stderr, for processes started without --log-level.
 */
export function warningLogger(io: CommandIo): Logger {
  const quiet = (): void => {};
  const lines = createStderrLogger({ write: (line) => io.stderr(line), secrets: () => [] });
  const filtered = (logger: Logger): Logger => ({
    debug: quiet,
    info: quiet,
    warn: logger.warn,
    error: logger.error,
    child: (bindings) => filtered(logger.child(bindings)),
    isLevelEnabled: (level) => level === 'warn' || level === 'error',
  });
  return filtered(lines);
}

/** `queue: redis://host:6379 (prefix sluice), ...`: where runs go and whether this process executes them. */
export function queueLine(queue: { redis: string; prefix?: string }, executes: boolean): string {
  const where = `${maskUrl(queue.redis)} (prefix ${queue.prefix ?? 'sluice'})`;
  const who = executes
    ? 'runs execute here and on every sluice worker'
    : 'runs execute on sluice worker processes';
  return `queue: ${where}; ${who}\n`;
}

/** Opens the store `--database` or `--data-dir` names. */
export function openDataStore(options: DataOptions): Promise<SqlStore> {
  if (options.database !== undefined) {
    return openStore({
      url: options.database,
      ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
    });
  }
  if (options.databaseSchema !== undefined) {
    throw new CliError('SLUICE_CLI_OPTION', '--database-schema applies to PostgreSQL only', {
      hint: 'give --database postgres://... too, or drop --database-schema',
    });
  }
  return openStore({ file: join(options.dataDir ?? DEFAULT_DATA_DIR, 'sluice.db') });
}

export function integer(value: string | undefined, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new CliError('SLUICE_CLI_OPTION', `${option} ${value} is not an integer from 0 to ${max}`, {
      hint:
        option === '--port'
          ? 'give a port from 0 to 65535 (0 picks a free port)'
          : `give a number for ${option}`,
    });
  }
  return Number(value);
}

export function systemApis(value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  const apis = loadDataOption(value, '--system-apis');
  const ok =
    typeof apis === 'object' &&
    apis !== null &&
    !Array.isArray(apis) &&
    Object.values(apis).every((v) => typeof v === 'string');
  if (!ok) {
    throw new CliError('SLUICE_CLI_OPTION', '--system-apis must be an object of base URLs', {
      hint: `for example --system-apis '{"my_app": "http://127.0.0.1:4010"}'`,
    });
  }
  return apis as Record<string, string>;
}

/** `--lease-ms`, `--heartbeat-ms` and `--sweep-ms` as engine options; a heartbeat must beat within the lease. */
export function leaseOptions(options: Pick<ServeOptions, 'leaseMs' | 'heartbeatMs' | 'sweepMs'>): {
  leaseMs?: number;
  heartbeatMs?: number;
  sweepMs?: number;
} {
  const leaseMs = integer(options.leaseMs, '--lease-ms', 86_400_000);
  const heartbeatMs = integer(options.heartbeatMs, '--heartbeat-ms', 86_400_000);
  const sweepMs = integer(options.sweepMs, '--sweep-ms', 86_400_000);
  for (const [option, value] of [
    ['--lease-ms', leaseMs],
    ['--heartbeat-ms', heartbeatMs],
    ['--sweep-ms', sweepMs],
  ] as const) {
    if (value === 0) {
      throw new CliError('SLUICE_CLI_OPTION', `${option} must be above 0`, { hint: 'give 1 or more' });
    }
  }
  if ((heartbeatMs ?? 10_000) >= (leaseMs ?? 30_000)) {
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `--heartbeat-ms ${heartbeatMs ?? 10_000} must be below --lease-ms ${leaseMs ?? 30_000}`,
      { hint: 'renew the lease well before it runs out, e.g. a heartbeat of a third of the lease' },
    );
  }
  return {
    ...(leaseMs === undefined ? {} : { leaseMs }),
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    ...(sweepMs === undefined ? {} : { sweepMs }),
  };
}

/** The flags `sluice serve` and `sluice worker` both take that shape how runs execute. */
export type ExecutionFlags = Pick<
  ServeOptions,
  | 'grace'
  | 'concurrency'
  | 'systemApis'
  | 'leaseMs'
  | 'heartbeatMs'
  | 'sweepMs'
  | 'denyPrivateNetworks'
  | 'templateDeadlineMs'
  | 'templateMemoryMb'
  | 'templateMaxOutput'
  | 'templateFuel'
  | 'templateWorkers'
>;

/** `--template-*` as `createEngine`'s `templateLimits`. @throws {CliError} `SLUICE_CLI_OPTION` naming the flag. */
function templateLimits(options: ExecutionFlags): TemplateLimits {
  const positive = (value: string | undefined, flag: string, max: number): number | undefined => {
    const n = integer(value, flag, max);
    if (n === 0)
      throw new CliError('SLUICE_CLI_OPTION', `${flag} must be at least 1`, { hint: 'give 1 or more' });
    return n;
  };
  const limits: TemplateLimits = {
    deadlineMs: positive(options.templateDeadlineMs, '--template-deadline-ms', 3_600_000),
    memoryMb: positive(options.templateMemoryMb, '--template-memory-mb', 4095),
    maxOutputChars: positive(options.templateMaxOutput, '--template-max-output', 2 ** 29),
    fuel: positive(options.templateFuel, '--template-fuel', 0x7fff_ffff),
    workers: positive(options.templateWorkers, '--template-workers', 64),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

/**
 * Checks the execution flags and turns them into `createEngine` options, with `grace` in seconds for the
 * closing line. @throws {CliError} `SLUICE_CLI_OPTION` naming the flag.
 */
export function executionOptions(options: ExecutionFlags): {
  grace: number;
  engine: Partial<
    Pick<
      CreateEngineOptions,
      | 'systemApis'
      | 'closeGraceMs'
      | 'leaseMs'
      | 'heartbeatMs'
      | 'sweepMs'
      | 'maxConcurrentRuns'
      | 'denyPrivateNetworks'
      | 'templateLimits'
    >
  >;
} {
  const grace = integer(options.grace, '--grace', 3600) ?? 10;
  const concurrency = integer(options.concurrency, '--concurrency', 10_000);
  if (concurrency === 0) {
    throw new CliError('SLUICE_CLI_OPTION', '--concurrency 0 would run nothing', { hint: 'give 1 or more' });
  }
  return {
    grace,
    engine: {
      systemApis: systemApis(options.systemApis),
      closeGraceMs: grace * 1000,
      ...leaseOptions(options),
      ...(concurrency === undefined ? {} : { maxConcurrentRuns: concurrency }),
      ...(options.denyPrivateNetworks === true ? { denyPrivateNetworks: true } : {}),
      templateLimits: templateLimits(options),
    },
  };
}

/**
 * Serves the API, prints its URLs, and resolves once a signal stopped and closed it.
 *
 * @throws {SluiceError} `SLUICE_CLI_OPTION` for a bad flag, `SLUICE_STORE` when the store cannot be
 * opened, Fastify's listen errors when the port is taken.
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
  const { grace, engine: execution } = executionOptions(options);
  const metricsToken = metricsTokenOf(options.metricsToken, process.env.SLUICE_METRICS_TOKEN);
  const queued = queueOptions(options, 'sluice serve');
  // The engine logs runs through Fastify's pino (one JSON line each), which exists only once the API does.
  const runLog = options.logLevel === undefined ? undefined : createDeferredLogger();
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // Before the store opens: a connector that does not load stops the start with its file named.
  const registered = await loadConnectors(connectorDirs(options.connectors));
  // The key file stays in --data-dir even when the store is PostgreSQL (--database); only
  // SLUICE_SECRET_KEY is read from the environment.
  const secretKey = await loadSecretKey({ env: process.env, dataDir: options.dataDir ?? DEFAULT_DATA_DIR });
  const store = await openDataStore(options);
  const engine = createEngine({
    store,
    connectors: connectorMap(registered),
    secretKey: secretKey.key,
    ...execution,
    ...(runLog === undefined ? {} : { logger: runLog.logger }),
    ...queued,
    // Without --log-level, a shared deployment still prints its outages (store or Redis down and back).
    ...(runLog === undefined && queued.queue !== undefined ? { logger: warningLogger(io) } : {}),
    ...(queued.queue === undefined ? {} : { nodeKind: queued.execute === false ? 'api' : 'api+worker' }),
  });
  try {
    const app = await createApi({
      engine,
      ...(bodyLimit === undefined ? {} : { bodyLimit }),
      ...(jsonDepthLimit === undefined ? {} : { jsonDepthLimit }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      ...(metricsToken === undefined ? {} : { metricsToken }),
      console: options.console !== false,
    });
    runLog?.use(app.log as unknown as Logger);
    try {
      const address = await app.listen({ port, host: options.host ?? '127.0.0.1' });
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
