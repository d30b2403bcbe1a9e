/**
 * `GET /v1/runs/{id}/attempts?step=&item=` (issue 15, "Inspection"): the run's attempts in order (by
 * step, item, attempt), each with the HTTP request it sent and the response it received, redacted and
 * cut as they were recorded. An attempt whose exchanges are not kept (past the workspace's retention, or
 * retention 0 when it ran) comes with `pruned: true` and no request or response. A connector action's
 * attempt lists each request its connector sent (`exchange` 1, 2, ...).
 *
 * @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { internalsOf } from '../../engine-internals.js';
import type { Engine } from '../../engine-options.js';
import { EngineError } from '../../errors.js';
import type { RunRow } from '../../store/store.js';
import { callerOf, visibleRun } from '../access.js';
import { type AttemptsView, attemptViews } from '../attempt-views.js';
import { ATTEMPTS_SCHEMA, BEARER, ERROR_RESPONSES, UID_PATTERN } from '../schemas.js';

const PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', pattern: UID_PATTERN } },
  required: ['id'],
} as const;

const QUERY = {
  type: 'object',
  properties: {
    step: { type: 'string', minLength: 1, maxLength: 256, description: 'only the attempts of this step' },
    item: { type: 'integer', minimum: 0, maximum: 1_000_000_000, description: 'only those of this item' },
  },
  additionalProperties: false,
} as const;

/** Registers the route. */
export function attemptRoutes(app: FastifyInstance, engine: Engine): void {
  const { store } = internalsOf(engine);
  app.get<{ Params: { id: string }; Querystring: { step?: string; item?: number } }>(
    '/v1/runs/:id/attempts',
    {
      schema: {
        summary:
          "A run's attempts with the HTTP request and response of each (redacted, bodies cut at 64 KiB)",
        tags: ['runs'],
        security: BEARER,
        params: PARAMS,
        querystring: QUERY,
        response: { 200: ATTEMPTS_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request): Promise<AttemptsView> => {
      const run = await visibleRun(store, callerOf(request), request.params.id);
      const { step, item } = request.query;
      const stepIndex = step === undefined ? undefined : stepIndexOf(run, step);
      const items = await store.runs.listStepItems(run.id, { exchanges: true });
      const names = run.workflow.steps.map((s) => s.name);
      const attempts = items
        .filter((row) => stepIndex === undefined || row.step_index === stepIndex)
        .filter((row) => item === undefined || row.item_index === item)
        .flatMap((row) => attemptViews(names[row.step_index] ?? String(row.step_index), row));
      return { run_id: run.id, attempts };
    },
  );
}

/** The index of step `name` in the run's workflow. */
function stepIndexOf(run: RunRow, name: string): number {
  const index = run.workflow.steps.findIndex((s) => s.name === name);
  if (index >= 0) return index;
  const known = run.workflow.steps.map((s) => s.name).join(', ');
  const message = `run ${run.id} has no step ${JSON.stringify(name)}`;
  const hint = `its steps are: ${known}`;
  const err = new EngineError('SLUICE_API_BAD_REQUEST', message, { hint });
  throw Object.assign(err, { details: { problems: [{ path: 'querystring.step', message }], hint } });
}
