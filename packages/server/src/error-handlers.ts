/**
 * The app-wide error and not-found handlers: every error answers in the error shape with its own status,
 * is logged, and (when it came from a handler or is a 5xx) reported; an unknown URL answers 404 and a
 * known URL with the wrong method 405 with an `Allow` header.
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { RouteTags } from './discovery/mount-routes.js';
import { classifyError } from './error-response.js';
import { type ErrorContext, renderError } from './response.js';
import type { ErrorReporter } from './sentry.js';

/** Installs the error handler; `reporter` is read per error (Sentry loads after the app is built). */
export function installErrorHandler(
  app: FastifyInstance,
  context: ErrorContext,
  reporter: () => ErrorReporter | undefined,
): void {
  app.setErrorHandler((err, request, reply) => {
    const { managed, report } = classifyError(err);
    const status = managed.statusCode;
    const tags = tagsOf(request);
    if (status >= 500) request.log.error({ err, route: tags.route }, 'request failed');
    else
      request.log.info({ err: { message: managed.message, code: managed.code }, status }, 'request rejected');
    if (report) {
      reporter()?.report(
        err,
        { ...tags, method: request.method, status_code: String(status) },
        status >= 500 ? 'error' : 'warning',
      );
    }
    const stack = err instanceof Error ? err.stack : undefined;
    return reply.code(status).send(
      renderError(
        {
          error: managed.message,
          statusCode: status,
          data: managed.data,
          metadata: managed.metadata,
          stack,
        },
        context,
      ),
    );
  });
}

function tagsOf(request: FastifyRequest): Omit<RouteTags, 'file'> & { file?: string } {
  const tags = (request.routeOptions.config as { sluice?: RouteTags } | undefined)?.sluice;
  if (tags !== undefined) return tags;
  return { module: '', version: '', route: request.routeOptions.url ?? request.url.split('?')[0] ?? '' };
}

/** Collects the app's routes (add before any route is registered) and answers 404 or 405 for the rest. */
export function installNotFoundHandler(app: FastifyInstance, context: ErrorContext): void {
  const patterns: { pattern: RegExp; methods: Set<string> }[] = [];
  const byUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url ?? '';
    // The CORS preflight route (`OPTIONS *`) and other wildcards would match everything.
    if (url.includes('*') || url === '') return;
    let methods = byUrl.get(url);
    if (methods === undefined) {
      methods = new Set();
      byUrl.set(url, methods);
      patterns.push({ pattern: toPattern(url), methods });
    }
    for (const method of [route.method].flat()) methods.add(String(method).toUpperCase());
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = new Set<string>();
    for (const { pattern, methods } of patterns) {
      if (pattern.test(path)) for (const method of methods) allowed.add(method);
    }
    if (allowed.size > 0 && !allowed.has(request.method)) {
      const list = [...allowed].sort();
      return reply
        .code(405)
        .header('allow', list.join(', '))
        .send(
          renderError(
            {
              error: `Method not allowed: ${request.method} ${path} (allowed: ${list.join(', ')})`,
              statusCode: 405,
              data: { method: request.method, path, allowed: list },
            },
            context,
          ),
        );
    }
    return reply.code(404).send(
      renderError(
        {
          error: `Not found: ${request.method} ${path}`,
          statusCode: 404,
          data: { method: request.method, path },
        },
        context,
      ),
    );
  });
}

/** A Fastify URL pattern as a RegExp: `:name` matches one segment. */
function toPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}
