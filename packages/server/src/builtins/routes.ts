/**
 * `GET /routes`: the mounted routes, the route files that were skipped and why, and the discovery rules.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';

/** One mounted route, as `GET /routes` lists it. */
export interface MountedRoute {
  readonly method: string;
  /** The full URL pattern, as `/hello/v1/execute`. */
  readonly url: string;
  readonly module: string;
  readonly version: string;
  /** The route file (relative to the project), or `connector <file>` for a served DSL connector. */
  readonly file: string;
  /** The export the route came from. */
  readonly export: string;
  /** Whether a schema validates the request data. */
  readonly schema: boolean;
}

/** A route file that was not mounted, and why. */
export interface SkippedRouteFile {
  /** Relative to the project. */
  readonly file: string;
  readonly reason: string;
}

/** What `GET /routes` answers with, under `data`. */
export interface RouteReport {
  readonly routes: readonly MountedRoute[];
  readonly skipped: readonly SkippedRouteFile[];
  readonly rules: readonly string[];
}

/** Registers `GET /routes`; `report` is read on each request (routes are known once the app is ready). */
export function registerRoutesReport(app: FastifyInstance, report: () => RouteReport): void {
  app.get(
    '/routes',
    {
      schema: { summary: 'The mounted routes, skipped route files and discovery rules', tags: ['built-in'] },
    },
    async () => ({ data: report() }),
  );
}
