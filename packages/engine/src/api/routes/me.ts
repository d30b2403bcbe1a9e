/**
 * `GET /v1/me`: who the caller is, for a client that holds only a credential (the console checks a key
 * with it at sign-in, and hides what the role may not do). Any key or run token opens it.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { callerOf, isRunCaller } from '../access.js';
import { BEARER, ERROR_SCHEMA } from '../schemas.js';
import type { MeView } from '../views.js';

const ME = {
  type: 'object',
  properties: {
    workspace_id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'member'] },
    kind: {
      type: 'string',
      enum: ['key', 'run_token'],
      description: 'an API key, or a run token (USER.token: reads, and starts, cancels and retries runs)',
    },
  },
  required: ['workspace_id', 'email', 'role', 'kind'],
} as const;

/** Registers the `/v1/me` route. */
export function meRoutes(app: FastifyInstance): void {
  app.get(
    '/v1/me',
    {
      schema: {
        summary:
          'Who the caller is: workspace, email, role, and whether the credential is a key or a run token',
        tags: ['service'],
        security: BEARER,
        response: { 200: ME, 401: ERROR_SCHEMA },
      },
    },
    async (request): Promise<MeView> => {
      const caller = callerOf(request);
      return {
        workspace_id: caller.workspace_id,
        email: caller.email,
        role: caller.role,
        kind: isRunCaller(caller) ? 'run_token' : 'key',
      };
    },
  );
}
