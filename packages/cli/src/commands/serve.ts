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
import { createApi, createEngine, openStore, type SqlStore } from '@sluice/engine';
import { CliError } from '../errors.js';
import { loadDataOption } from '../load-data-file.js';
import type { CommandIo } from './exec.js';

/** Where the service keeps its data: `--data-dir` and `--database`. */
export interface DataOptions {
  /** The folder of the SQLite store (`sluice.db`). @default .sluice */
  dataDir?: string;
  /** A PostgreSQL URL; the store lives there instead of in the data dir. */
  database?: string;
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
  /** How long closing lets executing runs finish, in seconds. @default 10 */
  grace?: string;
  /** Log requests as pino JSON lines on stdout at this level. */
  logLevel?: string;
  debug?: boolean;
}

/** The default data folder. */
export const DEFAULT_DATA_DIR = '.sluice';

/** Opens the store `--database` or `--data-dir` names. */
export function openDataStore(options: DataOptions): Promise<SqlStore> {
  if (options.database !== undefined) return openStore({ url: options.database });
  return openStore({ file: join(options.dataDir ?? DEFAULT_DATA_DIR, 'sluice.db') });
}

function integer(value: string | undefined, option: string, max: number): number | undefined {
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

function systemApis(value: string | undefined): Record<string, string> {
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

/**
 * Serves the API, prints its URLs, and resolves once a signal stopped and closed it.
 *
 * @throws {SluiceError} `SLUICE_CLI_OPTION` for a bad flag, `SLUICE_STORE` when the store cannot be
 * opened, Fastify's listen errors when the port is taken.
 */
export async function serveCommand(options: ServeOptions, io: CommandIo): Promise<void> {
  const port = integer(options.port, '--port', 65535) ?? 8080;
  const bodyLimit = integer(options.bodyLimit, '--body-limit', 2 ** 31);
  const grace = integer(options.grace, '--grace', 3600) ?? 10;
  const apis = systemApis(options.systemApis);
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const store = await openDataStore(options);
  const engine = createEngine({ store, systemApis: apis, closeGraceMs: grace * 1000 });
  try {
    const app = await createApi({
      engine,
      ...(bodyLimit === undefined ? {} : { bodyLimit }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    });
    try {
      const address = await app.listen({ port, host: options.host ?? '127.0.0.1' });
      const resumed = await engine.start({ baseUrl: address });
      io.stdout(`sluice serve: store ${store.location}\n`);
      if (resumed > 0) io.stdout(`resumed ${resumed} unfinished ${resumed === 1 ? 'run' : 'runs'}\n`);
      io.stdout(`API  ${address}/v1\ndocs ${address}/docs\npress Ctrl-C to stop\n`);
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
