/**
 * `POST /v1/workflows/{uid}/steps/{name}/test` over a real SQLite file, a real engine and a loopback
 * target server: the step's request is built from the posted state with the caller's USER and the
 * service's SYSTEM_APIS, nothing is recorded and no trigger fires, secrets are redacted, `when`,
 * `on_error: continue` and fan-out behave as in a run, a wait step answers without waiting, and bad or
 * hostile requests are refused naming what is wrong.
 */
import { randomBytes } from 'node:crypto';
import {
  type ApiCaller,
  type ItemContext,
  type ItemTask,
  itemRecorder,
  REDACTED,
  STEP_KINDS,
  type StepBase,
  type StepKind,
  type StepTestResult,
} from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { DIALECTS, type Dialect } from '../store/dialects.js';
import { type ApiHarness, codeOf, useApiHarness } from './harness.js';

const API_TOKEN = 'crm-live-7c1d93ab52e0';

/** A connector whose action echoes the connection's token back in its output (a careless connector). */
const crm: Connector = defineConnector({
  title: 'CRM',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'api_token', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
  },
  actions: {
    lookup: {
      execute: async ({ http, connection, input }) => {
        const found = await http.get<{ name: string }>('/lookup', {
          id: String((input as { id?: unknown }).id),
          token: String(connection.api_token),
        });
        return { name: found.name, used_token: connection.api_token };
      },
    },
  },
});

/** A kind the test route does not know: its steps are refused with 422. */
interface SideStep extends StepBase {
  side_effect: { note?: string };
}
const sideEffect: StepKind<SideStep> = {
  name: 'side_effect',
  key: 'side_effect',
  summary: 'a step with side effects',
  keyHint: 'a step with side effects',
  properties: { side_effect: { type: 'object' } },
  snippets: [],
  templatedFields: [],
  async runItem(ctx: ItemContext, task: ItemTask<SideStep>) {
    return itemRecorder(ctx, task, ctx.logger).succeed({ done: true }, 0, []);
  },
};

const h = useApiHarness({
  engine: {
    connectors: new Map([['crm', crm]]),
    secretKey: randomBytes(32),
    stepKinds: STEP_KINDS.with(sideEffect as unknown as StepKind),
  },
});

const acme = {
  workspace_id: 'acme',
  email: 'bob@acme.test',
  id: 'bob@acme.test',
  role: 'member',
} as ApiCaller;

/** Runs recorded in the store, every status and workspace. */
async function runCount(): Promise<number> {
  return Object.values(await h.store.runs.countRunsByStatus()).reduce((sum, n) => sum + n, 0);
}

/** Publishes `document` as acme's member; resolves its uid. */
async function publish(document: object): Promise<string> {
  const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', document);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body.uid);
}

/** Tests step `name` of `uid` with `body` as acme's member (or `key`). */
function test(uid: string, name: string, body: unknown, key = h.keys.acmeMember) {
  return h.call(key, 'POST', `/v1/workflows/${uid}/steps/${name}/test`, body);
}

/** A workflow of an order lookup, then a notification built from it, fired by a schedule. */
function ordersFlow(server: ApiHarness['server']): object {
  return {
    name: 'orders',
    default_retry: { total: 0 },
    trigger: { schedule: { cron: '* * * * *' } },
    steps: [
      { name: 'order', apispec: { url: server.url('/order'), params: { id: '{{ INPUT.order }}' } } },
      {
        name: 'notify',
        apispec: {
          url: server.url('/notify'),
          method: 'post',
          headers: { 'x-user': '{{ USER.email }}', 'x-api': '{{ SYSTEM_APIS.sluice }}' },
          json_body: { order: '{{ INPUT.order }}', total: '{{ STEPS.order.output.total }}' },
        },
        output: '{{ CURRENT_STEP.response.body }}',
      },
    ],
  };
}

describe('POST /v1/workflows/{uid}/steps/{name}/test', () => {
  it('builds the request from the posted state, with the caller as USER, and records nothing', async () => {
    const uid = await publish(ordersFlow(h.server));
    const triggerBefore = await h.store.triggers.get(uid);
    h.server.script('/notify', [{ status: 200, body: { sent: true } }]);
    const res = await test(uid, 'notify', {
      state: { INPUT: { order: 42 }, STEPS: { order: { output: { total: 99.5 } } } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = res.body as unknown as StepTestResult;
    expect(answer).toMatchObject({
      step: 'notify',
      status: 'succeeded',
      output: { sent: true },
      error: null,
      errors: [],
      fanned_out: false,
      attempts: 1,
      wait_until: null,
    });
    expect(answer.items).toHaveLength(1);
    expect(answer.items[0]).toMatchObject({
      index: 0,
      status: 'succeeded',
      attempts: 1,
      output: { sent: true },
    });
    expect(answer.items[0]?.history).toHaveLength(1);
    expect(answer.items[0]?.history[0]).toMatchObject({ status: 200 });

    const [sent] = h.server.requests('/notify');
    expect(JSON.parse(sent?.body ?? '')).toEqual({ order: 42, total: 99.5 });
    expect(sent?.headers['x-user']).toBe('bob@acme.test');
    expect(sent?.headers['x-api']).toBe('http://127.0.0.1:1');
    // Only the tested step ran.
    expect(h.server.count('/order')).toBe(0);

    // No run row in any workspace, and the schedule's row did not move.
    expect(await runCount()).toBe(0);
    const listed = await h.call(h.keys.acmeMember, 'GET', `/v1/runs?workflow=${uid}`);
    expect(listed.body.runs).toEqual([]);
    expect(await h.store.triggers.get(uid)).toEqual(triggerBefore);
  });

  it('refuses USER and SYSTEM_APIS in the state, naming the field: they come from the caller and the service', async () => {
    const uid = await publish(ordersFlow(h.server));
    const res = await test(uid, 'notify', {
      state: {
        INPUT: { order: 1 },
        USER: { email: 'admin@evil.test' },
        SYSTEM_APIS: { sluice: 'http://evil' },
      },
    });
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('SLUICE_API_BAD_REQUEST');
    expect(res.body.error).toMatchObject({
      message: expect.stringMatching(/^body\.state\.USER: cannot be given: USER is the caller/),
      details: {
        problems: [
          { path: 'body.state.USER', message: expect.stringContaining('USER is the caller') },
          { path: 'body.state.SYSTEM_APIS', message: expect.stringContaining("service's settings") },
        ],
      },
    });
    expect(h.server.count('/notify')).toBe(0);
  });

  it('answers 400 for a malformed state, naming the field', async () => {
    const uid = await publish(ordersFlow(h.server));
    const cases: [unknown, string, RegExp][] = [
      [{}, 'body', /state/],
      [{ state: [] }, 'body.state', /object/],
      [{ state: 'x' }, 'body.state', /object/],
      [{ state: {}, extra: 1 }, 'body.extra', /additional/],
      [{ state: { STEPS: [] } }, 'body.state.STEPS', /object of step names/],
      [{ state: { STEPS: { order: 5 } } }, 'body.state.STEPS.order', /must be an object with output/],
      [{ state: { STEPS: { order: {} } } }, 'body.state.STEPS.order.output', /is required/],
      [
        { state: { STEPS: { order: { output: 1, outptu: 2 } } } },
        'body.state.STEPS.order.outptu',
        /did you mean "output"/,
      ],
      [
        { state: { STEPS: { ordr: { output: 1 } } } },
        'body.state.STEPS.ordr',
        /no such step; did you mean "order"/,
      ],
      [
        { state: { STEPS: { order: { output: 1, errors: [{ index: 'x' }] } } } },
        'body.state.STEPS.order.errors[0]',
        /index/,
      ],
      [{ state: { INPTU: 1 } }, 'body.state.INPTU', /did you mean "INPUT"/],
      [{ state: { CURRENT_STEP: {} } }, 'body.state.CURRENT_STEP', /engine sets CURRENT_STEP/],
      [{ state: {}, version: 0 }, 'body.version', /must be >= 1/],
    ];
    for (const [body, path, message] of cases) {
      const res = await test(uid, 'notify', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(codeOf(res)).toBe('SLUICE_API_BAD_REQUEST');
      const problems = (res.body.error as { details: { problems: { path: string; message: string }[] } })
        .details.problems;
      expect(problems[0]?.path, JSON.stringify(body)).toBe(path);
      expect(problems[0]?.message).toMatch(message);
    }
    expect(h.server.count('/notify')).toBe(0);
  });

  it('answers 404 naming an unknown step, with a did-you-mean', async () => {
    const uid = await publish(ordersFlow(h.server));
    const res = await test(uid, 'notfy', { state: {} });
    expect(res.status).toBe(404);
    expect(codeOf(res)).toBe('SLUICE_API_NOT_FOUND');
    expect((res.body.error as { message: string }).message).toBe(
      'workflow "orders" has no step "notfy"; did you mean "notify"?',
    );
    const far = await test(uid, 'zzzzzzzz', { state: {} });
    expect((far.body.error as { message: string }).message).toBe(
      'workflow "orders" has no step "zzzzzzzz"; its steps: order, notify',
    );
  });

  it("answers 404 for another workspace's workflow, as if it did not exist", async () => {
    const uid = await publish(ordersFlow(h.server));
    const res = await test(uid, 'notify', { state: {} }, h.keys.globexMember);
    expect(res.status).toBe(404);
    expect(codeOf(res)).toBe('SLUICE_API_NOT_FOUND');
    expect((res.body.error as { message: string }).message).toBe(`no workflow ${uid}`);
    expect(h.server.count('/notify')).toBe(0);
  });

  it('tests the version asked for, the latest by default', async () => {
    const uid = await publish(ordersFlow(h.server));
    const v2 = { ...ordersFlow(h.server), version: 1 } as unknown as {
      steps: { apispec: { url: string } }[];
    };
    (v2.steps[0] as { apispec: { url: string } }).apispec.url = h.server.url('/order-v2');
    const put = await h.call(h.keys.acmeMember, 'PUT', `/v1/workflows/${uid}`, v2);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    h.server.script('/order', [{ status: 200, body: { total: 1 } }]);
    h.server.script('/order-v2', [{ status: 200, body: { total: 2 } }]);
    const latest = await test(uid, 'order', { state: { INPUT: { order: 1 } } });
    expect(latest.body.output).toEqual({ total: 2 });
    const first = await test(uid, 'order', { state: { INPUT: { order: 1 } }, version: 1 });
    expect(first.body.output).toEqual({ total: 1 });
  });

  it('redacts the connection secret in the answer, as in a run record, and sends the real one', async () => {
    await h.engine.connections.save(acme, {
      name: 'main',
      connector: 'crm',
      values: { base_url: h.server.origin, api_token: API_TOKEN },
    });
    h.server.script('/lookup', [{ status: 200, body: { name: 'Ada' } }]);
    const uid = await publish({
      name: 'lookup',
      steps: [{ name: 'lookup', action: 'crm.lookup', connection: 'main', input: { id: '{{ INPUT.id }}' } }],
    });
    const res = await test(uid, 'lookup', { state: { INPUT: { id: 7 } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', output: { name: 'Ada', used_token: REDACTED } });
    expect(JSON.stringify(res.body)).not.toContain(API_TOKEN);
    expect(h.server.requests('/lookup')[0]?.query.get('token')).toBe(API_TOKEN);
    expect(await runCount()).toBe(0);
  });

  it('answers skipped for a falsy when, calling nothing', async () => {
    const uid = await publish({
      name: 'maybe',
      steps: [{ name: 'ping', when: '{{ INPUT.go }}', apispec: { url: h.server.url('/ping') } }],
    });
    const res = await test(uid, 'ping', { state: { INPUT: { go: false } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ step: 'ping', status: 'skipped', output: null, attempts: 0, items: [] });
    expect(h.server.count('/ping')).toBe(0);
  });

  it('fans out over a list input, one item per element with its attempts', async () => {
    const uid = await publish({
      name: 'fan',
      default_retry: { total: 0 },
      steps: [
        {
          name: 'each',
          input: '{{ INPUT.ids }}',
          apispec: { url: h.server.url('/item'), params: { id: '{{ CURRENT_STEP.input }}' } },
          output: '{{ CURRENT_STEP.response.body.id }}',
        },
      ],
    });
    h.server.script('/item', [{ status: 200, body: { id: 'x' } }]);
    const res = await test(uid, 'each', { state: { INPUT: { ids: [1, 2, 3] } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = res.body as unknown as StepTestResult;
    expect(answer).toMatchObject({
      status: 'succeeded',
      fanned_out: true,
      output: ['x', 'x', 'x'],
      attempts: 3,
    });
    expect(answer.items.map((item) => [item.index, item.status, item.input, item.history.length])).toEqual([
      [0, 'succeeded', 1, 1],
      [1, 'succeeded', 2, 1],
      [2, 'succeeded', 3, 1],
    ]);
    expect(
      h.server
        .requests('/item')
        .map((r) => r.query.get('id'))
        .sort(),
    ).toEqual(['1', '2', '3']);
  });

  it('goes past failed items with on_error: continue, listing them in errors', async () => {
    const uid = await publish({
      name: 'continue',
      default_retry: { total: 0 },
      steps: [
        {
          name: 'each',
          input: '{{ INPUT.ids }}',
          on_error: 'continue',
          concurrency: 1,
          apispec: { url: h.server.url('/each') },
          output: '{{ CURRENT_STEP.response.body.n }}',
        },
      ],
    });
    h.server.script('/each', [
      { status: 200, body: { n: 1 } },
      { status: 500, body: { oops: true } },
      { status: 200, body: { n: 3 } },
    ]);
    const res = await test(uid, 'each', { state: { INPUT: { ids: ['a', 'b', 'c'] } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = res.body as unknown as StepTestResult;
    expect(answer).toMatchObject({ status: 'succeeded', output: [1, null, 3], fanned_out: true });
    expect(answer.errors).toEqual([
      { index: 1, error: expect.objectContaining({ type: 'status', status: 500 }) },
    ]);
    expect(answer.items.map((item) => item.status)).toEqual(['succeeded', 'failed', 'succeeded']);
  });

  it('answers a wait step at once with when it would end, without waiting', async () => {
    const uid = await publish({
      name: 'waits',
      steps: [
        { name: 'hour', wait: { seconds: 3600 } },
        { name: 'until', wait: { until: '{{ INPUT.not_before }}' } },
      ],
    });
    const before = Date.now();
    const res = await test(uid, 'hour', { state: {} });
    const after = Date.now();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = res.body as unknown as StepTestResult;
    expect(answer.status).toBe('succeeded');
    const until = Date.parse(String(answer.wait_until));
    expect(until).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(until).toBeLessThanOrEqual(after + 3_600_000);
    expect(answer.output).toEqual({ until: answer.wait_until });

    const notBefore = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const later = await test(uid, 'until', { state: { INPUT: { not_before: notBefore } } });
    expect(later.body).toMatchObject({
      status: 'succeeded',
      wait_until: notBefore,
      output: { until: notBefore },
    });
    const bad = await test(uid, 'until', { state: { INPUT: { not_before: 'tomorrow' } } });
    expect(bad.body).toMatchObject({ status: 'failed', wait_until: null });
    expect((bad.body.error as { message: string }).message).toContain('is not an RFC 3339 time');
  });

  it('stops at a retry wait the service would store, answering waiting with the attempts so far', async () => {
    const uid = await publish({
      name: 'busy',
      default_retry: { total: 2, status_forcelist: [503], respect_retry_after_header: true },
      steps: [{ name: 'call', apispec: { url: h.server.url('/busy') } }],
    });
    h.server.script('/busy', [{ status: 503, headers: { 'retry-after': '600' }, body: { busy: true } }]);
    const res = await test(uid, 'call', { state: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = res.body as unknown as StepTestResult;
    expect(answer.status).toBe('waiting');
    expect(answer.wait_until).toEqual(expect.any(String));
    expect(answer.items[0]?.history.map((a) => a.status)).toEqual([503]);
    expect(h.server.count('/busy')).toBe(1);
  });

  it('answers 422 for a step of a kind it does not test', async () => {
    const uid = await publish({ name: 'side', steps: [{ name: 'write', side_effect: {} }] });
    const res = await test(uid, 'write', { state: {} });
    expect(res.status).toBe(422);
    expect(codeOf(res)).toBe('SLUICE_STEP_TEST_UNSUPPORTED');
    expect((res.body.error as { message: string }).message).toBe(
      'steps.write: cannot be tested on its own: it is a side_effect step (a step with side effects); a test runs apispec, action and wait steps',
    );
  });
});

describe('a hostile state', () => {
  it('refuses __proto__ and constructor.prototype keys, and pollutes nothing', async () => {
    const uid = await publish(ordersFlow(h.server));
    for (const raw of [
      '{"state": {"__proto__": {"polluted": 1}}}',
      '{"state": {"STEPS": {"__proto__": {"output": 1}}}}',
      '{"state": {"constructor": {"prototype": {"polluted": 1}}}}',
    ]) {
      // The raw text is sent as is: give the content type by hand.
      const sent = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/steps/notify/test`, raw, {
        'content-type': 'application/json',
      });
      expect(sent.status, raw).toBe(400);
      expect(codeOf(sent)).toBe('SLUICE_API_BAD_REQUEST');
    }
    // A step named like an Object.prototype member is just a name that is not there.
    const inherited = await test(uid, 'notify', { state: { STEPS: { toString: { output: 1 } } } });
    expect(inherited.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(h.server.count('/notify')).toBe(0);
  });

  it('refuses nesting past the JSON depth limit and bodies past the body limit, and takes big values below them', async () => {
    const uid = await publish({
      name: 'echo',
      steps: [
        {
          name: 'echo',
          apispec: { url: h.server.url('/echo'), method: 'post', json_body: '{{ INPUT }}' },
          output: '{{ CURRENT_STEP.response.status }}',
        },
      ],
    });
    h.server.script('/echo', [{ status: 200, body: {} }]);
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const tooDeep = await h.call(
      h.keys.acmeMember,
      'POST',
      `/v1/workflows/${uid}/steps/echo/test`,
      `{"state": {"INPUT": ${deep(2000)}}}`,
      { 'content-type': 'application/json' },
    );
    expect(tooDeep.status).toBe(400);
    expect((tooDeep.body.error as { message: string }).message).toContain(
      'nests arrays and objects more than',
    );

    const tooBig = await test(uid, 'echo', { state: { INPUT: 'x'.repeat(2 * 1024 * 1024) } });
    expect(tooBig.status).toBe(413);
    expect(codeOf(tooBig)).toBe('SLUICE_API_BODY_TOO_LARGE');

    const big = await test(uid, 'echo', { state: { INPUT: { text: 'y'.repeat(800_000) } } });
    expect(big.status, JSON.stringify(big.body).slice(0, 300)).toBe(200);
    expect(big.body).toMatchObject({ status: 'succeeded', output: 200 });
    expect(JSON.parse(h.server.requests('/echo')[0]?.body ?? '').text).toHaveLength(800_000);

    const nested = await h.call(
      h.keys.acmeMember,
      'POST',
      `/v1/workflows/${uid}/steps/echo/test`,
      `{"state": {"INPUT": {"a": ${deep(200)}}}}`,
      { 'content-type': 'application/json' },
    );
    expect(nested.status, JSON.stringify(nested.body).slice(0, 300)).toBe(200);
    expect(await runCount()).toBe(0);
  });
});

const postgres = DIALECTS.find((d) => d.name === 'postgres') as Dialect;

describe.skipIf(postgres.skip)('a step test on PostgreSQL', () => {
  const pg = useApiHarness({ dialect: postgres });

  it('reads the workflow there and records no run', async () => {
    const published = await pg.call(pg.keys.acmeMember, 'POST', '/v1/workflows', ordersFlow(pg.server));
    expect(published.status).toBe(201);
    const uid = String(published.body.uid);
    pg.server.script('/order', [{ status: 200, body: { total: 3 } }]);
    const res = await pg.call(pg.keys.acmeMember, 'POST', `/v1/workflows/${uid}/steps/order/test`, {
      state: { INPUT: { order: 5 } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', output: { total: 3 } });
    expect(pg.server.requests('/order')[0]?.query.get('id')).toBe('5');
    const counts = await pg.store.runs.countRunsByStatus();
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(0);
  });
});
