/**
 * `GET /metrics`: the engine's Prometheus metrics. They span every workspace (run counts, and workflow
 * and step names as labels), so no workspace's API key opens them: the route takes its own bearer
 * token, `metricsToken` (`sluice serve --metrics-token`), and is off (404) without one.
 *
 * @internal
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine-options.js';
import { EngineError } from '../../errors.js';
import { ERROR_SCHEMA } from '../schemas.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Registers `GET /metrics`, answering with `token` as bearer only; 404 when `token` is undefined. */
export function metricsRoutes(app: FastifyInstance, engine: Engine, token: string | undefined): void {
  // Hashes compare in constant time whatever the lengths.
  const expected = token === undefined ? undefined : digest(token);
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics of the engine (Authorization: Bearer <metrics token>)',
        tags: ['service'],
        security: [{ bearer: [] }],
        response: { 200: { type: 'string' }, 401: ERROR_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      if (expected === undefined) {
        throw new EngineError('SLUICE_API_NOT_FOUND', 'GET /metrics is off on this service', {
          hint: 'start the service with --metrics-token (or createApi({ metricsToken }))',
        });
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      if (match === null || !timingSafeEqual(digest(match[1] as string), expected)) {
        throw new EngineError('SLUICE_API_UNAUTHORIZED', 'GET /metrics needs the metrics token', {
          hint: 'send Authorization: Bearer <the --metrics-token of the service>; API keys do not open it',
        });
      }
      const { contentType, text } = await engine.metrics.scrape();
      return reply.type(contentType).send(text);
    },
  );
}
