/**
 * The trigger of a workflow: `GET /v1/workflows/{uid}/trigger` (what it is doing; for a webhook, its
 * URL path with the secret), `POST /v1/workflows/{uid}/trigger/enable` and `/disable`, and every trigger
 * of the caller's workspace, `GET /v1/triggers`. Reading is for callers of the workflow's own workspace
 * only (others get 404, also for a global workflow, and the list leaves other workspaces' global
 * workflows out: the hook secret is the workspace's); enabling and disabling follow the write rules of
 * `PUT /v1/workflows/{uid}`.
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { internalsOf } from '../../engine-internals.js';
import type { Engine } from '../../engine-options.js';
import { EngineError } from '../../errors.js';
import type { ServiceStore, StoredWorkflow, TriggerStateRow } from '../../store/service-store.js';
import type { TriggerSync } from '../../triggers/sync-triggers.js';
import { assertCanWrite, callerOf, visibleWorkflow } from '../access.js';
import { BEARER, ERROR_RESPONSES, ERROR_SCHEMA, UID_PARAMS } from '../schemas.js';
import type { TriggerListView, TriggerView } from '../views.js';

const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;

const TRIGGER_VIEW = {
  type: 'object',
  properties: {
    workflow_uid: { type: 'string' },
    kind: {
      type: 'string',
      description:
        'the trigger kind: schedule, webhook, poll, connector_webhook, or one an engine registered',
    },
    enabled: { type: 'boolean' },
    next_at: NULLABLE_TIME,
    last_polled_at: NULLABLE_TIME,
    last_error: { type: ['string', 'null'] },
    events_seen: { type: 'integer' },
    updated_at: NULLABLE_TIME,
    hook_path: { type: 'string', description: 'webhooks only: POST here (the secret is part of it)' },
  },
  // What the trigger's kind adds (its `extras`), beside `hook_path`.
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
  required: ['workflow_uid', 'kind', 'enabled', 'events_seen'],
} as const;

const { workflow_uid: UID_PROPERTY, ...VIEW_PROPERTIES } = TRIGGER_VIEW.properties;

/** `GET /v1/triggers`: each trigger as {@link TRIGGER_VIEW}, with its workflow's name. */
const TRIGGER_LIST = {
  type: 'object',
  properties: {
    triggers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          workflow_uid: UID_PROPERTY,
          workflow_name: { type: 'string' },
          ...VIEW_PROPERTIES,
        },
        additionalProperties: TRIGGER_VIEW.additionalProperties,
        required: [...TRIGGER_VIEW.required, 'workflow_name'],
      },
    },
  },
  required: ['triggers'],
} as const;

function noTrigger(uid: string): EngineError {
  return new EngineError('SLUICE_API_NOT_FOUND', `workflow ${uid} has no trigger`, {
    hint: 'add trigger: {schedule | webhook | poll} to the workflow and publish it',
  });
}

/**
 * What the trigger of `stored` is doing, from its row, with what its kind adds (a webhook's URL path).
 *
 * @throws {EngineError} `SLUICE_API_NOT_FOUND` when the workflow has no trigger.
 */
export function triggerView(
  stored: StoredWorkflow,
  row: TriggerStateRow | undefined,
  triggers: TriggerSync,
): TriggerView {
  const kind = triggers.triggerOf(stored.document)?.kind.key;
  if (kind === undefined) throw noTrigger(stored.uid);
  return {
    workflow_uid: stored.uid,
    kind,
    // A row not written yet (the engine writes missing ones at start) is reported disabled.
    enabled: row?.kind === kind && row.enabled,
    next_at: row?.next_at ?? null,
    last_polled_at: row?.last_polled_at ?? null,
    last_error: row?.last_error ?? null,
    events_seen: row?.events_seen ?? 0,
    updated_at: row?.updated_at ?? null,
    ...triggers.extras(stored),
  };
}

/** The triggers of the workflows of `workspaceId` (not deleted, not other workspaces' global ones), by name. */
async function workspaceTriggers(
  store: ServiceStore,
  workspaceId: string,
  triggers: TriggerSync,
): Promise<TriggerListView[]> {
  const [workflows, rows] = await Promise.all([
    store.workflows.list(workspaceId),
    store.triggers.list(workspaceId),
  ]);
  const byUid = new Map(rows.map((row) => [row.workflow_uid, row]));
  return workflows
    .filter((w) => w.workspace_id === workspaceId && triggers.triggerOf(w.document) !== undefined)
    .map((w) => ({ ...triggerView(w, byUid.get(w.uid), triggers), workflow_name: w.name }));
}

/** Registers the trigger routes. */
export function triggerRoutes(app: FastifyInstance, engine: Engine): void {
  const { store } = internalsOf(engine);
  const view = (stored: StoredWorkflow, row: TriggerStateRow | undefined) =>
    triggerView(stored, row, engine.triggers);

  app.get(
    '/v1/triggers',
    {
      schema: {
        summary:
          "The triggers of your workspace's workflows, by workflow name (webhooks with their URL path)",
        tags: ['triggers'],
        security: BEARER,
        response: { 200: TRIGGER_LIST, 401: ERROR_SCHEMA },
      },
    },
    async (request) => ({
      triggers: await workspaceTriggers(store, callerOf(request).workspace_id, engine.triggers),
    }),
  );

  app.get<{ Params: { uid: string } }>(
    '/v1/workflows/:uid/trigger',
    {
      schema: {
        summary: "What the workflow's trigger is doing (for a webhook: its URL path, secret included)",
        tags: ['triggers'],
        security: BEARER,
        params: UID_PARAMS,
        response: { 200: TRIGGER_VIEW, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const stored = await visibleWorkflow(store, caller, request.params.uid);
      if (stored.workspace_id !== caller.workspace_id) throw noTrigger(stored.uid);
      return view(stored, await store.triggers.get(stored.uid));
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { uid: string } }>(
      `/v1/workflows/:uid/trigger/${action}`,
      {
        schema: {
          summary:
            action === 'enable'
              ? "Enable the workflow's trigger (a poll's connection is tested first: 422 when it fails)"
              : "Disable the workflow's trigger (new versions keep it disabled)",
          tags: ['triggers'],
          security: BEARER,
          params: UID_PARAMS,
          response: { 200: TRIGGER_VIEW, ...ERROR_RESPONSES, 403: ERROR_SCHEMA, 422: ERROR_SCHEMA },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const stored = await visibleWorkflow(store, caller, request.params.uid);
        assertCanWrite(caller, stored.workspace_id, [stored.scope]);
        return view(stored, await engine.triggers.setEnabled(stored, action === 'enable'));
      },
    );
  }
}
