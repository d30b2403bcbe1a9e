/**
 * `GET /health`: public liveness, and how many runs are queued or executing in this process. The API
 * (`create-api.ts`) and the ops server of `sluice worker` (`ops-server.ts`) both register it.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine-options.js';

/** Registers `GET /health`: `{"status": "ok", "queue_depth": N}`. */
export function healthRoutes(app: FastifyInstance, engine: Engine): void {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness, and how many runs are queued or executing here',
        tags: ['service'],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, queue_depth: { type: 'integer' } },
          },
        },
      },
    },
    async () => ({ status: 'ok', queue_depth: engine.queueDepth }),
  );
}
