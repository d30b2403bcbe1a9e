/**
 * The credentials API: `GET /v1/credentials/{name}` answers a connection's values, decrypted, to any
 * caller of its workspace: an API key, or a run's `USER.token`, so a step can fetch them as
 * `{{ SYSTEM_APIS.credentials }}/<name>`. The only answer that carries connection values.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ConnectionService } from '../../connections/connection-service.js';
import { callerOf } from '../access.js';
import { BEARER, ERROR_RESPONSES } from '../schemas.js';
import { CONNECTION_PARAMS, orNotFound } from './connections.js';

/** Registers the credentials route. */
export function credentialRoutes(app: FastifyInstance, connections: ConnectionService): void {
  app.get<{ Params: { name: string } }>(
    '/v1/credentials/:name',
    {
      schema: {
        summary: "A connection's values, decrypted (API key or run token of the same workspace)",
        tags: ['connections'],
        security: BEARER,
        params: CONNECTION_PARAMS,
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              connector: { type: 'string' },
              values: { type: 'object', additionalProperties: true },
            },
            required: ['name', 'connector', 'values'],
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const credentials = await orNotFound(() =>
        connections.credentials(callerOf(request).workspace_id, request.params.name),
      );
      // Values must not sit in a shared cache.
      reply.header('cache-control', 'no-store');
      return credentials;
    },
  );
}
