/**
 * `GET /app-config`: the service's settings, without secrets (`sentry_dsn` is replaced by
 * `sentry_enabled`), and the environment.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ResolvedServerConfig } from '../config/load-config.js';

/** The settings as `GET /app-config` shows them. */
export function publicSettings(config: ResolvedServerConfig): Record<string, unknown> {
  const { sentry_dsn, ...settings } = config.settings;
  return {
    ...settings,
    sentry_enabled: sentry_dsn !== null && sentry_dsn !== '',
    environment: config.environment,
  };
}

/** Registers `GET /app-config`. */
export function registerAppConfig(app: FastifyInstance, config: ResolvedServerConfig): void {
  const body = { data: publicSettings(config) };
  app.get(
    '/app-config',
    { schema: { summary: 'The app settings, without secrets', tags: ['built-in'] } },
    async () => body,
  );
}
