/**
 * A server for the server benchmark, in its own process: `router` serves examples/hello-service with
 * `@sluice/server` (its schema.json validated); `fastify` is a bare Fastify app with the same handler and
 * the same schema on the body. Prints `{"url": ...}` once listening; stops on SIGTERM.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from '@sluice/server';
import Fastify from 'fastify';

const HELLO_SERVICE = fileURLToPath(new URL('../../examples/hello-service/', import.meta.url));
const kind = process.argv[2];

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  if (kind === 'router') {
    const router = new Router({
      cwd: HELLO_SERVICE,
      env: {},
      logger: false,
      // CORS off on both sides: the comparison is about the framework, not the CORS hook.
      settings: { host: '127.0.0.1', port: 0, cors_origins: [] },
    });
    return { url: await router.runApp(), close: () => router.close() };
  }
  if (kind === 'fastify') {
    const schema = JSON.parse(readFileSync(`${HELLO_SERVICE}routes/hello/v1/schema.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    const { $schema: _draft, ...data } = schema;
    // Validation as strict as the router's: all errors, no type coercion (Fastify coerces by default).
    const app = Fastify({
      logger: false,
      ajv: {
        customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true },
      },
    });
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
  throw new Error(`unknown server kind ${kind}: use router or fastify`);
}

const server = await start();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
