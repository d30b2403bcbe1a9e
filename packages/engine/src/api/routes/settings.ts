/**
 * `GET /v1/settings` and `PUT /v1/settings`: the caller's workspace settings (issue 15). Anyone with a key
 * of the workspace (or a run token) reads them; only admins change them, as they do the workspace's
 * global workflows. `PUT` changes the fields it is given and answers the settings; a value out of range
 * or an unknown field answers 400 naming it.
 *
 * - `attempt_retention_days` (0 to 365, default 7): how long the requests and responses of attempts
 *   (`GET /v1/runs/{id}/attempts`) are kept; 0: they are not recorded.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { internalsOf } from '../../engine-internals.js';
import type { Engine } from '../../engine-options.js';
import { EngineError } from '../../errors.js';
import { MAX_RETENTION_DAYS, type WorkspaceSettingsView } from '../../run/workspace-settings.js';
import { callerOf } from '../access.js';
import { BEARER, ERROR_RESPONSES, ERROR_SCHEMA, SETTINGS_SCHEMA } from '../schemas.js';

/** Registers the settings routes. */
export function settingsRoutes(app: FastifyInstance, engine: Engine): void {
  const { settings } = internalsOf(engine);
  app.get(
    '/v1/settings',
    {
      schema: {
        summary: "Your workspace's settings (attempt_retention_days)",
        tags: ['service'],
        security: BEARER,
        response: { 200: SETTINGS_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request): Promise<WorkspaceSettingsView> => settings.get(callerOf(request).workspace_id),
  );

  app.put<{ Body: Record<string, unknown> }>(
    '/v1/settings',
    {
      schema: {
        summary: "Change your workspace's settings (admins)",
        tags: ['service'],
        security: BEARER,
        // Checked by the settings themselves, naming the field: Ajv's coercion would take `true` as 1.
        body: {
          type: 'object',
          properties: {
            attempt_retention_days: {
              description: `days the requests and responses of attempts are kept, 0 to ${MAX_RETENTION_DAYS} (0: not recorded; default 7)`,
              examples: [7],
            },
          },
        },
        response: { 200: SETTINGS_SCHEMA, ...ERROR_RESPONSES, 403: ERROR_SCHEMA },
      },
    },
    async (request): Promise<WorkspaceSettingsView> => {
      const caller = callerOf(request);
      if (caller.role !== 'admin') {
        throw new EngineError('SLUICE_API_FORBIDDEN', 'only admins change the workspace settings', {
          hint: 'ask an admin of the workspace, or use an admin key',
        });
      }
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new EngineError('SLUICE_API_BAD_REQUEST', 'the body must be a JSON object of settings', {
          hint: 'e.g. {"attempt_retention_days": 7}',
        });
      }
      return settings.update(caller.workspace_id, body, caller.email);
    },
  );
}
