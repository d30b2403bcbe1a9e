/**
 * Step `concurrency` and `rate_limit` through `createEngine`: several engines in one process on one
 * store and one Redis (`limits: { redis, prefix }`) never have more than the step's `concurrency` in
 * flight at a loopback API that counts, and a `rate_limit` of 5 an hour lets exactly 5 of 15 requests of
 * two workflows on three engines reach it. The same holds with the in-process limits of one engine.
 * Counts, never times: the suite runs on loaded machines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ApiCaller,
  createEngine,
  type Engine,
  openStore,
  parseWorkflow,
  type SqlStore,
  type StoredWorkflow,
} from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CountingServer, startCountingServer } from './counting-server.js';
import { dropPrefix, REDIS_URL, testPrefix } from './redis-test-prefix.js';

const caller: ApiCaller = { id: 'a@acme.test', email: 'a@acme.test', workspace_id: 'acme', role: 'member' };

let dir: string;
let store: SqlStore;
let server: CountingServer;
const engines: Engine[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-limits-'));
  store = await openStore({ file: join(dir, 'sluice.db') });
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  await server?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function publish(uid: string, steps: unknown[], fields: object = {}): Promise<StoredWorkflow> {
  const document = await parseWorkflow(
    JSON.stringify({ name: uid, default_retry: { total: 0 }, ...fields, steps }),
  );
  return store.workflows.publish({
    uid,
    workspace_id: 'acme',
    user_id: caller.email,
    document,
    at: new Date().toISOString(),
  });
}

async function startEngines(
  count: number,
  limits?: { redis: string; prefix: string },
  connectors?: ReadonlyMap<string, Connector>,
): Promise<Engine[]> {
  const started = Array.from({ length: count }, (_, i) =>
    createEngine({
      store,
      owner: `engine-${i}`,
      closeGraceMs: 0,
      maxConcurrentRuns: 4,
      ...(limits === undefined ? {} : { limits }),
      ...(connectors === undefined ? {} : { connectors }),
    }),
  );
  engines.push(...started);
  for (const engine of started) await engine.start();
  return started;
}

/** Waits until every run has ended (whichever engine executed it), and returns their statuses. */
async function finished(ids: readonly string[]): Promise<string[]> {
  for (;;) {
    const runs = await Promise.all(ids.map((id) => store.runs.getRun(id)));
    const statuses = runs.map((run) => run?.status ?? 'missing');
    if (statuses.every((s) => s === 'succeeded' || s === 'failed' || s === 'cancelled')) return statuses;
    await sleep(20);
  }
}

/** One step fanned out over `INPUT.items`, calling `path`. */
function fanOut(path: string, fields: object): unknown[] {
  return [
    { name: 'call', input: '{{ INPUT.items }}', apispec: { url: `${server.origin}${path}` }, ...fields },
  ];
}

/** Starts a run of each workflow on its engine, fanned out over `items` items. */
async function startRuns(pairs: [Engine, StoredWorkflow][], items: number): Promise<string[]> {
  const input = { items: Array.from({ length: items }, (_, i) => i) };
  return Promise.all(pairs.map(([engine, workflow]) => engine.startRun(workflow, input, caller)));
}

/**
 * Runs `pairs` (15 items in all) under a rate limit of 5 an hour: exactly 5 requests reach the server,
 * however loaded the machine, and the other 10 items wait until their runs are cancelled.
 */
async function expectFiveAnHour(pairs: [Engine, StoredWorkflow][], items: number): Promise<void> {
  const ids = await startRuns(pairs, items);
  while (server.arrivals.length < 5) await sleep(10);
  // Time for a sixth to arrive if the limit leaked; passing never depends on how long this is.
  await sleep(200);
  // A run whose every item was among the five may have ended already; the others wait.
  const running = await Promise.all(ids.map((id) => store.runs.getRun(id)));
  for (const run of running) {
    if (run?.status !== 'succeeded') await (engines[0] as Engine).cancelRun(run?.id as string);
  }
  const statuses = await finished(ids);
  expect(statuses).toContain('cancelled');
  expect(statuses.filter((status) => status !== 'cancelled' && status !== 'succeeded')).toEqual([]);
  expect(server.arrivals).toHaveLength(5);
}

describe('step concurrency and rate limits in one process', () => {
  it('caps the calls of a step with concurrency across its runs', async () => {
    server = await startCountingServer(20);
    const [engine] = (await startEngines(1)) as [Engine];
    const workflow = await publish('fan', fanOut('/call', { concurrency: 2 }));
    const ids = await startRuns(
      [0, 1, 2].map(() => [engine, workflow] as [Engine, StoredWorkflow]),
      6,
    );
    expect(await finished(ids)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(server.arrivals).toHaveLength(18);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('holds the requests of a rate-limited host to the limit, and lets them all go window by window', async () => {
    server = await startCountingServer(1);
    const [engine] = (await startEngines(1)) as [Engine];
    // All 15 items at once (concurrency 15): only the rate limit holds them back.
    const hourly = { concurrency: 15, rate_limit: { requests: 5, per_seconds: 3600 } };
    await expectFiveAnHour([[engine, await publish('hourly', fanOut('/call', hourly))]], 15);
    // Short windows: every item gets its turn and the run succeeds.
    const quick = { concurrency: 15, rate_limit: { requests: 5, per_seconds: 0.05 } };
    const workflow = await publish('quick', fanOut('/quick', quick));
    expect(await finished(await startRuns([[engine, workflow]], 15))).toEqual(['succeeded']);
    expect(server.arrivals).toHaveLength(20);
  });
});

describe('rate limits of connector actions', () => {
  it('counts every request an action sends under the connector name', async () => {
    server = await startCountingServer(1);
    const counter = defineConnector({
      title: 'Counter',
      connection: { baseUri: () => server.origin },
      actions: { hit: { execute: ({ http }) => http.get('/act') } },
    });
    const [engine] = (await startEngines(1, undefined, new Map([['counter', counter]]))) as [Engine];
    const workflow = await publish('acted', [
      {
        name: 'act',
        input: '{{ INPUT.items }}',
        action: 'counter.hit',
        concurrency: 15,
        rate_limit: { requests: 5, per_seconds: 3600 },
      },
    ]);
    // An action's input is an object: one per item.
    const items = Array.from({ length: 15 }, (_, n) => ({ n }));
    const ids = [await engine.startRun(workflow, { items }, caller)];
    while (server.arrivals.length < 5) await sleep(10);
    await sleep(200);
    await engine.cancelRun(ids[0] as string);
    expect(await finished(ids)).toEqual(['cancelled']);
    expect(server.arrivals).toHaveLength(5);
  });
});

describe.skipIf(REDIS_URL === undefined)('step concurrency and rate limits across engines on Redis', () => {
  let prefix: string;
  beforeEach(() => {
    prefix = testPrefix();
  });
  afterEach(async () => {
    await dropPrefix(REDIS_URL as string, prefix);
  });

  it('never has more than concurrency calls of a step in flight across three engines', async () => {
    server = await startCountingServer(20);
    const started = await startEngines(3, { redis: REDIS_URL as string, prefix });
    const workflow = await publish('fan', fanOut('/call', { concurrency: 2 }));
    // Each engine alone allows 2 per run and 2 runs at once: 12 in flight without the shared cap.
    const pairs = started.flatMap((e) => [e, e]).map((e) => [e, workflow] as [Engine, StoredWorkflow]);
    expect(new Set(await finished(await startRuns(pairs, 6)))).toEqual(new Set(['succeeded']));
    expect(server.arrivals).toHaveLength(36);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('shares a host rate limit between workflows on three engines', async () => {
    server = await startCountingServer(1);
    const started = await startEngines(3, { redis: REDIS_URL as string, prefix });
    const limit = { requests: 5, per_seconds: 3600 };
    // Two workflows name the same host: one on its step, one by default.
    const first = await publish('first', fanOut('/a', { concurrency: 5, rate_limit: limit }));
    const second = await publish('second', fanOut('/b', { concurrency: 5 }), { default_rate_limit: limit });
    // Three runs of 5 items, one per engine, all at once: only the shared rate limit holds them back.
    const pairs: [Engine, StoredWorkflow][] = [
      [started[0] as Engine, first],
      [started[1] as Engine, second],
      [started[2] as Engine, first],
    ];
    await expectFiveAnHour(pairs, 5);
  });
});
