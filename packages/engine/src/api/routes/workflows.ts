/**
 * The publishing API: `POST /v1/workflows` (JSON, or YAML with `Content-Type: application/yaml`),
 * `GET /v1/workflows`, `GET|PUT|DELETE /v1/workflows/{uid}`. Stored fields (`uid` on update, `version`,
 * `workspace_id`, `user_id`, `created`, `updated`, `deleted`) come from the caller and the store, never
 * from the body; a body `version` (or `If-Match`) is the version the update expects to replace.
 *
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EngineError } from '../../errors.js';
import type { ServiceStore } from '../../store/service-store.js';
import type { Workflow } from '../../workflow/model.js';
import { parseWorkflow } from '../../workflow/parse.js';
import { assertCanWrite, callerOf, visibleWorkflow } from '../access.js';
import { BEARER, ERROR_RESPONSES, ERROR_SCHEMA, OBJECT_SCHEMA, UID_PARAMS, UID_PATTERN } from '../schemas.js';
import { workflowView } from '../views.js';

/** The raw text of JSON bodies, kept so invalid documents are reported with their lines. */
export const rawBodies = new WeakMap<FastifyRequest, string>();

/** Content types read as YAML. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

const STORED_FIELDS = ['workspace_id', 'user_id', 'created', 'updated', 'deleted', 'version'] as const;

const BODY = {
  content: {
    'application/json': {
      schema: { ...OBJECT_SCHEMA, description: 'a workflow document (see docs/workflows.md)' },
    },
    'application/yaml': { schema: { type: 'string', description: 'a workflow document in YAML' } },
  },
};

interface Body {
  workflow: Workflow;
  /** The `version` the body names, if any. */
  version: number | undefined;
}

/** Parses and validates the document of a request (every problem with its path and line). */
function readBody(request: FastifyRequest): Body {
  const yaml = YAML_TYPES.some((t) => (request.headers['content-type'] ?? '').startsWith(t));
  const text = yaml ? (request.body as string) : rawBodies.get(request);
  if (typeof text !== 'string' || text.trim() === '') {
    throw new EngineError('SLUICE_API_BAD_REQUEST', 'the body must be a workflow document');
  }
  const workflow = parseWorkflow(text, { format: yaml ? 'yaml' : 'json' });
  const version = workflow.version;
  const clean: Record<string, unknown> = { ...workflow };
  for (const field of STORED_FIELDS) delete clean[field];
  return { workflow: clean as unknown as Workflow, version };
}

/** `If-Match: "3"` (or `W/"3"`, or `3`) as a version number. */
function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header === '*') return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(String(header).trim());
  if (match === null) {
    throw new EngineError('SLUICE_API_BAD_REQUEST', `If-Match must be a version, like "3" (got ${header})`);
  }
  return Number(match[1]);
}

/** Registers the workflow routes. */
export function workflowRoutes(app: FastifyInstance, store: ServiceStore, now: () => number): void {
  const iso = () => new Date(now()).toISOString();

  app.post(
    '/v1/workflows',
    {
      schema: {
        summary: 'Publish a new workflow (version 1)',
        tags: ['workflows'],
        security: BEARER,
        body: BODY,
        response: { 201: OBJECT_SCHEMA, ...ERROR_RESPONSES, 403: ERROR_SCHEMA, 409: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { workflow } = readBody(request);
      const uid = workflow.uid ?? randomUUID();
      if (!new RegExp(UID_PATTERN).test(uid)) {
        throw new EngineError('SLUICE_API_BAD_REQUEST', `uid ${JSON.stringify(uid)} is not a valid uid`, {
          hint: 'use letters, digits, _, - and . (at most 128), or leave uid out',
        });
      }
      assertCanWrite(caller, caller.workspace_id, [workflow.scope]);
      const stored = await store.publishWorkflow({
        uid,
        workspace_id: caller.workspace_id,
        user_id: caller.email,
        document: { ...workflow, uid },
        at: iso(),
        expectedVersion: 0,
      });
      reply.header('etag', `"${stored.version}"`).header('location', `/v1/workflows/${uid}`);
      return reply.status(201).send(workflowView(stored));
    },
  );

  app.get(
    '/v1/workflows',
    {
      schema: {
        summary: "List your workspace's workflows and the global ones (latest versions, not deleted)",
        tags: ['workflows'],
        security: BEARER,
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const workflows = await store.listWorkflows(callerOf(request).workspace_id);
      return { workflows: workflows.map(workflowView) };
    },
  );

  app.get<{ Params: { uid: string }; Querystring: { version?: number } }>(
    '/v1/workflows/:uid',
    {
      schema: {
        summary: 'Get the latest version of a workflow, or ?version=N',
        tags: ['workflows'],
        security: BEARER,
        params: UID_PARAMS,
        querystring: {
          type: 'object',
          properties: { version: { type: 'integer', minimum: 1 } },
          additionalProperties: false,
        },
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const stored = await visibleWorkflow(
        store,
        callerOf(request),
        request.params.uid,
        request.query.version,
      );
      reply.header('etag', `"${stored.version}"`);
      return workflowView(stored);
    },
  );

  app.put<{ Params: { uid: string } }>(
    '/v1/workflows/:uid',
    {
      schema: {
        summary: 'Publish a new version (If-Match or "version": the version it replaces; stale: 409)',
        tags: ['workflows'],
        security: BEARER,
        params: UID_PARAMS,
        body: BODY,
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES, 403: ERROR_SCHEMA, 409: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { uid } = request.params;
      const latest = await visibleWorkflow(store, caller, uid);
      const { workflow, version } = readBody(request);
      if (workflow.uid !== undefined && workflow.uid !== uid) {
        throw new EngineError('SLUICE_API_BAD_REQUEST', `the body's uid ${workflow.uid} is not ${uid}`);
      }
      assertCanWrite(caller, latest.workspace_id, [latest.scope, workflow.scope]);
      const expected = ifMatch(request) ?? version;
      const stored = await store.publishWorkflow({
        uid,
        workspace_id: latest.workspace_id,
        user_id: caller.email,
        document: { ...workflow, uid },
        at: iso(),
        expectedVersion: expected,
      });
      reply.header('etag', `"${stored.version}"`);
      return workflowView(stored);
    },
  );

  app.delete<{ Params: { uid: string } }>(
    '/v1/workflows/:uid',
    {
      schema: {
        summary: 'Delete a workflow (soft delete: hidden from lists, runs refused)',
        tags: ['workflows'],
        security: BEARER,
        params: UID_PARAMS,
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES, 403: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const latest = await visibleWorkflow(store, caller, request.params.uid);
      assertCanWrite(caller, latest.workspace_id, [latest.scope]);
      const at = iso();
      await store.deleteWorkflow(latest.uid, at);
      return workflowView({ ...latest, deleted: true, updated: at });
    },
  );
}
