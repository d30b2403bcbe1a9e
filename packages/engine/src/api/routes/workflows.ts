/**
 * The publishing API: `POST /v1/workflows` (JSON, or YAML with `Content-Type: application/yaml`),
 * `GET /v1/workflows` (each with its `last_run` in the caller's workspace), `GET|PUT|DELETE
 * /v1/workflows/{uid}`. Stored fields (`uid` on update, `version`, `workspace_id`, `user_id`, `created`,
 * `updated`, `deleted`) come from the caller and the store, never from the body; a body `version` (or
 * `If-Match`) is the version the update expects to replace. The checks a publish makes before it writes
 * are {@link checkCreate} and {@link checkUpdate}, shared with `POST /v1/workflows/validate`.
 *
 * @internal
 * @module
 */

import { randomUUID } from 'node:crypto';
import type { Connector } from '@sluice/sdk';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkWorkflowConnectors } from '../../connectors/catalog.js';
import { EngineError, WorkflowParseError } from '../../errors.js';
import type { Workflow } from '../../model/workflow.js';
import { assertNoCallCycle } from '../../run/call-cycles.js';
import type { StepKinds } from '../../steps/step-kinds.js';
import type { ApiCaller, ServiceStore, StoredWorkflow } from '../../store/service-store.js';
import type { TemplateRenderer } from '../../template/render.js';
import type { TriggerSync } from '../../triggers/sync-triggers.js';
import type { TriggerKinds } from '../../triggers/trigger-kinds.js';
import { parseWorkflow } from '../../workflow/parse.js';
import { configuredSystemApis } from '../../workflow/system-api-keys.js';
import { assertCanWrite, callerOf, visibleWorkflow } from '../access.js';
import { decodePageCursor, pageOf, pageQuerySchema } from '../page-cursor.js';
import {
  BEARER,
  ERROR_RESPONSES,
  ERROR_SCHEMA,
  MAX_VERSION,
  OBJECT_SCHEMA,
  UID_PARAMS,
  UID_PATTERN,
} from '../schemas.js';
import { workflowView } from '../views.js';

/** The raw text of JSON bodies, kept so invalid documents are reported with their lines. */
export const rawBodies = new WeakMap<FastifyRequest, string>();

/** Content types read as YAML. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** `GET /v1/workflows?limit=`: the default and the largest page. */
const LIST_LIMIT = { default: 50, max: 200 } as const;

const STORED_FIELDS = ['workspace_id', 'user_id', 'created', 'updated', 'deleted', 'version'] as const;

/** The request body of a publish or a validation: a workflow document in JSON or YAML. */
export const BODY = {
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

/**
 * Parses and validates the document of a request (every problem with its path and line).
 *
 * @throws {WorkflowParseError} `SLUICE_WORKFLOW_PARSE` or `SLUICE_WORKFLOW_INVALID` (400), with `problems`.
 */
export async function readBody(
  request: FastifyRequest,
  checks: Pick<PublishChecks, 'templates' | 'stepKinds' | 'triggerKinds' | 'systemApis'>,
  tenant: string,
): Promise<Body> {
  const yaml = YAML_TYPES.some((t) => (request.headers['content-type'] ?? '').startsWith(t));
  const text = yaml ? (request.body as string) : rawBodies.get(request);
  if (typeof text !== 'string' || text.trim() === '') {
    throw new EngineError('SLUICE_API_BAD_REQUEST', 'the body must be a workflow document');
  }
  const workflow = await parseWorkflow(text, {
    format: yaml ? 'yaml' : 'json',
    renderer: checks.templates,
    tenant,
    stepKinds: checks.stepKinds,
    triggerKinds: checks.triggerKinds,
    systemApis: configuredSystemApis(checks.systemApis?.()),
  });
  if (workflow.deleted === true) {
    // Publishing it would make a runnable workflow of a document its author marked deleted.
    throw new WorkflowParseError(
      'SLUICE_WORKFLOW_INVALID',
      [{ path: 'deleted', message: 'is true: a deleted workflow is not published or run' }],
      {
        hint: 'remove deleted (or set it to false) to publish the workflow; DELETE /v1/workflows/{uid} deletes one',
      },
    );
  }
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

/** What a publish checks a document against: the template workers, and the connectors when given. */
export interface PublishChecks {
  templates: TemplateRenderer;
  /** The step kinds the engine runs. */
  stepKinds: StepKinds;
  /** The trigger kinds the engine runs. */
  triggerKinds: TriggerKinds;
  connectors?: ReadonlyMap<string, Connector> | undefined;
  /**
   * The `SYSTEM_APIS` runs see now. When it has a key beyond the service's own, a template naming a key
   * it lacks is refused; otherwise keys are not checked (`workflow/system-api-keys.ts`).
   */
  systemApis?: (() => Readonly<Record<string, unknown>>) | undefined;
}

/**
 * What `POST /v1/workflows` checks before it writes (the uid being free aside): the document, its uid
 * when it has one, the caller's right to its scope, and its connectors when `connectors` is given.
 *
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST` for a bad uid, `SLUICE_API_FORBIDDEN`,
 * `SLUICE_CONNECTOR_UNKNOWN`; {@link readBody}'s errors.
 */
export async function checkCreate(
  request: FastifyRequest,
  caller: ApiCaller,
  checks: PublishChecks,
): Promise<Workflow> {
  const { connectors } = checks;
  const { workflow } = await readBody(request, checks, caller.workspace_id);
  const { uid } = workflow;
  if (uid !== undefined && !new RegExp(UID_PATTERN).test(uid)) {
    throw new EngineError('SLUICE_API_BAD_REQUEST', `uid ${JSON.stringify(uid)} is not a valid uid`, {
      hint: 'use letters, digits, _, - and . (at most 128), or leave uid out',
    });
  }
  assertCanWrite(caller, caller.workspace_id, [workflow.scope]);
  if (connectors !== undefined) checkWorkflowConnectors(workflow, connectors);
  return workflow;
}

/**
 * What `PUT /v1/workflows/{uid}` checks before it writes over `latest` (the caller can see it): the
 * document, its uid, the caller's right to both scopes, its connectors; answers the document and the
 * version the update expects to replace (`If-Match`, else the body's `version`), if any.
 *
 * @throws {EngineError} as {@link checkCreate}; `SLUICE_API_BAD_REQUEST` for another uid or a bad `If-Match`.
 */
export async function checkUpdate(
  request: FastifyRequest,
  caller: ApiCaller,
  latest: StoredWorkflow,
  checks: PublishChecks,
): Promise<{ workflow: Workflow; expected: number | undefined }> {
  const { connectors } = checks;
  const { workflow, version } = await readBody(request, checks, caller.workspace_id);
  if (workflow.uid !== undefined && workflow.uid !== latest.uid) {
    throw new EngineError('SLUICE_API_BAD_REQUEST', `the body's uid ${workflow.uid} is not ${latest.uid}`);
  }
  assertCanWrite(caller, latest.workspace_id, [latest.scope, workflow.scope]);
  if (connectors !== undefined) checkWorkflowConnectors(workflow, connectors);
  return { workflow, expected: ifMatch(request) ?? version };
}

/**
 * Registers the workflow routes. With `triggers`, a publish first checks that its trigger may be enabled
 * (a poll's connection test, 422) and then writes the trigger's row; a delete removes it. With
 * `connectors`, a publish whose action steps or poll trigger name an unregistered connector, action or
 * trigger is refused (400 `SLUICE_CONNECTOR_UNKNOWN`, naming the path).
 */
export function workflowRoutes(
  app: FastifyInstance,
  store: ServiceStore,
  now: () => number,
  checks: PublishChecks,
  triggers?: TriggerSync,
): void {
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
      const workflow = await checkCreate(request, caller, checks);
      const uid = workflow.uid ?? randomUUID();
      await assertNoCallCycle(store, caller.workspace_id, uid, workflow);
      await triggers?.checkPublish(caller.workspace_id, undefined, workflow);
      const stored = await store.workflows.publish({
        uid,
        workspace_id: caller.workspace_id,
        user_id: caller.email,
        document: { ...workflow, uid },
        at: iso(),
        expectedVersion: 0,
      });
      await triggers?.published(stored);
      reply.header('etag', `"${stored.version}"`).header('location', `/v1/workflows/${uid}`);
      return reply.status(201).send(workflowView(stored));
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/v1/workflows',
    {
      schema: {
        summary:
          "List your workspace's and the global workflows (latest versions, not deleted) by name, with your last run of each",
        tags: ['workflows'],
        security: BEARER,
        querystring: pageQuerySchema(LIST_LIMIT),
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { workspace_id } = callerOf(request);
      const { cursor } = request.query;
      const limit = request.query.limit ?? LIST_LIMIT.default;
      const after = cursor === undefined ? undefined : decodePageCursor(cursor, 2);
      // One more than the page tells whether there is a next page.
      const rows = await store.workflows.list(workspace_id, {
        limit: limit + 1,
        after: after === undefined ? undefined : { name: after[0] as string, uid: after[1] as string },
      });
      const { page, next_cursor } = pageOf(rows, limit, (w) => [w.name, w.uid]);
      // The caller's own runs only: a global workflow's runs in other workspaces are theirs.
      const runs = await store.runs.lastRuns(
        workspace_id,
        page.map((w) => w.uid),
      );
      return {
        workflows: page.map((w) => ({ ...workflowView(w), last_run: runs.get(w.uid) ?? null })),
        next_cursor,
      };
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
          properties: { version: { type: 'integer', minimum: 1, maximum: MAX_VERSION } },
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
      const { workflow, expected } = await checkUpdate(request, caller, latest, checks);
      await assertNoCallCycle(store, latest.workspace_id, uid, workflow);
      await triggers?.checkPublish(latest.workspace_id, uid, workflow);
      const stored = await store.workflows.publish({
        uid,
        workspace_id: latest.workspace_id,
        user_id: caller.email,
        document: { ...workflow, uid },
        at: iso(),
        expectedVersion: expected,
      });
      await triggers?.published(stored);
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
      await store.workflows.delete(latest.uid, at);
      await triggers?.deleted(latest.uid);
      return workflowView({ ...latest, deleted: true, updated: at });
    },
  );
}
