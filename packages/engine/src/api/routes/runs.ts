/**
 * The runs API: `POST /v1/workflows/{uid}/runs` (202, or 200 with `?wait=true` once the run ended),
 * `GET /v1/runs/{id}`, `GET /v1/runs?workflow=&status=&parent=&id=&origin=&since=&until=&limit=&cursor=`
 * (newest first, keyset pagination: a page reads its rows from an index in order and stops at its end),
 * `POST /v1/runs/{id}/cancel`, `POST /v1/runs/{id}/retry`. A run started here records its origin from the
 * `X-Sluice-Origin` header (`api` by default, `console`, `cli`).
 *
 * @internal
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { internalsOf } from '../../engine-internals.js';
import type { Engine } from '../../engine-options.js';
import { EngineError } from '../../errors.js';
import { CLIENT_ORIGINS } from '../../run/admit-run.js';
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

/** The header a client names itself in when it starts a run (`runs.origin`). */
const ORIGIN_HEADER = 'x-sluice-origin';

/** An origin: a client's, `parent`, `on_failure`, `local`, or a trigger kind's key. */
const ORIGIN_PATTERN = '^[a-z][a-z0-9_]{0,63}$';

/** `value` of query parameter `name` as the store's ISO time; a clear 400 when it is no time. */
function queryTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new EngineError('SLUICE_API_BAD_REQUEST', `query.${name}: ${JSON.stringify(value)} is not a time`, {
      hint: 'give an ISO 8601 time with its zone, like 2026-12-07T14:00:00Z or 2026-12-07T15:00:00+01:00',
    });
  }
  return new Date(ms).toISOString();
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
  const internals = internalsOf(engine);
  const { store } = internals;

  const answer = async (reply: FastifyReply, id: string, wait: boolean | undefined) => {
    // A run that ended in this process answers from the rows its execution wrote: no read back.
    const recorded = wait === true ? await internals.waitForEndedRun(id, waitLimitMs) : undefined;
    const view = await runView(recorded ?? store.runs, id);
    const ended = view.status === 'succeeded' || view.status === 'failed' || view.status === 'cancelled';
    // Serialized here, as the same JSON: the schema's serializer builds an open object's text key by key,
    // and it was 4% of what a `?wait=true` run allocates (issue 14).
    return reply
      .status(wait === true && ended ? 200 : 202)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(view));
  };

  app.post<{
    Params: { uid: string };
    Querystring: { wait?: boolean };
    Headers: { [ORIGIN_HEADER]?: (typeof CLIENT_ORIGINS)[number] };
    Body: { input?: unknown };
  }>(
    '/v1/workflows/:uid/runs',
    {
      schema: {
        summary: 'Start a run of the latest version (202; ?wait=true answers 200 once it ended)',
        tags: ['runs'],
        security: BEARER,
        params: UID_PARAMS,
        querystring: WAIT_QUERY,
        headers: {
          type: 'object',
          properties: {
            [ORIGIN_HEADER]: {
              type: 'string',
              enum: [...CLIENT_ORIGINS],
              description: 'what the run records as having started it (`origin`); `api` when absent',
            },
          },
        },
        body: {
          type: 'object',
          properties: { input: { description: 'INPUT of the run (any JSON value)' } },
          additionalProperties: false,
        },
        response: { 200: OBJECT_SCHEMA, 202: OBJECT_SCHEMA, ...ERROR_RESPONSES, 422: ERROR_SCHEMA },
      },
      // Before the schema: its "must NOT have additional properties" would not say what to do.
      preValidation: async (request) => refuseUnwrappedInput(request.body),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const stored = await visibleWorkflow(store, caller, request.params.uid);
      const input = request.body?.input ?? null;
      checkRunInput(stored.document, input, engine.stepKinds, needsOf(stored));
      const id = await engine.startRun(stored, input, caller, {
        origin: request.headers[ORIGIN_HEADER] ?? 'api',
      });
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
    Querystring: {
      workflow?: string;
      status?: RunStatus;
      parent?: string;
      id?: string;
      origin?: string;
      since?: string;
      until?: string;
      limit?: number;
      cursor?: string;
    };
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
          id: { type: 'string', pattern: UID_PATTERN, description: 'only the run with this id' },
          origin: {
            type: 'string',
            pattern: ORIGIN_PATTERN,
            description:
              'only the runs started so: api, console, cli, schedule, webhook, poll, connector_webhook, parent, on_failure, local',
          },
          since: {
            type: 'string',
            maxLength: 64,
            description: 'only the runs created at or after this ISO time',
          },
          until: { type: 'string', maxLength: 64, description: 'only the runs created before this ISO time' },
        }),
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { workflow, status, parent, id, origin, cursor } = request.query;
      const limit = request.query.limit ?? LIST_LIMIT.default;
      const rows = await store.runs.listRuns({
        workspace_id: callerOf(request).workspace_id,
        workflow_uid: workflow,
        status,
        parent_run_id: parent,
        id,
        origin,
        since: queryTime('since', request.query.since),
        until: queryTime('until', request.query.until),
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

/**
 * A run's body is `{"input": ...}`: a body of other members is most often the input itself, sent
 * without the wrapper, and is answered with what to send instead.
 *
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST` naming the first member that is not `input`.
 */
function refuseUnwrappedInput(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const other = Object.keys(body).find((key) => key !== 'input');
  if (other === undefined) return;
  const wrapped = Object.hasOwn(body, 'input');
  throw new EngineError(
    'SLUICE_API_BAD_REQUEST',
    wrapped
      ? `body.${other}: a run's body holds only "input"`
      : `body.${other}: the run's values go under "input"; wrap them in it`,
    {
      // Names only: the values may be secrets, and errors are logged.
      hint: wrapped
        ? 'move the other members into "input": {"input": {...}}'
        : `send {"input": {${Object.keys(body)
            .slice(0, 3)
            .map((key) => `${JSON.stringify(key.slice(0, 64))}: ...`)
            .join(', ')}}} instead of the bare values`,
    },
  );
}
