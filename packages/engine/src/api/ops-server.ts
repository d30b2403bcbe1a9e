/**
 * The ops server of a process that serves no API (`sluice worker --metrics-port`): `GET /health` and
 * `GET /metrics` only, registered by the API's own route functions, so both answer exactly as on the API
 * (bodies, statuses, the metrics token rule) and errors take the API's shape
 * `{"error": {"code", "message", "details"}}`. No API key opens or is needed for anything here.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { internalsOf } from '../engine-internals.js';
import type { Engine } from '../engine-options.js';
import { HOOK_KEY_PURPOSE } from '../triggers/kinds/webhook.js';
import { answerExpectation, requireHostHeader } from './client-errors.js';
import { errorShapeOptions, notFoundHandler } from './error-shape-options.js';
import { errorReply } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';

/** Options of {@link createOpsServer}. */
export interface OpsServerOptions {
  /** The engine whose queue depth and metrics the server reports. */
  engine: Engine;
  /**
   * The bearer token `GET /metrics` takes, as `createApi`'s `metricsToken`. @default none: `/metrics`
   * answers 404
   */
  metricsToken?: string;
}

/**
 * Builds the ops server on `options.engine` (not listening yet: call `listen`, or `inject` in tests).
 * Closing it does not close the engine.
 *
 * @example
 * ```ts
 * const ops = await createOpsServer({ engine, metricsToken });
 * await ops.listen({ port: 9464, host: '127.0.0.1' });
 * ```
 */
export async function createOpsServer(options: OpsServerOptions): Promise<FastifyInstance> {
  const { engine } = options;
  // Fastify loads here, not with the package, as in createApi.
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, ...errorShapeOptions() });
  app.server.on('checkExpectation', answerExpectation);
  // No route takes a body: any request body is read and dropped, so every other request answers 404.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorReply(err, request.id);
    return reply.status(status).send(body);
  });
  const hookKey = internalsOf(engine).deriveKey(HOOK_KEY_PURPOSE);
  app.setNotFoundHandler(notFoundHandler(hookKey));
  app.addHook('onRequest', requireHostHeader);
  healthRoutes(app, engine);
  metricsRoutes(app, engine, options.metricsToken);
  return app;
}
