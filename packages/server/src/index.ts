/**
 * `@sluice/server`: serve connectors over HTTP. Drop route files into `routes/<module>/v<N>/route.ts`
 * and get validation (`schema.json`), standard responses, correct status codes, docs, CORS, health
 * checks and Sentry.
 *
 * ```ts
 * // main.ts
 * import { Router } from '@sluice/server';
 * const router = new Router();
 * await router.runApp();
 *
 * // routes/send_message/v1/route.ts
 * import { route, Response } from '@sluice/server';
 * export const execute = route({ path: '/execute', methods: ['POST'] }, async (request) => {
 *   return Response.success({ data: { message: `Hello, ${request.data.name ?? 'World'}!` } });
 * });
 * ```
 *
 * @module
 */
export type { MountedRoute, RouteReport, SkippedRouteFile } from './builtins/routes.js';
export type { AppSettings, Environment, LogLevel } from './config/app-settings.js';
export { DEFAULT_APP_SETTINGS } from './config/app-settings.js';
export type { ConfigWarning, LoadConfigOptions, ResolvedServerConfig } from './config/load-config.js';
export { loadConfig } from './config/load-config.js';
export { DISCOVERY_RULES } from './discovery/find-routes.js';
export type { ModuleInfo } from './discovery/module-config.js';
export type { ManagedErrorCode, ManagedErrorInit, ServerErrorCode } from './errors.js';
export { ConfigError, ManagedError, RouteDiscoveryError, SERVER_ERROR_CODES, ServerError } from './errors.js';
export { Request } from './request.js';
export type { ContentObjectInit, ErrorBody, ErrorInit, SuccessBody, SuccessInit } from './response.js';
export { Response } from './response.js';
export type { HttpMethod, RouteDefinition, RouteHandler, RouteOptions } from './route.js';
export { isRouteDefinition, route } from './route.js';
export type { RouterOptions } from './router.js';
export { Router } from './router.js';
export {
  parseJsonString,
  validateAndParseJson,
  validateArray,
  validateDict,
  validateObject,
  validateRequest,
  validateString,
} from './validation/validate-values.js';
