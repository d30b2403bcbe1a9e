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
import { internalsOf } from '../engine-internals.js';
import type { Engine } from '../engine-options.js';
import { EngineError } from '../errors.js';
import { HOOK_KEY_PURPOSE } from '../triggers/kinds/webhook.js';
import { assertCallerMay, setCaller } from './access.js';
import { ApiKeyCache } from './api-key-cache.js';
import { authenticate } from './auth.js';
import { answerExpectation, requireHostHeader } from './client-errors.js';
import { CONSOLE_PATHS, consoleRoutes } from './console.js';
import { errorShapeOptions, notFoundHandler } from './error-shape-options.js';
import { errorReply } from './errors.js';
import { nestsDeeperThan } from './json-depth.js';
import { checkQueryNumbers } from './query-numbers.js';
import { logRequests } from './request-log.js';
import { attemptRoutes } from './routes/attempts.js';
import { connectionRoutes } from './routes/connections.js';
import { connectorRoutes } from './routes/connectors.js';
import { credentialRoutes } from './routes/credentials.js';
import { healthRoutes } from './routes/health.js';
import { hookRoutes } from './routes/hooks.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import { runRoutes } from './routes/runs.js';
import { settingsRoutes } from './routes/settings.js';
import { stepTestRoutes } from './routes/step-test.js';
import { templateReferenceRoutes } from './routes/template-reference.js';
import { triggerRoutes } from './routes/triggers.js';
import { validateRoutes } from './routes/workflow-validate.js';
import { versionRoutes } from './routes/workflow-versions.js';
import { rawBodies, workflowRoutes, YAML_TYPES } from './routes/workflows.js';
import { MAX_PARAM_LENGTH } from './schemas.js';

/** Options of {@link createApi}. */
export interface CreateApiOptions {
  /** The engine whose store and runs the API serves. */
  engine: Engine;
  /** The largest request body, in bytes; larger ones answer 413. @default 1048576 */
  bodyLimit?: number;
  /**
   * How deep a JSON body may nest arrays and objects; deeper ones answer 400 `SLUICE_API_BAD_REQUEST`
   * before they are parsed (the run pipeline stores inputs with `JSON.stringify`, whose stack gives out
   * a few thousand levels down). @default 1000
   */
  jsonDepthLimit?: number;
  /** How long `?wait=true` waits for a run to end, in ms. @default 30000 */
  waitLimitMs?: number;
  /** Log requests with Fastify's pino at this level (JSON lines on stdout). @default no logging */
  logLevel?: string;
  /** Where the log lines of `logLevel` go. @default stdout */
  logStream?: { write(line: string): void };
  /** The clock for stored timestamps (and the API-key cache). @default Date.now */
  now?: () => number;
  /**
   * How long a found API key is taken without reading the store again, in ms: a revoked key (`sluice
   * keys revoke`) is refused within this time. 0: read the store on every request. @default 1000
   */
  apiKeyCacheMs?: number;
  /**
   * The bearer token `GET /metrics` takes (Prometheus `authorization` / `bearer_token`); API keys do not
   * open it, since the metrics span every workspace. @default none: `/metrics` answers 404
   */
  metricsToken?: string;
  /**
   * Serve the web console at `/` from this folder: the console package's build (`packages/console/dist`;
   * `sluice serve` finds it). A folder without a build answers `/` with a 503 page saying how to build
   * it. `false` or none: no console (`/` is then an unknown path: 401 without a key, 404 with one).
   * @default none
   */
  console?: string | false;
}

/** The defaults of {@link CreateApiOptions}. */
export const API_DEFAULTS = Object.freeze({
  bodyLimit: 1_048_576,
  jsonDepthLimit: 1000,
  waitLimitMs: 30_000,
  apiKeyCacheMs: 1000,
} as const);

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
  const consoleFolder = typeof options.console === 'string' ? options.console : undefined;
  const jsonDepthLimit = options.jsonDepthLimit ?? API_DEFAULTS.jsonDepthLimit;
  if (!Number.isInteger(jsonDepthLimit) || jsonDepthLimit < 1) {
    throw new RangeError(`createApi: jsonDepthLimit must be an integer of 1 or more (got ${jsonDepthLimit})`);
  }
  // Fastify and its docs plugins load here, not with the package: `sluice run` imports the engine too and
  // never serves HTTP (they cost about 200 ms at start-up).
  const [{ default: Fastify, LogController }, { default: swagger }, { default: swaggerUi }] =
    await Promise.all([import('fastify'), import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? API_DEFAULTS.bodyLimit,
    logger:
      options.logLevel === undefined
        ? false
        : {
            level: options.logLevel,
            redact: ['req.headers.authorization'],
            ...(options.logStream === undefined ? {} : { stream: options.logStream }),
          },
    // One line per request instead (request-log.ts), with webhook secrets masked.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    ...errorShapeOptions((err, request) => request.log.error({ err }, 'request failed')),
  });
  app.server.on('checkExpectation', answerExpectation);
  const { store } = internalsOf(engine);
  const apiKeys = new ApiKeyCache(
    options.apiKeyCacheMs ?? API_DEFAULTS.apiKeyCacheMs,
    options.now ?? Date.now,
  );
  const hookKey = internalsOf(engine).deriveKey(HOOK_KEY_PURPOSE);
  logRequests(app, hookKey);
  app.removeAllContentTypeParsers();
  // Fastify's own JSON parser (it refuses __proto__ and constructor poisoning), keeping the raw text.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    rawBodies.set(request, text);
    if (text.trim() === '') return done(null, undefined);
    if (nestsDeeperThan(text, jsonDepthLimit)) {
      const message = `the JSON body nests arrays and objects more than ${jsonDepthLimit} levels deep`;
      const err = new EngineError('SLUICE_API_BAD_REQUEST', message);
      const hint = 'flatten the data; the limit is the service option --json-depth-limit';
      return done(Object.assign(err, { details: { limit: jsonDepthLimit, hint } }), undefined);
    }
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
    const { status, body } = errorReply(err, request.id);
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler(notFoundHandler(hookKey));
  app.addHook('preValidation', checkQueryNumbers);
  app.addHook('onRequest', requireHostHeader);
  app.addHook('onRequest', async (request) => {
    if (PUBLIC.test(request.url) || (consoleFolder !== undefined && CONSOLE_PATHS.test(request.url))) return;
    const caller = await authenticate(store, request.headers.authorization, {
      runTokens: engine.runTokens,
      keys: apiKeys,
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
  healthRoutes(app, engine);
  meRoutes(app);
  const publishChecks = {
    templates: engine.templates,
    stepKinds: engine.stepKinds,
    triggerKinds: engine.triggerKinds,
    connectors: engine.connectors,
    systemApis: () => internalsOf(engine).stepTestPorts.systemApis(),
  };
  workflowRoutes(app, store, options.now ?? Date.now, publishChecks, engine.triggers);
  validateRoutes(app, store, publishChecks);
  templateReferenceRoutes(app, publishChecks.systemApis);
  versionRoutes(app, store);
  triggerRoutes(app, engine);
  await hookRoutes(app, engine, options.now ?? Date.now);
  runRoutes(app, engine, options.waitLimitMs ?? API_DEFAULTS.waitLimitMs);
  attemptRoutes(app, engine);
  settingsRoutes(app, engine);
  stepTestRoutes(app, engine);
  metricsRoutes(app, engine, options.metricsToken);
  connectionRoutes(app, engine.connections);
  connectorRoutes(app, engine.connectors);
  credentialRoutes(app, engine.connections);
  if (consoleFolder !== undefined) await consoleRoutes(app, consoleFolder);
  return app;
}
