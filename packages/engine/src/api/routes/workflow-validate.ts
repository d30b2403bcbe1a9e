/**
 * `POST /v1/workflows/validate`: checks a workflow document the way `POST /v1/workflows` (or, with
 * `?uid=`, `PUT /v1/workflows/{uid}`) would, and writes nothing. A connection is not tested (a publish
 * of a poll trigger tests it): the console calls this while the user types, so it costs at most one
 * read of the store. What templates name is checked as on publish: steps, filters, and `SYSTEM_APIS`
 * keys when the service has some configured (`PublishChecks.systemApis`).
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../errors.js';
import type { ServiceStore } from '../../store/service-store.js';
import { callerOf, visibleWorkflow } from '../access.js';
import { BEARER, ERROR_RESPONSES, ERROR_SCHEMA, OBJECT_SCHEMA, UID_PATTERN } from '../schemas.js';
import { BODY, checkCreate, checkUpdate, type PublishChecks } from './workflows.js';

const VALID = {
  type: 'object',
  properties: {
    valid: { type: 'boolean', const: true },
    workflow: {
      ...OBJECT_SCHEMA,
      description: 'the document as a publish would store it, defaults filled in',
    },
  },
  required: ['valid', 'workflow'],
} as const;

/** The conflicts the store would report on publish, found without writing. */
function conflict(message: string): EngineError {
  return new EngineError('SLUICE_WORKFLOW_CONFLICT', message, {
    hint: 'GET the workflow for its latest version, then publish on top of it (If-Match or "version")',
  });
}

/** Registers the validation route; with `connectors`, action steps and poll triggers are checked too. */
export function validateRoutes(app: FastifyInstance, store: ServiceStore, checks: PublishChecks): void {
  app.post<{ Querystring: { uid?: string } }>(
    '/v1/workflows/validate',
    {
      schema: {
        summary:
          'Check a workflow document as a publish would (?uid=: as an update of that workflow), writing nothing',
        tags: ['workflows'],
        security: BEARER,
        querystring: {
          type: 'object',
          properties: {
            uid: {
              type: 'string',
              pattern: UID_PATTERN,
              description: 'check it as a new version of this workflow',
            },
          },
          additionalProperties: false,
        },
        body: BODY,
        response: { 200: VALID, ...ERROR_RESPONSES, 403: ERROR_SCHEMA, 409: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { uid } = request.query;
      if (uid === undefined) {
        const workflow = await checkCreate(request, caller, checks);
        // A uid is unique across workspaces, as POST answers (409, without the other workflow).
        if (workflow.uid !== undefined && (await store.workflows.get(workflow.uid)) !== undefined) {
          throw conflict(`workflow ${workflow.uid} already exists`);
        }
        return { valid: true, workflow };
      }
      const latest = await visibleWorkflow(store, caller, uid);
      const { workflow, expected } = await checkUpdate(request, caller, latest, checks);
      if (expected !== undefined && expected !== latest.version) {
        throw conflict(`workflow ${uid} is at version ${latest.version}, not ${expected}`);
      }
      return { valid: true, workflow: { ...workflow, uid } };
    },
  );
}
