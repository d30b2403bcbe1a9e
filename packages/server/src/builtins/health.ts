/**
 * `GET /health`: answers `{"data": {"status": "healthy"}}` while the server runs.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';

/** Registers `GET /health`. */
export function registerHealth(app: FastifyInstance): void {
  app.get('/health', { schema: { summary: 'Health check', tags: ['built-in'] } }, async () => ({
    data: { status: 'healthy' },
  }));
}
