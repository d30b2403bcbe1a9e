/**
 * The connections API: `POST /v1/connections` (201 created, 200 replaced), `GET /v1/connections`,
 * `GET|DELETE /v1/connections/{name}`, `POST /v1/connections/{name}/test`. Answers show a connection's
 * value names, never its values (the response schemas drop anything else); another workspace's
 * connection answers 404, as a missing one.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import {
  CONNECTION_NAME_PATTERN,
  ConnectionMissingError,
  type ConnectionService,
} from '../../connections/connection-service.js';
import { EngineError } from '../../errors.js';
import { callerOf } from '../access.js';
import { BEARER, ERROR_RESPONSES, ERROR_SCHEMA } from '../schemas.js';

/** `{ name }` path parameters of a connection. */
export const CONNECTION_PARAMS = {
  type: 'object',
  properties: { name: { type: 'string', pattern: CONNECTION_NAME_PATTERN } },
  required: ['name'],
} as const;

/** A connection as answers show it. */
const VIEW_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    connector: { type: 'string' },
    fields: { type: 'array', items: { type: 'string' }, description: 'the names of the values set' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    user_id: { type: 'string', description: 'the email of who saved it last' },
  },
  required: ['name', 'connector', 'fields', 'created_at', 'updated_at', 'user_id'],
  additionalProperties: false,
} as const;

const SAVE_BODY = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: CONNECTION_NAME_PATTERN, description: 'unique in the workspace' },
    connector: { type: 'string', minLength: 1, description: 'a registered connector (GET /v1/connectors)' },
    values: {
      type: 'object',
      additionalProperties: true,
      description: "the connector's connection fields; stored encrypted",
    },
  },
  required: ['name', 'connector'],
  additionalProperties: false,
} as const;

/** Runs `fn`, answering 404 when the connection does not exist in the caller's workspace. */
export async function orNotFound<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ConnectionMissingError ? notFound(err.connection, err) : err;
  }
}

function notFound(name: string, cause?: unknown): EngineError {
  return new EngineError('SLUICE_API_NOT_FOUND', `no connection ${name}`, {
    ...(cause === undefined ? {} : { cause }),
    hint: "check the name; only your workspace's connections are visible",
  });
}

/** Registers the connection routes. */
export function connectionRoutes(app: FastifyInstance, connections: ConnectionService): void {
  app.post<{ Body: { name: string; connector: string; values?: Record<string, unknown> } }>(
    '/v1/connections',
    {
      schema: {
        summary:
          'Create or replace a connection (201 created, 200 replaced); the values are stored encrypted',
        tags: ['connections'],
        security: BEARER,
        body: SAVE_BODY,
        response: { 200: VIEW_SCHEMA, 201: VIEW_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { name, connector, values } = request.body;
      const saved = await connections.save(callerOf(request), { name, connector, values: values ?? {} });
      reply.header('location', `/v1/connections/${name}`);
      return reply.status(saved.created ? 201 : 200).send(saved.connection);
    },
  );

  app.get(
    '/v1/connections',
    {
      schema: {
        summary: "List your workspace's connections (value names only), by name",
        tags: ['connections'],
        security: BEARER,
        response: {
          200: {
            type: 'object',
            properties: { connections: { type: 'array', items: VIEW_SCHEMA } },
            required: ['connections'],
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => ({ connections: await connections.list(callerOf(request).workspace_id) }),
  );

  app.get<{ Params: { name: string } }>(
    '/v1/connections/:name',
    {
      schema: {
        summary: 'Get a connection (value names only)',
        tags: ['connections'],
        security: BEARER,
        params: CONNECTION_PARAMS,
        response: { 200: VIEW_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      orNotFound(() => connections.view(callerOf(request).workspace_id, request.params.name)),
  );

  app.delete<{ Params: { name: string } }>(
    '/v1/connections/:name',
    {
      schema: {
        summary: 'Delete a connection',
        tags: ['connections'],
        security: BEARER,
        params: CONNECTION_PARAMS,
        response: { 204: { type: 'null', description: 'deleted' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const deleted = await connections.delete(callerOf(request).workspace_id, request.params.name);
      if (!deleted) throw notFound(request.params.name);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { name: string } }>(
    '/v1/connections/:name/test',
    {
      schema: {
        summary: "Run the connector's test on the connection (200 { ok, result }, 422 when it fails)",
        tags: ['connections'],
        security: BEARER,
        params: CONNECTION_PARAMS,
        response: {
          200: {
            type: 'object',
            properties: { ok: { type: 'boolean', const: true }, result: {} },
            required: ['ok'],
          },
          ...ERROR_RESPONSES,
          422: ERROR_SCHEMA,
        },
      },
    },
    async (request) => {
      const result = await orNotFound(() =>
        connections.test(callerOf(request).workspace_id, request.params.name),
      );
      return { ok: true, result: result ?? null };
    },
  );
}
