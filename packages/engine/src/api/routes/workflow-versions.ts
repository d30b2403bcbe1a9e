/**
 * `GET /v1/workflows/{uid}/versions`: every version of a workflow the caller can see (all of them in
 * its own workspace, the global ones elsewhere), newest first, without their documents
 * (`GET /v1/workflows/{uid}?version=N` answers one in full). A deleted workflow answers 404, as
 * `GET /v1/workflows/{uid}` does.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceStore } from '../../store/service-store.js';
import { callerOf, canRead, visibleWorkflow } from '../access.js';
import { BEARER, ERROR_RESPONSES, UID_PARAMS } from '../schemas.js';
import { versionView } from '../views.js';

const VERSIONS = {
  type: 'object',
  properties: {
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          version: { type: 'integer' },
          name: { type: 'string' },
          user_id: { type: 'string', description: 'the email of who published it' },
          updated: { type: 'string', format: 'date-time', description: 'when it was published' },
          steps: { type: 'integer', description: 'how many steps it has' },
        },
        required: ['version', 'name', 'user_id', 'updated', 'steps'],
      },
    },
  },
  required: ['versions'],
} as const;

/** Registers the versions route. */
export function versionRoutes(app: FastifyInstance, store: ServiceStore): void {
  app.get<{ Params: { uid: string } }>(
    '/v1/workflows/:uid/versions',
    {
      schema: {
        summary: 'Every version of a workflow, newest first (who published it, when, how many steps)',
        tags: ['workflows'],
        security: BEARER,
        params: UID_PARAMS,
        response: { 200: VERSIONS, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const latest = await visibleWorkflow(store, caller, request.params.uid);
      const versions = await store.workflows.listVersions(latest.uid);
      // Another workspace sees the global versions only, not those published before it went global.
      return { versions: versions.filter((v) => canRead(caller, v)).map(versionView) };
    },
  );
}
