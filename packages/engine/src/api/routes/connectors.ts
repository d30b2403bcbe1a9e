/**
 * The connector catalog: `GET /v1/connectors` and `GET /v1/connectors/{name}`. Every workspace sees the
 * same connectors (those `sluice serve --connectors` registered); the routes need a key like the rest.
 *
 * @internal
 * @module
 */
import type { Connector } from '@sluice/sdk';
import type { FastifyInstance } from 'fastify';
import { describeConnector, describeConnectors } from '../../connectors/catalog.js';
import { EngineError } from '../../errors.js';
import { CONNECTOR_NAME_PATTERN } from '../../workflow/workflow-schema.js';
import { BEARER, ERROR_RESPONSES } from '../schemas.js';

/** A field list: `{ dynamic: false, fields, schema }`, or `{ dynamic: true }` when it needs a connection. */
const FIELD_LIST_SCHEMA = {
  type: 'object',
  properties: {
    dynamic: {
      type: 'boolean',
      description: 'true when the connector computes the fields from a connection: not listed here',
    },
    fields: {
      type: 'array',
      items: { type: 'object', additionalProperties: true },
      description: 'the fields in the SDK field notation',
    },
    schema: {
      type: 'object',
      additionalProperties: true,
      description: 'the JSON Schema (draft-07) of the fields',
    },
  },
  required: ['dynamic'],
} as const;

const PART_PROPERTIES = {
  name: { type: 'string' },
  title: { type: 'string' },
  description: { type: 'string' },
  input_fields: FIELD_LIST_SCHEMA,
  output_fields: FIELD_LIST_SCHEMA,
} as const;

/** A connector as the catalog describes it. */
const CONNECTOR_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'the name workflows use: action: <name>.<action>' },
    title: { type: 'string' },
    description: { type: 'string' },
    connection: {
      type: 'object',
      properties: {
        fields: FIELD_LIST_SCHEMA,
        authorization: { type: 'string', description: 'none, basic_auth, api_key, oauth2 or custom_auth' },
        test: { type: 'boolean', description: 'whether the connector tests a connection before it is used' },
      },
      required: ['fields', 'authorization', 'test'],
    },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        properties: PART_PROPERTIES,
        required: ['name', 'title', 'input_fields', 'output_fields'],
      },
    },
    triggers: {
      type: 'array',
      items: {
        type: 'object',
        properties: { ...PART_PROPERTIES, type: { type: 'string', enum: ['ascending', 'paging_desc'] } },
        required: ['name', 'title', 'type', 'input_fields', 'output_fields'],
      },
    },
  },
  required: ['name', 'title', 'connection', 'actions', 'triggers'],
} as const;

/** Registers the connector routes over the registered `connectors`. */
export function connectorRoutes(app: FastifyInstance, connectors: ReadonlyMap<string, Connector>): void {
  // The registry does not change while the service runs: describe it once.
  const catalog = describeConnectors(connectors);

  app.get(
    '/v1/connectors',
    {
      schema: {
        summary: 'List the registered connectors with their actions, triggers and fields, by name',
        tags: ['connectors'],
        security: BEARER,
        response: {
          200: {
            type: 'object',
            properties: { connectors: { type: 'array', items: CONNECTOR_SCHEMA } },
            required: ['connectors'],
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => ({ connectors: catalog }),
  );

  app.get<{ Params: { name: string } }>(
    '/v1/connectors/:name',
    {
      schema: {
        summary: 'Get one registered connector',
        tags: ['connectors'],
        security: BEARER,
        params: {
          type: 'object',
          properties: { name: { type: 'string', pattern: CONNECTOR_NAME_PATTERN } },
          required: ['name'],
        },
        response: { 200: CONNECTOR_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { name } = request.params;
      const connector = connectors.get(name);
      if (connector === undefined) {
        const known = [...connectors.keys()].sort().join(', ') || 'none';
        throw new EngineError('SLUICE_API_NOT_FOUND', `no connector ${name} (registered: ${known})`, {
          hint: 'GET /v1/connectors lists them; sluice serve --connectors <dir> registers them',
        });
      }
      return describeConnector(name, connector);
    },
  );
}
