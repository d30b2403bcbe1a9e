/**
 * `Router`: the connector service. It loads the settings, discovers the route files, and builds a Fastify
 * app with validation, the standard response shapes, the built-in endpoints, docs, CORS and Sentry.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import cors from '@fastify/cors';
import type { Connector } from '@sluice/sdk';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAppConfig } from './builtins/app-config.js';
import { registerDocs } from './builtins/docs.js';
import { registerHealth } from './builtins/health.js';
import { registerModulesList } from './builtins/modules-list.js';
import {
  type MountedRoute,
  type RouteReport,
  registerRoutesReport,
  type SkippedRouteFile,
} from './builtins/routes.js';
import type { AppSettings } from './config/app-settings.js';
import { type LoadConfigOptions, loadConfig, type ResolvedServerConfig } from './config/load-config.js';
import { connectorRoutes } from './connector/connector-routes.js';
import { DISCOVERY_RULES, findRoutes } from './discovery/find-routes.js';
import { loadRouteFile, readSchemaFile } from './discovery/load-route-file.js';
import { type ModuleInfo, moduleInfo } from './discovery/module-config.js';
import { type ClaimedRoute, mountRoutes, planRoutes, type RouteGroup } from './discovery/mount-routes.js';
import { installErrorHandler, installNotFoundHandler } from './error-handlers.js';
import { RouteDiscoveryError, ServerError } from './errors.js';
import { loggingOptions } from './logging/logging-options.js';
import type { ErrorContext } from './response.js';
import { createSentryReporter, type ErrorReporter } from './sentry.js';
import { moduleDataSchema, schemaFormatOf } from './validation/module-schema.js';
import { checkDataSchema, createAjv, validatorCompiler } from './validation/request-schema.js';

/** Options of {@link Router}. */
export interface RouterOptions {
  /** The project folder. @default the config file's folder, else the working directory */
  cwd?: string | undefined;
  /** The config file. @default `<cwd>/app_config.yaml`, when it exists */
  configPath?: string | undefined;
  /** Settings that win over the file and the environment (command-line flags). */
  settings?: Partial<AppSettings> | undefined;
  /** Where `SLUICE_*` and `ENVIRONMENT` are read. @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Read `<project>/.env`. @default true */
  envFile?: boolean | undefined;
  /** Also serve this `defineConnector` connector: `/<action>/v1/execute`, `/<trigger>/v1/poll`, `/test`. */
  connector?: Connector | undefined;
  /** How `GET /routes` names the connector (its file). @default 'connector' */
  connectorSource?: string | undefined;
  /**
   * `false` for no logs, `true` for pino at `log_level`, or a pino logger of your own. Each request is
   * logged at `debug` (`incoming request`, `request completed`); start-up lines at `info`.
   * @default true when `log_level` is not `silent` (it is `silent` unless configured)
   */
  logger?: boolean | FastifyBaseLogger | undefined;
  /** The clock of error `timestamp`s. @default () => new Date() */
  now?: (() => Date) | undefined;
}

/**
 * A connector service. `new Router()` reads `app_config.yaml` (and `.env`, `SLUICE_*` variables) and
 * builds `router.app`, a Fastify app; the route files under `routes/<module>/v<N>/route.ts` are loaded
 * when the app gets ready. `runApp()` listens on the configured host and port.
 *
 * @example
 * // main.ts
 * import { Router } from '@sluice/server';
 * const router = new Router();
 * await router.runApp();
 *
 * @example
 * // a test
 * const router = new Router({ cwd: 'examples/hello-service' });
 * await router.ready();
 * const res = await router.app.inject({ method: 'POST', url: '/hello/v1/execute', payload: { data: { name: 'Ada' } } });
 * await router.close();
 *
 * @throws {ConfigError} from the constructor, when a setting is wrong (`SLUICE_CONFIG_*`, naming key and line).
 */
export class Router {
  /** The Fastify app: add hooks or routes of your own before `ready()`. */
  readonly app: FastifyInstance;
  /** The resolved, frozen settings. */
  readonly config: ResolvedServerConfig;
  readonly #options: RouterOptions;
  readonly #context: ErrorContext;
  #reporter: ErrorReporter | undefined;
  #mounted: readonly MountedRoute[] = [];
  #skipped: readonly SkippedRouteFile[] = [];
  #modules: readonly ModuleInfo[] = [];
  #closing: Promise<void> | undefined;
  #signals: (() => void) | undefined;

  constructor(options: RouterOptions = {}) {
    this.#options = options;
    const configOptions: LoadConfigOptions = {
      cwd: options.cwd,
      configPath: options.configPath,
      settings: options.settings,
      env: options.env,
      envFile: options.envFile,
    };
    this.config = loadConfig(configOptions);
    this.app = Fastify({
      ...loggingOptions(options.logger, this.config.settings.log_level),
      return503OnClosing: true,
      forceCloseConnections: 'idle',
    });
    this.#context = { environment: this.config.environment, now: options.now ?? (() => new Date()) };
    this.app.setValidatorCompiler(validatorCompiler(createAjv()));
    installNotFoundHandler(this.app, this.#context);
    installErrorHandler(this.app, this.#context, () => this.#reporter);
    const setup = async (app: FastifyInstance) => this.#setup(app);
    // Registered on the root context (like fastify-plugin), so CORS hooks apply to every route.
    Object.defineProperty(setup, Symbol.for('skip-override'), { value: true });
    void this.app.register(setup);
  }

  /** The mounted routes (known once `ready()` resolved). */
  get routes(): readonly MountedRoute[] {
    return this.#mounted;
  }

  /** The modules of the route files, as `GET /modules-list` shows them (known once `ready()` resolved). */
  get modules(): readonly ModuleInfo[] {
    return this.#modules;
  }

  /** What `GET /routes` shows: mounted routes, skipped files with the reason, and the discovery rules. */
  report(): RouteReport {
    return { routes: this.#mounted, skipped: this.#skipped, rules: DISCOVERY_RULES };
  }

  /**
   * Loads the route files and readies the app (for `app.inject()`).
   *
   * @throws {RouteDiscoveryError} when a route file does not load, a schema.json is invalid or two routes
   *   clash (`SLUICE_ROUTE_*`); start-up stops.
   */
  async ready(): Promise<void> {
    await this.app.ready();
  }

  /**
   * Readies the app and listens on the configured host and port; closes on SIGINT and SIGTERM.
   * Resolves to the address, as `http://127.0.0.1:2005`.
   *
   * @throws {ServerError} `SLUICE_SERVER_LISTEN` when the port is taken or the host is not local.
   */
  async runApp(): Promise<string> {
    await this.ready();
    const { host, port } = this.config.settings;
    let address: string;
    try {
      address = await this.app.listen({ host, port });
    } catch (err) {
      throw new ServerError(
        'SLUICE_SERVER_LISTEN',
        `cannot listen on ${host}:${port}: ${(err as Error).message}`,
        {
          cause: err,
          hint:
            (err as { code?: unknown }).code === 'EADDRINUSE'
              ? 'stop the other server, or pick another port (port in app_config.yaml, or SLUICE_PORT)'
              : 'check host and port in app_config.yaml (or SLUICE_HOST, SLUICE_PORT)',
        },
      );
    }
    const stop = () => {
      void this.close();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    this.#signals = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    return address;
  }

  /** Stops listening, then flushes and closes Sentry. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#signals?.();
      try {
        await this.app.close();
      } finally {
        await this.#reporter?.close();
      }
    })();
    return this.#closing;
  }

  /** Calls {@link Router.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #setup(app: FastifyInstance): Promise<void> {
    const { settings, environment } = this.config;
    if (settings.sentry_dsn !== null && settings.sentry_dsn !== '') {
      this.#reporter = await createSentryReporter({
        dsn: settings.sentry_dsn,
        environment,
        serverName: settings.app_name,
      });
    }
    if (settings.cors_origins.length > 0) {
      const origins = settings.cors_origins;
      await app.register(cors, { origin: origins.includes('*') ? '*' : [...origins] });
    }
    await registerDocs(app, settings, projectVersion(this.config.projectDir));
    registerHealth(app);
    registerRoutesReport(app, () => this.report());
    registerAppConfig(app, this.config, () => this.#modules);
    registerModulesList(app, () => this.#modules);
    const claimed: ClaimedRoute[] = [
      '/health',
      '/routes',
      '/app-config',
      '/modules-list',
      '/openapi.json',
      '/docs',
    ].map((url) => ({
      method: 'GET',
      url,
      source: 'the built-in endpoints',
    }));

    const log = app.log;
    for (const warning of this.config.warnings) {
      log.warn({ file: warning.source, key: warning.key, line: warning.line }, warning.message);
    }
    const { groups, skipped, modules } = await this.#discover();
    const mounted = planRoutes(groups, claimed);
    mountRoutes(app, groups, this.#context);
    this.#mounted = Object.freeze(mounted);
    this.#skipped = Object.freeze(skipped);
    this.#modules = Object.freeze(modules);
    if (environment === 'dev') log.info({ rules: DISCOVERY_RULES }, 'route discovery rules');
    for (const route of mounted)
      log.info({ method: route.method, url: route.url, file: route.file }, 'route mounted');
    for (const skip of skipped) log.warn({ file: skip.file, reason: skip.reason }, 'route file skipped');
  }

  async #discover(): Promise<{ groups: RouteGroup[]; skipped: SkippedRouteFile[]; modules: ModuleInfo[] }> {
    const { projectDir, routesDir, sources } = this.config;
    const shown = (file: string) => relative(projectDir, file) || file;
    const groups: RouteGroup[] = [];
    const skipped: SkippedRouteFile[] = [];
    const modules: ModuleInfo[] = [];
    if (!existsSync(routesDir)) {
      if (sources.routes_directory !== 'default') {
        throw new RouteDiscoveryError(
          'SLUICE_ROUTE_DIR',
          shown(routesDir),
          `routes directory ${shown(routesDir)} does not exist (routes_directory from ${sources.routes_directory})`,
          {
            hint: 'create it, or fix routes_directory',
          },
        );
      }
    }
    const found = findRoutes(routesDir);
    for (const skip of found.skipped) skipped.push({ file: shown(skip.file), reason: skip.reason });
    const ajv = createAjv();
    for (const entry of found.found) {
      const file = shown(entry.file);
      const routes = await loadRouteFile(entry.file, file);
      if (routes.length === 0) {
        skipped.push({
          file,
          reason: 'it exports no route: export const execute = route({ path: "/execute" }, handler)',
        });
        continue;
      }
      let schema: Record<string, unknown> | undefined;
      let moduleSchema: Record<string, unknown> | undefined;
      if (entry.schemaFile !== undefined) {
        const schemaShown = shown(entry.schemaFile);
        const content = readSchemaFile(entry.schemaFile, schemaShown);
        if (schemaFormatOf(content, schemaShown) === 'stacksync-module') {
          moduleSchema = content;
          schema = moduleDataSchema(content);
        } else schema = content;
        checkDataSchema(ajv, schema, schemaShown);
      }
      const prefix = `/${entry.module}/${entry.version}`;
      groups.push({
        module: entry.module,
        version: entry.version,
        prefix,
        source: file,
        schema,
        moduleSchema,
        routes,
      });
      const info = moduleInfo(
        entry.module,
        entry.version,
        this.config.settings.app_type,
        entry.moduleConfigFile,
      );
      if (info.problem !== undefined && entry.moduleConfigFile !== undefined) {
        this.app.log.warn(
          { file: shown(entry.moduleConfigFile) },
          `${shown(entry.moduleConfigFile)} is not used: ${info.problem}`,
        );
      }
      modules.push(info.module);
    }
    if (this.#options.connector !== undefined) {
      const source = this.#options.connectorSource ?? 'connector';
      const served = await connectorRoutes(this.#options.connector, source);
      groups.push(...served.groups);
      skipped.push(...served.skipped);
    }
    return { groups, skipped, modules };
  }
}

/** The `version` of the project's package.json, for the OpenAPI document. */
function projectVersion(projectDir: string): string {
  try {
    const version = (JSON.parse(readFileSync(`${projectDir}/package.json`, 'utf8')) as { version?: unknown })
      .version;
    return typeof version === 'string' ? version : '1.0.0';
  } catch {
    return '1.0.0';
  }
}
