/**
 * Mounting: each route file (a {@link RouteGroup}) becomes its own encapsulated Fastify plugin with the
 * prefix `/<module>/<version>`, so one file's hooks and handlers cannot leak into another's. Before
 * anything is registered, every method and URL is checked for duplicates, naming both files.
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MountedRoute } from '../builtins/routes.js';
import { RouteDiscoveryError } from '../errors.js';
import { Request } from '../request.js';
import { type ErrorContext, Response, renderError } from '../response.js';
import { BODY_METHODS, type HttpMethod, type RouteHandler } from '../route.js';
import { bodySchema } from '../validation/request-schema.js';
import type { ExportedRoute } from './load-route-file.js';

/** The routes of one file (or of one connector action), to mount under `/<module>/<version>`. */
export interface RouteGroup {
  readonly module: string;
  readonly version: string;
  /** The URL prefix, normally `/<module>/<version>`. */
  readonly prefix: string;
  /** Where they came from, for messages and `GET /routes` (a path relative to the project). */
  readonly source: string;
  /**
   * The JSON Schema of the request data: `schema.json` itself, or the one built from a module schema's
   * fields. A JSON Schema file is served as is at `GET /<module>/<version>/schema`.
   */
  readonly schema: Record<string, unknown> | undefined;
  /**
   * `schema.json` as written when it is a Stacksync module schema: served at `GET` and `POST
   * /<module>/<version>/schema` as `{"data": {"schema": ...}}` (a method the route file answers itself
   * is left to it), and its `/schema` and `/content` routes take form data, so they are not validated.
   */
  readonly moduleSchema?: Record<string, unknown> | undefined;
  /**
   * Whether the server validates request data against `schema`. False when something else validates
   * it (a connector action's input, checked by the SDK runtime): the schema then only feeds the docs.
   * @default true
   */
  readonly validate?: boolean | undefined;
  readonly routes: readonly ExportedRoute[];
}

/** What the error handler and Sentry learn about the route a request hit (Fastify route `config`). */
export interface RouteTags {
  readonly module: string;
  readonly version: string;
  readonly route: string;
  readonly file: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `@sluice/server` on the routes it mounts: what errors are tagged with. */
    sluice?: RouteTags | undefined;
  }
}

/** A method and URL some source already claims (the built-in endpoints). */
export interface ClaimedRoute {
  readonly method: string;
  readonly url: string;
  readonly source: string;
}

/** The URL pattern with parameter names dropped: `/a/:id` and `/a/:name` are the same route. */
const routeKey = (method: string, url: string) => `${method} ${url.replace(/:[^/]+/g, ':')}`;

/**
 * Lists every method and URL of `groups` and throws on the first clash.
 *
 * @throws {RouteDiscoveryError} `SLUICE_ROUTE_DUPLICATE` naming both files (and exports).
 */
export function planRoutes(groups: readonly RouteGroup[], claimed: readonly ClaimedRoute[]): MountedRoute[] {
  const taken = new Map<string, { source: string; name: string }>();
  for (const c of claimed) taken.set(routeKey(c.method, c.url), { source: c.source, name: '' });
  const planned: MountedRoute[] = [];
  const claim = (route: MountedRoute) => {
    const key = routeKey(route.method, route.url);
    const earlier = taken.get(key);
    if (earlier !== undefined) {
      const first = `${earlier.source}${earlier.name === '' ? '' : ` (export ${earlier.name})`}`;
      const second = `${route.file}${route.export === '' ? '' : ` (export ${route.export})`}`;
      throw new RouteDiscoveryError(
        'SLUICE_ROUTE_DUPLICATE',
        route.file,
        `${route.method} ${route.url} is defined twice: in ${first} and in ${second}`,
        {
          files: [earlier.source, route.file],
          hint: 'give one of them another path or method, or delete one',
        },
      );
    }
    taken.set(key, { source: route.file, name: route.export });
    planned.push(route);
  };
  for (const group of groups) {
    const { prefix } = group;
    for (const method of schemaRouteMethods(group)) {
      claim({ method, url: `${prefix}/schema`, ...common(group, 'schema.json'), schema: false });
    }
    for (const { name, definition } of group.routes) {
      for (const method of definition.methods) {
        claim({
          method,
          url: `${prefix}${definition.path}`,
          ...common(group, name),
          schema: validatesData(group, definition.path) && BODY_METHODS.includes(method),
        });
      }
    }
  }
  return planned;
}

/** The paths of the workflows-cdk contract that take form data (`data.form_data`), not the module's input. */
const FORM_DATA_PATHS: readonly string[] = ['/schema', '/content'];

/** The methods of the static schema route: GET for a JSON Schema; GET and POST for a module schema. */
function schemaRouteMethods(group: RouteGroup): HttpMethod[] {
  if (group.schema === undefined) return [];
  if (group.moduleSchema === undefined) return ['GET'];
  const own = new Set(
    group.routes.filter((r) => r.definition.path === '/schema').flatMap((r) => r.definition.methods),
  );
  return (['GET', 'POST'] as const).filter((method) => !own.has(method));
}

/** Whether the request data of a route at `path` is checked against the group's schema. */
function validatesData(group: RouteGroup, path: string): boolean {
  if (group.schema === undefined || group.validate === false) return false;
  return group.moduleSchema === undefined || !FORM_DATA_PATHS.includes(path);
}

function common(group: RouteGroup, exported: string) {
  return { module: group.module, version: group.version, file: group.source, export: exported };
}

/** Registers each group as an encapsulated plugin; call after {@link planRoutes} succeeded. */
export function mountRoutes(
  app: FastifyInstance,
  groups: readonly RouteGroup[],
  context: ErrorContext,
): void {
  for (const group of groups) {
    const { prefix } = group;
    void app.register(
      async (scope) => {
        const served =
          group.moduleSchema === undefined ? group.schema : { data: { schema: group.moduleSchema } };
        const schemaMethods = schemaRouteMethods(group);
        if (schemaMethods.length > 0) {
          scope.route({
            method: schemaMethods,
            url: '/schema',
            schema: { hide: true },
            handler: async () => served,
          });
        }
        for (const { definition } of group.routes) {
          const tags: RouteTags = {
            module: group.module,
            version: group.version,
            route: `${prefix}${definition.path}`,
            file: group.source,
          };
          const withBody = definition.methods.filter((m) => BODY_METHODS.includes(m));
          const without = definition.methods.filter((m) => !BODY_METHODS.includes(m));
          const config = { sluice: tags };
          const handler = routeHandler(definition.handler as RouteHandler<unknown>, context);
          const docs = {
            tags: [group.module],
            ...(definition.summary === undefined ? {} : { summary: definition.summary }),
            ...(definition.description === undefined ? {} : { description: definition.description }),
          };
          if (withBody.length > 0) {
            scope.route({
              method: withBody,
              url: definition.path,
              schema: {
                ...docs,
                body: bodySchema(group.schema, { validate: validatesData(group, definition.path) }),
              },
              config,
              handler,
            });
          }
          if (without.length > 0) {
            scope.route({ method: without, url: definition.path, schema: docs, config, handler });
          }
        }
      },
      { prefix },
    );
  }
}

/** Wraps a route handler: builds the Request, sends a Response as is and any other value as `{data}`. */
function routeHandler(handler: RouteHandler<unknown>, context: ErrorContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const result = await handler(new Request(request));
    if (result instanceof Response) {
      reply.code(result.statusCode);
      if (result.body !== undefined) return result.body;
      return renderError({ error: 'Error', ...result.errorInit, statusCode: result.statusCode }, context);
    }
    return { data: result === undefined ? null : result };
  };
}
