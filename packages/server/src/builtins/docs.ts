/**
 * API docs: the OpenAPI 3.1 document of every route (method, URL, request schema) at `GET /openapi.json`,
 * and a docs page rendered from it at `GET /docs`. Registered before the routes, so it sees them all.
 *
 * @module
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { AppSettings } from '../config/app-settings.js';

/** Registers the OpenAPI generator, `GET /openapi.json` and `GET /docs`. */
export async function registerDocs(
  app: FastifyInstance,
  settings: Readonly<AppSettings>,
  version: string,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: settings.app_name, description: settings.app_description, version },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
