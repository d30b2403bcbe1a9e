/**
 * `POST /v1/workflows/{uid}/steps/{name}/test`: runs one step of a workflow the caller can see against
 * the state in the body (`{ "state": { "INPUT": ..., "STEPS": { "<step>": { "output": ... } } } }`,
 * optional `version`, default the latest) and answers what it did (`StepTestResult`). No run is recorded
 * and no trigger fires; `USER` (with a run token) and `SYSTEM_APIS` are the caller's and the service's,
 * as in a run, and the step's connection must pass its test first. See `run/test-step.ts`.
 *
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { actionConnections } from '../../connectors/catalog.js';
import { internalsOf } from '../../engine-internals.js';
import type { Engine } from '../../engine-options.js';
import { EngineError } from '../../errors.js';
import type { Workflow } from '../../model/workflow.js';
import { runnableWorkflow } from '../../run/admit-run.js';
import { assertTestableStep, type StepTestState, testStep } from '../../run/test-step.js';
import type { ApiCaller } from '../../store/service-store.js';
import { checkStepTestState, findStep } from '../../workflow/step-test-state.js';
import { callerOf, visibleWorkflow } from '../access.js';
import {
  BEARER,
  ERROR_RESPONSES,
  ERROR_SCHEMA,
  MAX_VERSION,
  OBJECT_SCHEMA,
  UID_PATTERN,
} from '../schemas.js';

const PARAMS = {
  type: 'object',
  properties: {
    uid: { type: 'string', pattern: UID_PATTERN },
    name: { type: 'string', minLength: 1, description: 'the step name' },
  },
  required: ['uid', 'name'],
} as const;

const BODY = {
  type: 'object',
  properties: {
    state: {
      type: 'object',
      description:
        'INPUT and STEPS.<name>.output of the earlier steps: { "INPUT": ..., "STEPS": { "<step>": { "output": ... } } }',
    },
    version: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_VERSION,
      description: 'the version to test (default: the latest)',
    },
  },
  required: ['state'],
  additionalProperties: false,
} as const;

/** Registers the step test route. */
export function stepTestRoutes(app: FastifyInstance, engine: Engine): void {
  const { store, stepTestPorts: ports } = internalsOf(engine);
  app.post<{ Params: { uid: string; name: string }; Body: { state: unknown; version?: number } }>(
    '/v1/workflows/:uid/steps/:name/test',
    {
      schema: {
        summary: 'Test one step against a given state (no run is recorded)',
        tags: ['runs'],
        security: BEARER,
        params: PARAMS,
        body: BODY,
        response: { 200: OBJECT_SCHEMA, ...ERROR_RESPONSES, 422: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { uid, name } = request.params;
      const stored = await visibleWorkflow(store, caller, uid, request.body.version);
      const workflow = runnableWorkflow(stored);
      const found = findStep(workflow, name);
      if ('message' in found) {
        throw new EngineError('SLUICE_API_NOT_FOUND', found.message, {
          hint: `test one of the steps of version ${stored.version}`,
        });
      }
      assertTestableStep(workflow, found.index, engine.stepKinds);
      const state = checkedState(workflow, request.body.state);
      const step = workflow.steps[found.index] as Workflow['steps'][number];
      await engine.connections.check(caller.workspace_id, actionConnections({ ...workflow, steps: [step] }));
      // The test ends with its request: a client that hangs up stops the step's calls.
      const controller = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the request'));
      });
      const runId = randomUUID();
      const token = engine.runTokens.issue(caller, runId);
      const secrets = await engine.connections.secretsOf(caller.workspace_id);
      return testStep(workflow, name, {
        state,
        runId,
        renderer: ports.renderer,
        stepKinds: ports.stepKinds,
        limits: ports.limits,
        ...(ports.transport === undefined ? {} : { transport: ports.transport }),
        ...(ports.logger === undefined ? {} : { logger: ports.logger.child({ stepTest: name }) }),
        longWaitMs: ports.longWaitMs,
        now: ports.now,
        systemApis: ports.systemApis(),
        user: { ...userOf(caller), token },
        secrets: [token, ...secrets],
        actions: {
          connector: (connector) => engine.connectors.get(connector),
          open: (connection) => engine.connections.open(caller.workspace_id, connection),
        },
        signal: controller.signal,
      });
    },
  );
}

/**
 * The checked state of the body.
 *
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST` naming the first problem's field, every one in `details.problems`.
 */
function checkedState(workflow: Workflow, value: unknown): StepTestState {
  const checked = checkStepTestState(workflow, value);
  if (checked.ok) return checked.state;
  const [first] = checked.problems;
  const more = checked.problems.length > 1 ? ` (and ${checked.problems.length - 1} more)` : '';
  const err = new EngineError('SLUICE_API_BAD_REQUEST', `body.${first?.path}: ${first?.message}${more}`);
  const problems = checked.problems.map((p) => ({ path: `body.${p.path}`, message: p.message }));
  const hint = 'send { "state": { "INPUT": ..., "STEPS": { "<earlier step>": { "output": ... } } } }';
  throw Object.assign(err, { details: { problems, hint } });
}

/** `USER` of a test: the caller, as in a run it starts. */
function userOf(caller: ApiCaller): Record<string, unknown> {
  return { id: caller.id, email: caller.email, workspace_id: caller.workspace_id, role: caller.role };
}
