/**
 * A server for the server benchmark, in its own process (started by `bench/server/run.ts` with an IPC
 * channel). The kinds:
 *
 * - `router`: the service `sluice new service` generates (`packages/cli/templates/service`: its
 *   `app_config.yaml`, its hello route and `schema.json`), served by `@sluice/server` as its `main.ts` does;
 *   only host and port are overridden (and `cors_origins` when the benchmark is given `--cors`).
 * - `fastify`: a bare Fastify app configured the same way: the same logger level and destination (pino on
 *   stdout), the same CORS, the same handler and the same body schema, validated by Fastify's Ajv with the
 *   router's options (all errors, no type coercion).
 * - `plain`: the same bare Fastify app without a logger and without CORS.
 *
 * Sends `{url}` over IPC once listening; answers `'cpu'` with `{cpu: process.cpuUsage()}`; stops on SIGTERM
 * or when the channel closes.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import { loadConfig, Router } from '@sluice/server';
import Fastify from 'fastify';

/** The service template `sluice new service` copies. */
const TEMPLATE = fileURLToPath(new URL('../../packages/cli/templates/service/', import.meta.url));
const kind = process.argv[2];
/** `--cors` of the benchmark: origins that replace the template's `cors_origins` on every side but `plain`. */
const corsOverride: string[] | undefined =
  process.argv[3] === undefined || process.argv[3] === '' ? undefined : process.argv[3].split(',');

/** Everything but host and port comes from the template's files; the environment is left out. */
const configOptions = {
  cwd: TEMPLATE,
  env: {},
  envFile: false,
  settings: {
    host: '127.0.0.1',
    port: 0,
    ...(corsOverride === undefined ? {} : { cors_origins: corsOverride }),
  },
};

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  if (kind === 'router') {
    const router = new Router(configOptions);
    return { url: await router.runApp(), close: () => router.close() };
  }
  if (kind === 'fastify' || kind === 'plain') {
    const { settings } = loadConfig(configOptions);
    const same = kind === 'fastify';
    const schema = JSON.parse(readFileSync(`${TEMPLATE}routes/hello/v1/schema.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    const { $schema: _draft, ...data } = schema;
    const app = Fastify({
      // Fastify's own logger: pino at the service's level, on stdout, with Fastify's defaults.
      logger: same && settings.log_level !== 'silent' ? { level: settings.log_level } : false,
      ajv: {
        customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true },
      },
    });
    const origins = settings.cors_origins;
    if (same && origins.length > 0)
      await app.register(cors, { origin: origins.includes('*') ? '*' : origins });
    app.post(
      '/hello/v1/execute',
      { schema: { body: { type: 'object', properties: { data: { default: {}, ...data } } } } },
      async (request) => {
        const name = (request.body as { data?: { name?: string } }).data?.name ?? 'World';
        return { data: { message: `Hello, ${name}!` } };
      },
    );
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  }
  throw new Error(`unknown server kind ${kind}: use router, fastify or plain`);
}

const server = await start();
const send = (message: unknown) => process.send?.(message);
process.on('message', (message) => {
  if (message === 'cpu') send({ cpu: process.cpuUsage() });
});
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
send({ url: server.url });
