/**
 * `GET /v1/templates/reference`: what a template may name on this service, for editors (the console's
 * completion inside `{{ }}`): the filter names validation accepts, and the `SYSTEM_APIS` keys (the
 * configured ones and the service's own; keys only, never their URLs). Any key or run token opens it.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { TEMPLATE_FILTERS } from '../../template/filter-names.js';
import { allowedSystemApiKeys } from '../../workflow/system-api-keys.js';
import { BEARER, ERROR_SCHEMA } from '../schemas.js';
import type { TemplateReferenceView } from '../views.js';

const NAMES = { type: 'array', items: { type: 'string' } } as const;

/** Registers the route; `systemApis` reads the service's configured `SYSTEM_APIS`. */
export function templateReferenceRoutes(
  app: FastifyInstance,
  systemApis: () => Readonly<Record<string, unknown>>,
): void {
  app.get(
    '/v1/templates/reference',
    {
      schema: {
        summary: 'The filter names and SYSTEM_APIS keys a workflow template may use here (for editors)',
        tags: ['workflows'],
        security: BEARER,
        response: {
          200: {
            type: 'object',
            properties: { filters: NAMES, system_apis: NAMES },
            required: ['filters', 'system_apis'],
          },
          401: ERROR_SCHEMA,
        },
      },
    },
    async (): Promise<TemplateReferenceView> => ({
      filters: [...TEMPLATE_FILTERS],
      system_apis: allowedSystemApiKeys(systemApis()),
    }),
  );
}
