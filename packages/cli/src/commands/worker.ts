/**
 * `sluice worker`: a process that executes runs from the shared BullMQ queue (Redis) on the shared
 * PostgreSQL store, and serves no API. It also runs the trigger loop: the `triggers` lease in the
 * database lets exactly one process of the deployment run schedules and polls, and another takes over
 * when that one dies, so a worker-only deployment keeps its triggers. `--metrics-port` serves
 * `GET /health` and `GET /metrics` (the metrics token rule of `sluice serve`). Runs until SIGINT or
 * SIGTERM, then closes like `sluice serve`: executing runs get `--grace` seconds, the rest resume on
 * another worker.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createEngine,
  type Engine,
  EngineError,
  loadSecretKey,
  SECRET_KEY_ENV,
  SECRET_KEY_FILE,
} from '@sluice/engine';
import { CliError } from '../errors.js';
import { connectorDirs, connectorMap, loadConnectors } from '../load-connectors.js';
import type { CommandIo } from './exec.js';
import {
  type DataOptions,
  DEFAULT_DATA_DIR,
  executionOptions,
  integer,
  metricsTokenOf,
  openDataStore,
  queueLine,
  queueOptions,
  registeredLine,
  secretKeyLine,
  warningLogger,
} from './serve.js';

/** The options of `sluice worker`, as commander hands them over. */
export interface WorkerOptions extends DataOptions {
  /** The Redis URL of the queue (required). */
  redis?: string;
  /** @default sluice */
  redisPrefix?: string;
  /** Runs executing at once in this process. @default 16 */
  concurrency?: string;
  /** More `SYSTEM_APIS` entries: inline JSON or a JSON or YAML file. */
  systemApis?: string;
  /** The API node's base URL: runs see it as `SYSTEM_APIS.sluice` (and `credentials`, `runs`, ...). */
  apiUrl?: string;
  /** Folders of connector files to register (repeatable, or comma-separated). */
  connectors?: string[] | string;
  /** Serve `GET /health` and `GET /metrics` on this port. @default none */
  metricsPort?: string;
  /** @default 127.0.0.1 */
  metricsHost?: string;
  /** The bearer token of `GET /metrics` (else `SLUICE_METRICS_TOKEN`); without one `/metrics` answers 404. */
  metricsToken?: string;
  /** How long closing lets executing runs finish, in seconds. @default 10 */
  grace?: string;
  leaseMs?: string;
  heartbeatMs?: string;
  sweepMs?: string;
  /** Refuse step calls to loopback, private and link-local addresses. */
  denyPrivateNetworks?: boolean;
  debug?: boolean;
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
  const { grace, engine: execution } = executionOptions(options);
  const metricsPort = integer(options.metricsPort, '--metrics-port', 65535);
  const metricsToken = metricsTokenOf(options.metricsToken, process.env.SLUICE_METRICS_TOKEN);
  const apiUrl = apiUrlOf(options.apiUrl);
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
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
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const registered = await loadConnectors(connectorDirs(options.connectors));
  const secretKey = await loadSecretKey({ env: process.env, dataDir });
  const store = await openDataStore(options);
  const engine = createEngine({
    store,
    connectors: connectorMap(registered),
    secretKey: secretKey.key,
    ...execution,
    ...queued,
    logger: warningLogger(io),
    nodeKind: 'worker',
  });
  let server: Server | undefined;
  try {
    const resumed = await engine.start(apiUrl === undefined ? {} : { baseUrl: apiUrl });
    io.stdout(`sluice worker: store ${store.location}\n`);
    io.stdout(queueLine(queued.queue as { redis: string; prefix?: string }, true));
    io.stdout(registeredLine(registered));
    io.stdout(secretKeyLine(secretKey));
    io.stdout(`concurrency: ${execution.maxConcurrentRuns ?? 16} runs at once; node ${engine.owner}\n`);
    if (resumed > 0) io.stdout(`queued ${resumed} claimable ${resumed === 1 ? 'run' : 'runs'}\n`);
    if (metricsPort !== undefined) {
      server = await serveHealth(engine, metricsPort, options.metricsHost ?? '127.0.0.1', metricsToken);
      const { address, port } = server.address() as AddressInfo;
      io.stdout(`health  http://${address}:${port}/health\nmetrics http://${address}:${port}/metrics\n`);
    }
    io.stdout('press Ctrl-C to stop\n');
    const signal = await stopped;
    io.stdout(`${signal}: closing (runs still executing after ${grace}s resume on another worker)\n`);
    await engine.close();
  } finally {
    await engine.close();
    if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
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

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** `{"error": {"code", "message", "details"}}`, the API's error shape. */
function fail(res: ServerResponse, status: number, code: string, message: string, hint: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ error: { code, message, details: { hint } } }));
}

/** `GET /health` and `GET /metrics` (bearer `token`; 404 without one), as `sluice serve` answers them. */
async function serveHealth(
  engine: Engine,
  port: number,
  host: string,
  token: string | undefined,
): Promise<Server> {
  const expected = token === undefined ? undefined : digest(token);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method !== 'GET' || (path !== '/health' && path !== '/metrics')) {
      fail(res, 404, 'SLUICE_API_NOT_FOUND', `no route ${req.method} ${path}`, 'GET /health or /metrics');
      return;
    }
    if (path === '/health') {
      res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify({ status: 'ok', node: engine.owner }));
      return;
    }
    if (expected === undefined) {
      fail(
        res,
        404,
        'SLUICE_API_NOT_FOUND',
        'GET /metrics is off on this worker',
        'start it with --metrics-token',
      );
      return;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match === null || !timingSafeEqual(digest(match[1] as string), expected)) {
      fail(
        res,
        401,
        'SLUICE_API_UNAUTHORIZED',
        'GET /metrics needs the metrics token',
        'send Authorization: Bearer <the --metrics-token of the worker>',
      );
      return;
    }
    engine.metrics.scrape().then(
      ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType }).end(text),
      () => fail(res, 500, 'SLUICE_API_INTERNAL', 'the metrics could not be read', 'see the worker log'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
