/**
 * `GET /app-config`: the service's settings, without secrets (`sentry_dsn` is replaced by
 * `sentry_enabled`), and the environment; and, as workflows-cdk answers it, the same settings under
 * `app_settings` and the `modules` list.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ResolvedServerConfig } from '../config/load-config.js';
import type { ModuleInfo } from '../discovery/module-config.js';

/** The settings as `GET /app-config` shows them. */
export function publicSettings(config: ResolvedServerConfig): Record<string, unknown> {
  const { sentry_dsn, ...settings } = config.settings;
  return {
    ...settings,
    sentry_enabled: sentry_dsn !== null && sentry_dsn !== '',
    environment: config.environment,
  };
}

/** Registers `GET /app-config`; `modules` is read on each request (known once the app is ready). */
export function registerAppConfig(
  app: FastifyInstance,
  config: ResolvedServerConfig,
  modules: () => readonly ModuleInfo[],
): void {
  const settings = publicSettings(config);
  const { environment: _environment, ...appSettings } = settings;
  app.get(
    '/app-config',
    { schema: { summary: 'The app settings, without secrets, and the modules', tags: ['built-in'] } },
    async () => ({ data: { ...settings, app_settings: appSettings, modules: modules() } }),
  );
}
