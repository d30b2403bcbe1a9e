/**
 * The engine service's HTTP API (Fastify): `Authorization: Bearer <key>` on every route but
 * `/health`, `/openapi.json`, `/docs`, the webhooks `/v1/hooks/...` (their URL holds a secret) and the web
 * console's files (`/`, `/assets/...`: console.ts); JSON Schema on every route; errors as
 * `{"error": {"code", "message", "details"}}` with the status of `API_STATUS_BY_CODE`. See
 * `docs/service.md`.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../create-engine.js';
import { EngineError } from '../errors.js';
import { assertCallerMay, setCaller } from './access.js';
import { authenticate } from './auth.js';
import { CONSOLE_PATHS, consoleRoutes } from './console.js';
import { errorReply } from './errors.js';
import { logRequests } from './request-log.js';
import { connectionRoutes } from './routes/connections.js';
import { connectorRoutes } from './routes/connectors.js';
import { credentialRoutes } from './routes/credentials.js';
import { hookRoutes } from './routes/hooks.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import { runRoutes } from './routes/runs.js';
import { triggerRoutes } from './routes/triggers.js';
import { validateRoutes } from './routes/workflow-validate.js';
import { versionRoutes } from './routes/workflow-versions.js';
import { rawBodies, workflowRoutes, YAML_TYPES } from './routes/workflows.js';

/** Options of {@link createApi}. */
export interface CreateApiOptions {
  /** The engine whose store and runs the API serves. */
  engine: Engine;
  /** The largest request body, in bytes; larger ones answer 413. @default 1048576 */
  bodyLimit?: number;
  /** How long `?wait=true` waits for a run to end, in ms. @default 30000 */
  waitLimitMs?: number;
  /** Log requests with Fastify's pino at this level (JSON lines on stdout). @default no logging */
  logLevel?: string;
  /** The clock for stored timestamps. @default Date.now */
  now?: () => number;
  /**
   * The bearer token `GET /metrics` takes (Prometheus `authorization` / `bearer_token`); API keys do not
   * open it, since the metrics span every workspace. @default none: `/metrics` answers 404
   */
  metricsToken?: string;
  /**
   * Serve the web console at `/`: `true` for the one built into this package, a folder for another
   * build, `false` for none (`/` is then an unknown path: 401 without a key, 404 with one). @default true
   */
  console?: boolean | string;
}

/** The defaults of {@link CreateApiOptions}. */
export const API_DEFAULTS = Object.freeze({ bodyLimit: 1_048_576, waitLimitMs: 30_000 } as const);

// Webhooks authenticate with the secret in their URL, not with an API key.
// `/metrics` checks its own token (routes/metrics.ts), not API keys.
const PUBLIC = /^\/(health|openapi\.json|docs|v1\/hooks|metrics)(\/|\?|$)/;

/**
 * Builds the API on `options.engine` (not listening yet: call `listen`, or `inject` in tests).
 * Closing the app does not close the engine or the store.
 *
 * @example
 * ```ts
 * const app = await createApi({ engine });
 * const address = await app.listen({ port: 8080, host: '127.0.0.1' });
 * ```
 */
export async function createApi(options: CreateApiOptions): Promise<FastifyInstance> {
  const { engine } = options;
  const serveConsole = options.console !== false;
  // Fastify and its docs plugins load here, not with the package: `sluice run` imports the engine too and
  // never serves HTTP (they cost about 200 ms at start-up).
  const [{ default: Fastify, LogController }, { default: swagger }, { default: swaggerUi }] =
    await Promise.all([import('fastify'), import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? API_DEFAULTS.bodyLimit,
    logger:
      options.logLevel === undefined
        ? false
        : { level: options.logLevel, redact: ['req.headers.authorization'] },
    // One line per request instead (request-log.ts), with secret path parameters masked.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
  });
  logRequests(app);
  app.removeAllContentTypeParsers();
  // Fastify's own JSON parser (it refuses __proto__ and constructor poisoning), keeping the raw text.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    rawBodies.set(request, text);
    if (text.trim() === '') return done(null, undefined);
    void parseJson(request, text, (err, value) => {
      if (err === null) return done(null, value);
      const message = `the body is not valid JSON: ${err.message}`;
      done(new EngineError('SLUICE_API_BAD_REQUEST', message, { cause: err }), undefined);
    });
  });
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) =>
    done(null, String(body)),
  );

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorReply(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: 'SLUICE_API_NOT_FOUND',
        message: `no route ${request.method} ${request.url}`,
        details: null,
      },
    }),
  );
  app.addHook('onRequest', async (request) => {
    if (PUBLIC.test(request.url) || (serveConsole && CONSOLE_PATHS.test(request.url))) return;
    const caller = await authenticate(engine.store, request.headers.authorization, {
      runTokens: engine.runTokens,
    });
    // Run tokens are narrower than keys: checked here, once, for every route.
    assertCallerMay(caller, request.method, request.routeOptions.url);
    setCaller(request, caller);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sluice engine API', description: 'Publish workflows and run them.', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness, and how many runs are queued or executing here',
        tags: ['service'],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, queue_depth: { type: 'integer' } },
          },
        },
      },
    },
    async () => ({ status: 'ok', queue_depth: engine.queueDepth }),
  );
  meRoutes(app);
  workflowRoutes(app, engine.store, options.now ?? Date.now, engine.triggers, engine.connectors);
  validateRoutes(app, engine.store, engine.connectors);
  versionRoutes(app, engine.store);
  triggerRoutes(app, engine);
  await hookRoutes(app, engine, options.now ?? Date.now);
  runRoutes(app, engine, options.waitLimitMs ?? API_DEFAULTS.waitLimitMs);
  metricsRoutes(app, engine, options.metricsToken);
  connectionRoutes(app, engine.connections);
  connectorRoutes(app, engine.connectors);
  credentialRoutes(app, engine.connections);
  if (serveConsole)
    await consoleRoutes(app, typeof options.console === 'string' ? options.console : undefined);
  return app;
}
