/**
 * Serving a `defineConnector` connector over HTTP, through the SDK's connector runtime (nothing of the
 * runtime is re-implemented here): `POST /<action>/v1/execute` per action, `POST /<trigger>/v1/poll` per
 * trigger and `POST /test`. Connection values come from the request's `credentials`
 * (`credentials.connection_data.value`), one runtime per request.
 *
 * @module
 */
import { type Connector, fieldsToJsonSchema, isConnector, isWebhookTrigger } from '@sluice/sdk';
import { createConnectorRuntime, type TriggerState, validateConnector } from '@sluice/sdk/internal';
import type { SkippedRouteFile } from '../builtins/routes.js';
import { MODULE_NAME_PATTERN } from '../discovery/find-routes.js';
import type { RouteGroup } from '../discovery/mount-routes.js';
import type { Request } from '../request.js';
import { Response } from '../response.js';
import { type RouteDefinition, route } from '../route.js';
import { isJsonObject } from '../utils/json-object.js';

/** The version folder every connector route is served under. */
export const CONNECTOR_VERSION = 'v1';

/** The route groups of a connector, and the actions or triggers whose names cannot be URLs. */
export interface ConnectorRoutes {
  readonly groups: RouteGroup[];
  readonly skipped: SkippedRouteFile[];
}

/**
 * Builds the routes of `connector`. `source` names it in `GET /routes` and in error messages
 * (`connector examples/my-app/src/connector.ts`).
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` when `connector` is not a valid definition.
 */
export async function connectorRoutes(connector: Connector, source: string): Promise<ConnectorRoutes> {
  if (!isConnector(connector)) validateConnector(connector);
  // Field lists that depend on the connection cannot be resolved without one: those get no schema.
  const probe = createConnectorRuntime(connector);
  const groups: RouteGroup[] = [];
  const skipped: SkippedRouteFile[] = [];
  const add = (
    kind: 'actions' | 'triggers',
    name: string,
    path: '/execute' | '/poll' | '/webhook',
    schema: Record<string, unknown> | undefined,
    definition: RouteDefinition,
  ) => {
    if (!MODULE_NAME_PATTERN.test(name)) {
      skipped.push({
        file: `${source} ${kind}.${name}`,
        reason: `${kind}.${name} cannot be part of a URL: use letters, digits, _ and -`,
      });
      return;
    }
    groups.push({
      module: name,
      version: CONNECTOR_VERSION,
      prefix: `/${name}/${CONNECTOR_VERSION}`,
      source,
      schema,
      validate: false,
      routes: [{ name: `${kind}.${name}${path === '/execute' ? '' : `.${path.slice(1)}`}`, definition }],
    });
  };

  for (const [name, action] of Object.entries(connector.actions ?? {})) {
    const schema = await inputSchema(
      () => probe.actionFields(name, 'inputFields'),
      `actions.${name}.inputFields`,
    );
    add(
      'actions',
      name,
      '/execute',
      schema,
      route(
        {
          path: '/execute',
          summary: action.title ?? `Run the ${name} action`,
          description: action.description,
        },
        async (request: Request) => {
          const runtime = runtimeFor(connector, request);
          return Response.success({ data: await runtime.runAction(name, request.data) });
        },
      ),
    );
  }

  for (const [name, trigger] of Object.entries(connector.triggers ?? {})) {
    const schema = await inputSchema(
      () => probe.triggerFields(name, 'inputFields'),
      `triggers.${name}.inputFields`,
    );
    if (isWebhookTrigger(trigger)) {
      add(
        'triggers',
        name,
        '/webhook',
        schema,
        route(
          {
            path: '/webhook',
            summary: trigger.title ?? `Turn a delivery of the ${name} webhook into events`,
            description: `${trigger.description ?? ''}${trigger.description ? '\n\n' : ''}Send the delivery as "payload" (with "headers", "params" and "webhook_subscribe_output" when it has them) and the trigger's input as "data"; the answer holds its events, each with its dedup key.`,
          },
          async (request: Request) => {
            const body = (request.json ?? {}) as Record<string, unknown>;
            const events = await runtimeFor(connector, request).webhookNotification(name, {
              input: request.data,
              payload: body.payload,
              ...(isStringMap(body.headers) ? { headers: body.headers } : {}),
              ...(isJsonObject(body.params) ? { params: body.params } : {}),
              ...(body.webhook_subscribe_output === undefined
                ? {}
                : { webhookSubscribeOutput: body.webhook_subscribe_output }),
            });
            return Response.success({
              data: { events: events.map((e) => e.event), dedup_keys: events.map((e) => e.key) },
            });
          },
        ),
      );
      continue;
    }
    add(
      'triggers',
      name,
      '/poll',
      schema,
      route(
        {
          path: '/poll',
          summary: trigger.title ?? `Poll the ${name} trigger`,
          description: `${trigger.description ?? ''}${trigger.description ? '\n\n' : ''}Send the closure of the previous answer as "closure"; the answer holds the new events, oldest first, and the closure for the next poll.`,
        },
        async (request: Request) => {
          const runtime = runtimeFor(connector, request);
          const body = request.json as { closure?: unknown } | undefined;
          const closure = body?.closure ?? undefined;
          const { events, state } = await runtime.pollTrigger(name, {
            input: request.data,
            ...(closure === undefined || closure === null ? {} : { state: closure as TriggerState }),
          });
          return Response.success({ data: { events, closure: state } });
        },
      ),
    );
  }

  groups.push({
    module: 'test',
    version: '',
    prefix: '',
    source,
    schema: undefined,
    validate: false,
    routes: [
      {
        name: 'test',
        definition: route({ path: '/test', summary: 'Test the connection' }, async (request: Request) => {
          const result = await runtimeFor(connector, request).test();
          return Response.success({ data: result ?? null, message: 'Connection test passed' });
        }),
      },
    ],
  });
  return { groups, skipped };
}

function runtimeFor(connector: Connector, request: Request) {
  return createConnectorRuntime(connector, { connection: request.credentials, logger: request.log });
}

async function inputSchema(
  fields: () => Promise<readonly unknown[]>,
  path: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const fieldList = (await fields()) as Parameters<typeof fieldsToJsonSchema>[0];
    return fieldsToJsonSchema(fieldList, { path }) as unknown as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isJsonObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
