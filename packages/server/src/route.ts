/**
 * `route()`: how a route file declares its routes. Each exported value made with `route()` is mounted
 * under `/<module>/<version>` of the file's folder.
 *
 * @module
 */
import { ServerError } from './errors.js';
import type { Request } from './request.js';

const ROUTE = Symbol.for('sluice.server.route');

/** The HTTP methods a route can answer. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** The methods {@link route} accepts (case-insensitive). */
export const HTTP_METHODS: readonly HttpMethod[] = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
];

/** The methods whose body is validated against `schema.json`. */
export const BODY_METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** What {@link route} takes. */
export interface RouteOptions {
  /** The path below `/<module>/<version>`, starting with `/` (`'/execute'`, `'/items/:id'`). */
  path: string;
  /** @default ['POST'] */
  methods?: readonly (HttpMethod | Lowercase<HttpMethod>)[] | undefined;
  /** One line for the API docs. */
  summary?: string | undefined;
  /** More text for the API docs. */
  description?: string | undefined;
}

/**
 * A route handler. It returns a `Response`, or any other value, which is sent as `{"data": value}`.
 * Throwing a `ManagedError` answers with its status; any other exception answers 500.
 */
export type RouteHandler<TData = Record<string, unknown>> = (request: Request<TData>) => unknown;

/** A route, as {@link route} makes it. */
export interface RouteDefinition {
  readonly path: string;
  readonly methods: readonly HttpMethod[];
  readonly handler: RouteHandler<never>;
  readonly summary: string | undefined;
  readonly description: string | undefined;
}

/**
 * Declares a route. Export the result from `routes/<module>/v<N>/route.ts`; the server mounts it at
 * `/<module>/v<N><path>`.
 *
 * @example
 * export const execute = route({ path: '/execute', methods: ['POST'] }, async (request) => {
 *   return Response.success({ data: { message: `Hello, ${request.data.name ?? 'World'}!` } });
 * });
 *
 * @throws {ServerError} `SLUICE_ROUTE_INVALID` when the path does not start with `/`, a method is
 *   unknown, or the handler is not a function.
 */
export function route<TData = Record<string, unknown>>(
  options: RouteOptions,
  handler: RouteHandler<TData>,
): RouteDefinition {
  if (typeof options !== 'object' || options === null) {
    throw invalid('route() takes an options object first, as route({ path: "/execute" }, handler)');
  }
  const { path } = options;
  if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
    throw invalid(
      `route path must be a string starting with "/" and without spaces, got ${JSON.stringify(path)}`,
    );
  }
  const given = options.methods ?? ['POST'];
  if (!Array.isArray(given) || given.length === 0) {
    throw invalid(
      `route ${path}: methods must be a non-empty list such as ['POST'], got ${JSON.stringify(given)}`,
    );
  }
  const methods = given.map((method: unknown) => {
    const upper = typeof method === 'string' ? method.toUpperCase() : method;
    if (!(HTTP_METHODS as readonly unknown[]).includes(upper)) {
      throw invalid(
        `route ${path}: unknown method ${JSON.stringify(method)} (use ${HTTP_METHODS.join(', ')})`,
      );
    }
    return upper as HttpMethod;
  });
  if (typeof handler !== 'function') {
    throw invalid(`route ${path}: the handler must be a function, got ${typeof handler}`);
  }
  const definition: RouteDefinition = {
    path,
    methods: Object.freeze([...new Set(methods)]),
    handler: handler as RouteHandler<never>,
    summary: options.summary,
    description: options.description,
  };
  Object.defineProperty(definition, ROUTE, { value: true });
  return Object.freeze(definition);
}

/** Tells whether `value` was made by {@link route} (from any copy of the package). */
export function isRouteDefinition(value: unknown): value is RouteDefinition {
  return typeof value === 'object' && value !== null && ROUTE in value;
}

function invalid(message: string): ServerError {
  return new ServerError('SLUICE_ROUTE_INVALID', message, {
    hint: "write route({ path: '/execute', methods: ['POST'] }, async (request) => ...)",
  });
}
