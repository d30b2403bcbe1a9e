/**
 * Two trigger kinds defined here, in the test, and nowhere else, registered with `TRIGGER_KINDS.with(...)`
 * only: adding a kind touches no validator, schema, sync, loop or API file (docs/trigger-kinds.md).
 *
 * - `every: { seconds, input }` is **pulled**: due `seconds` after it goes live, then after each firing;
 *   a firing commits one run (`INPUT`: `input` with the firing's count as `tick`) and the count as the
 *   trigger's state. `checkEnable` asks an in-test timer service, and refuses while it is down.
 * - `channel: { name }` is **pushed**: never due. `subscribe`/`unsubscribe` tell an in-test broker which
 *   workflow listens to which channel; between `start` and `stop` (while the engine holds the `triggers`
 *   lease) a listener turns each message the broker routes into a run with `ctx.deliver`.
 *
 * The clock is injected and the loop is driven with `tickTriggers()` (its own ticks are an hour apart).
 */
import {
  EngineError,
  STEP_KINDS,
  TRIGGER_KINDS,
  type TriggerKind,
  validateWorkflow,
  workflowJsonSchema,
} from '@sluice/engine';
import { internalsOf } from '@sluice/engine/internal';
import { beforeEach, describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../api/harness.js';

let clock = Date.parse('2024-05-01T12:00:00Z');
const now = () => clock;
const iso = (ms: number) => new Date(ms).toISOString();

// --- every: a pulled kind ------------------------------------------------------------------------------

/** `trigger.every`: a run every `seconds` seconds. */
interface EveryTrigger {
  seconds: number;
  /** `INPUT` of each run, with `tick` added. @default {} */
  input?: Record<string, unknown>;
}

/** What an `every` trigger keeps between firings (`trigger_states.state`). */
interface EveryState {
  fired: number;
}

/** The service an `every` trigger needs (as a poll needs its connection): `checkEnable` asks it. */
const timer = { up: true, asked: [] as string[] };

const every: TriggerKind<EveryTrigger> = {
  key: 'every',
  summary: 'a fixed interval',
  schema: {
    description: 'Start a run every `seconds` seconds, with `input` (and the count as `tick`) as `INPUT`.',
    type: 'object',
    errorMessage: 'must be an object with a number of seconds (seconds, input)',
    additionalProperties: false,
    required: ['seconds'],
    properties: {
      seconds: {
        description: 'Seconds between runs, at least 1.',
        type: 'integer',
        examples: [60],
        errorMessage: 'must be a whole number of seconds',
      },
      input: {
        description: '`INPUT` of each run, with `tick` added. Default: `{}`.',
        type: 'object',
        errorMessage: 'must be an object',
      },
    },
  },
  checks: [
    (config, reported) =>
      typeof config.seconds === 'number' && config.seconds < 1 && !reported(['seconds'])
        ? [{ path: ['seconds'], message: `must be at least 1 (got ${config.seconds})` }]
        : [],
  ],
  normalize: (config) => ({ input: {}, ...(config as EveryTrigger) }),
  async checkEnable(_ctx, workspaceId) {
    timer.asked.push(workspaceId);
    if (!timer.up) {
      throw new EngineError('SLUICE_CONNECTION_TEST', 'trigger.every: the timer service does not answer', {
        hint: 'enable the trigger again once the timer service is back',
      });
    }
  },
  // A restart keeps the planned time; a publish or an enable starts the interval from now.
  firstDue: (config, due) =>
    due.why === 'reconcile' && due.kept !== null ? due.kept : iso(due.now + config.seconds * 1000),
  nextDue: (config, at) => iso(at + config.seconds * 1000),
  async fire(ctx, row, _stored, config) {
    const fired = ((row.state as EveryState | null)?.fired ?? 0) + 1;
    const at = ctx.now();
    const state: EveryState = { fired };
    return {
      patch: { state, next_at: iso(at + config.seconds * 1000), last_polled_at: iso(at), last_error: null },
      events: [{ ...config.input, tick: fired }],
    };
  },
};

// --- channel: a pushed kind ----------------------------------------------------------------------------

/** `trigger.channel`: a run for each message on a channel of the broker. */
interface ChannelTrigger {
  name: string;
}

type Listener = (uid: string, message: unknown) => Promise<string | undefined>;

/** An in-test message broker: which workflow listens to which channel, and at most one listener. */
class Broker {
  /** What the kind was asked, in order: `start`, `stop`, `subscribe <uid> <channel>`, `unsubscribe <uid>`. */
  readonly calls: string[] = [];
  /** Who held the `triggers` lease each time `start` ran. */
  readonly startedUnder: (string | undefined)[] = [];
  readonly #routes = new Map<string, string>();
  #listener: Listener | undefined;

  subscribe(uid: string, channel: string): void {
    this.#routes.set(uid, channel);
  }

  unsubscribe(uid: string): void {
    this.#routes.delete(uid);
  }

  listen(listener: Listener | undefined): void {
    this.#listener = listener;
  }

  /** Sends `message` to each workflow subscribed to `channel`; resolves what the listener made of each. */
  async emit(channel: string, message: unknown): Promise<(string | undefined)[]> {
    const listener = this.#listener;
    if (listener === undefined) return [];
    const uids = [...this.#routes].filter(([, name]) => name === channel).map(([uid]) => uid);
    return Promise.all(uids.map((uid) => listener(uid, message)));
  }

  /** Hands `message` for `uid` to the listener, subscribed or not: an event already in flight. */
  async inFlight(uid: string, message: unknown): Promise<string | undefined> {
    return this.#listener?.(uid, message);
  }
}

let broker = new Broker();
/** Who holds the `triggers` lease now (set once the harness is declared). */
let leaseHolder: () => Promise<string | undefined>;

const channel: TriggerKind<ChannelTrigger> = {
  key: 'channel',
  summary: 'a message channel',
  schema: {
    description: 'Start a run for each message on the channel, with the message as `INPUT`.',
    type: 'object',
    errorMessage: 'must be an object naming a channel (name)',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: {
        description: 'The channel.',
        type: 'string',
        pattern: '^[a-z]+$',
        errorMessage: 'must be a channel name (a-z)',
      },
    },
  },
  firstDue: () => null,
  async start(ctx) {
    broker.calls.push('start');
    broker.startedUnder.push(await leaseHolder());
    broker.listen((uid, message) => ctx.deliver(channel.key, uid, message));
  },
  async stop() {
    broker.calls.push('stop');
    broker.listen(undefined);
  },
  async subscribe(_ctx, stored, config) {
    broker.calls.push(`subscribe ${stored.uid} ${config.name}`);
    broker.subscribe(stored.uid, config.name);
  },
  async unsubscribe(_ctx, uid) {
    broker.calls.push(`unsubscribe ${uid}`);
    broker.unsubscribe(uid);
  },
  // The trigger view carries `hook_path` only (TriggerExtras): other fields would not show.
  extras: (_ctx, _stored, config) => ({ hook_path: `/channels/${config.name}` }),
};

const kinds = TRIGGER_KINDS.with(every, channel);

// Declared before the harness, so the engine starts (and its loop starts the listeners) with them.
beforeEach(() => {
  clock = Date.parse('2024-05-01T12:00:00Z');
  timer.up = true;
  timer.asked = [];
  broker = new Broker();
});

const h = useApiHarness({ now, engine: { now, triggerKinds: kinds, triggerTickMs: 3_600_000 } });
leaseHolder = async () => (await h.store.leases.get('triggers'))?.owner;

/** One tick of the engine's trigger loop, after the one in flight. */
const tick = () => internalsOf(h.engine).tickTriggers();

beforeEach(async () => {
  h.server.script('/tick', [{ status: 200, body: { ok: true } }]);
  // `start()` set the loop's first tick on a 0 ms timer: let it begin (timers of one delay fire in order),
  // then wait for it. From here on only the tests tick.
  await new Promise((resolve) => setTimeout(resolve, 0));
  await tick();
});

function triggered(uid: string, trigger: object): Record<string, unknown> {
  return {
    uid,
    name: uid,
    default_retry: { total: 0 },
    trigger,
    steps: [{ name: 'tick', apispec: { url: h.server.url('/tick'), method: 'get' } }],
  };
}

const publish = (doc: Record<string, unknown>) => h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', doc);
const republish = (doc: Record<string, unknown>) =>
  h.call(h.keys.acmeAdmin, 'PUT', `/v1/workflows/${doc.uid as string}`, doc);
const setTrigger = (uid: string, action: 'enable' | 'disable') =>
  h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/trigger/${action}`);
const triggerOf = async (uid: string) =>
  (await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/trigger`)).body;

/** The inputs of the workflow's runs, oldest first. */
async function inputsOf(uid: string): Promise<unknown[]> {
  const runs = await h.store.runs.listRuns({ workspace_id: 'acme', workflow_uid: uid, limit: 100 });
  return runs.sort((a, b) => a.created_at.localeCompare(b.created_at)).map((run) => run.input);
}

describe('a pulled trigger kind added in a test (every)', () => {
  const doc = (config: object) => triggered('interval', { every: config });

  it('is refused by the built-in kinds, and accepted once registered, with its defaults', async () => {
    const builtIn = await validateWorkflow(doc({ seconds: 60 }));
    expect(builtIn.ok).toBe(false);
    expect(builtIn.problems).toEqual([
      {
        path: 'trigger.every',
        message: 'unknown key; expected one of: schedule, webhook, poll, connector_webhook',
      },
    ]);
    const added = await validateWorkflow(doc({ seconds: 60 }), { triggerKinds: kinds });
    expect(added.problems).toEqual([]);
    expect(added.ok && added.workflow.trigger).toEqual({ every: { seconds: 60, input: {} } });
  });

  it('has its schema and its checks applied, each problem at its path below trigger.every', async () => {
    const problems = async (config: object) =>
      (await validateWorkflow(doc(config), { triggerKinds: kinds })).problems.map((p) => [p.path, p.message]);
    expect(await problems({ seconds: 0 })).toEqual([['trigger.every.seconds', 'must be at least 1 (got 0)']]);
    // The schema reported it: the check says nothing more there.
    expect(await problems({ seconds: 'soon' })).toEqual([
      ['trigger.every.seconds', 'must be a whole number of seconds (got "soon")'],
    ]);
    expect(await problems({ seconds: 5, input: [] })).toEqual([['trigger.every.input', expect.any(String)]]);
    expect(await problems({})).toEqual([['trigger.every.seconds', 'is required']]);
  });

  it('is in the JSON Schema of a registry that has it, and only there', () => {
    type Schema = { properties: { trigger: { properties: Record<string, unknown>; errorMessage: string } } };
    const trigger = (workflowJsonSchema(STEP_KINDS, kinds) as Schema).properties.trigger;
    expect(Object.keys(trigger.properties)).toEqual([
      'schedule',
      'webhook',
      'poll',
      'connector_webhook',
      'every',
      'channel',
    ]);
    expect(trigger.properties.every).toEqual(every.schema);
    expect(trigger.errorMessage).toBe(
      'must hold exactly one of schedule, webhook, poll, connector_webhook, every or channel',
    );
    const builtIn = (workflowJsonSchema() as Schema).properties.trigger;
    expect(Object.keys(builtIn.properties)).toEqual(['schedule', 'webhook', 'poll', 'connector_webhook']);
  });

  it('is published through the API and fires when due: one run per firing, the event as INPUT, its state kept', async () => {
    const checked = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/validate', doc({ seconds: 60 }));
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({
      valid: true,
      workflow: { trigger: { every: { seconds: 60, input: {} } } },
    });
    const published = await publish(doc({ seconds: 60, input: { report: 'daily' } }));
    expect(published.status).toBe(201);
    expect(timer.asked).toEqual(['acme']);
    expect(await triggerOf('interval')).toMatchObject({
      kind: 'every',
      enabled: true,
      next_at: '2024-05-01T12:01:00.000Z',
      events_seen: 0,
    });
    const listed = await h.call(h.keys.acmeMember, 'GET', '/v1/triggers');
    expect(listed.body.triggers).toMatchObject([{ workflow_uid: 'interval', kind: 'every', enabled: true }]);

    await tick();
    expect(await inputsOf('interval')).toEqual([]);

    clock = Date.parse('2024-05-01T12:01:00Z');
    await tick();
    await tick();
    expect(await inputsOf('interval')).toEqual([{ report: 'daily', tick: 1 }]);

    clock = Date.parse('2024-05-01T12:02:30Z');
    await tick();
    await tick();
    expect(await inputsOf('interval')).toEqual([
      { report: 'daily', tick: 1 },
      { report: 'daily', tick: 2 },
    ]);
    expect(await triggerOf('interval')).toMatchObject({
      kind: 'every',
      enabled: true,
      next_at: '2024-05-01T12:03:30.000Z',
      last_polled_at: '2024-05-01T12:02:30.000Z',
      last_error: null,
      events_seen: 2,
    });
    expect((await h.store.triggers.get('interval'))?.state).toEqual({ fired: 2 });
  });

  it('stops firing when disabled, and starts the interval over when enabled again', async () => {
    expect((await publish(doc({ seconds: 60 }))).status).toBe(201);
    clock = Date.parse('2024-05-01T12:01:00Z');
    await tick();
    expect(await inputsOf('interval')).toEqual([{ tick: 1 }]);

    const disabled = await setTrigger('interval', 'disable');
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ kind: 'every', enabled: false, next_at: null });
    clock = Date.parse('2024-05-01T12:10:00Z');
    await tick();
    expect(await inputsOf('interval')).toEqual([{ tick: 1 }]);

    const enabled = await setTrigger('interval', 'enable');
    expect(enabled.body).toMatchObject({ enabled: true, next_at: '2024-05-01T12:11:00.000Z' });
    clock = Date.parse('2024-05-01T12:11:00Z');
    await tick();
    expect(await inputsOf('interval')).toEqual([{ tick: 1 }, { tick: 2 }]);
  });

  it('is refused (422) while checkEnable refuses, which is not asked for a trigger that stays disabled', async () => {
    timer.up = false;
    const refused = await publish(doc({ seconds: 60 }));
    expect(refused.status).toBe(422);
    expect(codeOf(refused)).toBe('SLUICE_CONNECTION_TEST');
    expect((await h.call(h.keys.acmeAdmin, 'GET', '/v1/workflows/interval')).status).toBe(404);

    timer.up = true;
    expect((await publish(doc({ seconds: 60 }))).status).toBe(201);
    expect((await setTrigger('interval', 'disable')).status).toBe(200);
    timer.up = false;
    timer.asked = [];
    // A new version keeps the trigger disabled: nothing to ask.
    expect((await republish(doc({ seconds: 120 }))).status).toBe(200);
    expect(timer.asked).toEqual([]);
    const enable = await setTrigger('interval', 'enable');
    expect(enable.status).toBe(422);
    expect(codeOf(enable)).toBe('SLUICE_CONNECTION_TEST');
    expect(await triggerOf('interval')).toMatchObject({ enabled: false, next_at: null });

    timer.up = true;
    const enabled = await setTrigger('interval', 'enable');
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, next_at: '2024-05-01T12:02:00.000Z' });
    expect(timer.asked).toEqual(['acme', 'acme']);
  });
});

describe('a pushed trigger kind added in a test (channel)', () => {
  const doc = (name: string) => triggered('orders-flow', { channel: { name } });

  it('is validated with the kinds that have it, and is never due', async () => {
    expect((await validateWorkflow(doc('Orders'), { triggerKinds: kinds })).problems).toEqual([
      { path: 'trigger.channel.name', message: 'must be a channel name (a-z) (got "Orders")' },
    ]);
    expect((await publish(doc('orders'))).status).toBe(201);
    expect(await triggerOf('orders-flow')).toMatchObject({ kind: 'channel', enabled: true, next_at: null });
    expect(await h.store.triggers.listDue(iso(clock + 365 * 86_400_000))).toEqual([]);
  });

  it('listens between start and stop while the loop holds the lease, and stops when the engine closes', async () => {
    // The loop's first tick took the lease, then started the listeners.
    expect(broker.calls).toEqual(['start']);
    expect(broker.startedUnder).toEqual([h.engine.owner]);
    expect((await publish(doc('orders'))).status).toBe(201);

    // Another process takes the lease once it expired: this one stops listening, and starts again after.
    clock += 60_000;
    expect(await h.store.leases.acquire('triggers', 'other-node', iso(clock + 10_000), iso(clock))).toBe(
      true,
    );
    await tick();
    expect(broker.calls).toEqual(['start', 'subscribe orders-flow orders', 'stop']);
    expect(await broker.emit('orders', { order: 1 })).toEqual([]);
    await h.store.leases.release('triggers', 'other-node');
    await tick();
    expect(broker.calls.slice(3)).toEqual(['start']);
    expect(broker.startedUnder).toEqual([h.engine.owner, h.engine.owner]);
    expect(await broker.emit('orders', { order: 2 })).toHaveLength(1);

    await h.engine.close();
    expect(broker.calls.slice(3)).toEqual(['start', 'stop']);
    expect(await broker.emit('orders', { order: 3 })).toEqual([]);
    expect(await inputsOf('orders-flow')).toEqual([{ order: 2 }]);
  });

  it('is subscribed on publish and enable, and unsubscribed on disable and delete', async () => {
    expect((await publish(doc('orders'))).status).toBe(201);
    expect((await setTrigger('orders-flow', 'disable')).status).toBe(200);
    expect((await setTrigger('orders-flow', 'enable')).status).toBe(200);
    // A new version of an enabled trigger is subscribed again, with its configuration: no unsubscribe.
    expect((await republish(doc('invoices'))).status).toBe(200);
    expect((await h.call(h.keys.acmeAdmin, 'DELETE', '/v1/workflows/orders-flow')).status).toBeLessThan(300);
    expect(broker.calls).toEqual([
      'start',
      'subscribe orders-flow orders',
      'unsubscribe orders-flow',
      'subscribe orders-flow orders',
      'subscribe orders-flow invoices',
      'unsubscribe orders-flow',
    ]);
  });

  it('turns each message it hears into exactly one run, with the message as INPUT', async () => {
    expect((await publish(doc('orders'))).status).toBe(201);
    expect(await triggerOf('orders-flow')).toMatchObject({
      kind: 'channel',
      enabled: true,
      next_at: null,
      events_seen: 0,
      hook_path: '/channels/orders',
    });

    const [id] = await broker.emit('orders', { order: 42 });
    expect(id).toEqual(expect.any(String));
    expect(await broker.emit('invoices', { invoice: 7 })).toEqual([]);
    expect(await inputsOf('orders-flow')).toEqual([{ order: 42 }]);
    await h.engine.waitForRun(id as string, 15_000);
    const run = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id as string}`);
    expect(run.body).toMatchObject({
      status: 'succeeded',
      workflow_uid: 'orders-flow',
      input: { order: 42 },
    });
    expect(await triggerOf('orders-flow')).toMatchObject({ events_seen: 1, next_at: null });

    // The trigger loop never fires it.
    clock += 3_600_000;
    await tick();
    expect(await inputsOf('orders-flow')).toHaveLength(1);

    // Disabled: unsubscribed, and an event still in flight is refused.
    expect((await setTrigger('orders-flow', 'disable')).status).toBe(200);
    expect(await broker.emit('orders', { order: 43 })).toEqual([]);
    expect(await broker.inFlight('orders-flow', { order: 44 })).toBeUndefined();
    expect(await inputsOf('orders-flow')).toEqual([{ order: 42 }]);
    expect(await triggerOf('orders-flow')).toMatchObject({ enabled: false, events_seen: 1 });
  });
});
