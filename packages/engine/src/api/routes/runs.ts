/**
 * The runs API: `POST /v1/workflows/{uid}/runs` (202, or 200 with `?wait=true` once the run ended),
 * `GET /v1/runs/{id}`, `GET /v1/runs?workflow=&status=&parent=&limit=&cursor=` (newest first, keyset
 * pagination), `POST /v1/runs/{id}/cancel`, `POST /v1/runs/{id}/retry`.
 *
 * @internal
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { internalsOf } from '../../engine-internals.js';
import type { Engine } from '../../engine-options.js';
import { checkRunInput, type InputNeeds, inputNeeds } from '../../run/input-rules.js';
import type { RunCursor, StoredWorkflow } from '../../store/service-store.js';
import type { RunStatus } from '../../store/store.js';
import { callerOf, visibleRun, visibleWorkflow } from '../access.js';
import { decodePageCursor, pageOf, pageQuerySchema } from '../page-cursor.js';
import {
  BEARER,
  ERROR_RESPONSES,
  ERROR_SCHEMA,
  OBJECT_SCHEMA,
  UID_PARAMS,
  UID_PATTERN,
  WAIT_QUERY,
} from '../schemas.js';
import { runSummary, runView } from '../views.js';

// Run ids are UUIDs; the uid alphabet keeps NUL and other bytes a database refuses out of queries.
const ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', pattern: UID_PATTERN } },
  required: ['id'],
} as const;

const STATUSES: RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** `limit` of `GET /v1/runs`. */
const LIST_LIMIT = { default: 20, max: 100 } as const;

function decodeCursor(text: string): RunCursor {
  const [created_at, id] = decodePageCursor(text, 2) as [string, string];
  return { created_at, id };
}

/** Published versions whose input needs are kept (the oldest scanned is dropped first). */
const NEEDS_KEPT = 1000;

/** Registers the run routes; `waitLimitMs` caps `?wait=true`. */
export function runRoutes(app: FastifyInstance, engine: Engine, waitLimitMs: number): void {
  // What each published version's templates read of INPUT: versions never change, so scanned once.
  const needs = new Map<string, InputNeeds>();
  const needsOf = (stored: StoredWorkflow): InputNeeds => {
    const key = `${stored.uid}@${stored.version}`;
    let found = needs.get(key);
    if (found === undefined) {
      found = inputNeeds(stored.document, engine.stepKinds);
      if (needs.size >= NEEDS_KEPT) needs.delete(needs.keys().next().value as string);
      needs.set(key, found);
    }
    return found;
  };
  const { store } = internalsOf(engine);

  const answer = async (reply: FastifyReply, id: string, wait: boolean | undefined) => {
    if (wait === true) await engine.waitForRun(id, waitLimitMs);
    const view = await runView(store.runs, id);
    const ended = view.status === 'succeeded' || view.status === 'failed' || view.status === 'cancelled';
    return reply.status(wait === true && ended ? 200 : 202).send(view);
  };

  app.post<{ Params: { uid: string }; Querystring: { wait?: boolean }; Body: { input?: unknown } }>(
    '/v1/workflows/:uid/runs',
    {
      schema: {
        summary: 'Start a run of the latest version (202; ?wait=true answers 200 once it ended)',
        tags: ['runs'],
        security: BEARER,
        params: UID_PARAMS,
        querystring: WAIT_QUERY,
        body: {
          type: 'object',
          properties: { input: { description: 'INPUT of the run (any JSON value)' } },
          additionalProperties: false,
        },
        response: { 200: OBJECT_SCHEMA, 202: OBJECT_SCHEMA, ...ERROR_RESPONSES, 422: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const stored = await visibleWorkflow(store, caller, request.params.uid);
      const input = request.body?.input ?? null;
      checkRunInput(stored.document, input, engine.stepKinds, needsOf(stored));
      const id = await engine.startRun(stored, input, caller);
      return answer(reply, id, request.query.wait);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id',
    {
      schema: {
        summary: 'Get a run: its status, every step and item, with attempts',
        tags: ['runs'],
        security: BEARER,
        params: ID_PARAMS,
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const run = await visibleRun(store, callerOf(request), request.params.id);
      return runView(store.runs, run.id);
    },
  );

  app.get<{
    Querystring: { workflow?: string; status?: RunStatus; parent?: string; limit?: number; cursor?: string };
  }>(
    '/v1/runs',
    {
      schema: {
        summary: "List your workspace's runs, newest first",
        tags: ['runs'],
        security: BEARER,
        querystring: pageQuerySchema(LIST_LIMIT, {
          workflow: { type: 'string', pattern: UID_PATTERN },
          status: { type: 'string', enum: STATUSES },
          parent: {
            type: 'string',
            minLength: 1,
            maxLength: 128,
            description: 'only the child runs of this run',
          },
        }),
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { workflow, status, parent, cursor } = request.query;
      const limit = request.query.limit ?? LIST_LIMIT.default;
      const rows = await store.runs.listRuns({
        workspace_id: callerOf(request).workspace_id,
        workflow_uid: workflow,
        status,
        parent_run_id: parent,
        limit: limit + 1,
        after: cursor === undefined ? undefined : decodeCursor(cursor),
      });
      const { page, next_cursor } = pageOf(rows, limit, (run) => [run.created_at, run.id]);
      return { runs: page.map(runSummary), next_cursor };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/runs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a pending or running run',
        tags: ['runs'],
        security: BEARER,
        params: ID_PARAMS,
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES, 409: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const run = await visibleRun(store, callerOf(request), request.params.id);
      await engine.cancelRun(run.id);
      return runView(store.runs, run.id);
    },
  );

  app.post<{ Params: { id: string }; Querystring: { wait?: boolean } }>(
    '/v1/runs/:id/retry',
    {
      schema: {
        summary: 'Resume a failed run from its failed step (202; ?wait=true answers 200 once it ended)',
        tags: ['runs'],
        security: BEARER,
        params: ID_PARAMS,
        querystring: WAIT_QUERY,
        response: { 200: OBJECT_SCHEMA, 202: OBJECT_SCHEMA, ...ERROR_RESPONSES, 409: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const run = await visibleRun(store, caller, request.params.id);
      if (run.workflow_uid !== null) await visibleWorkflow(store, caller, run.workflow_uid);
      await engine.retryRun(run.id);
      return answer(reply, run.id, request.query.wait);
    },
  );
}
