/**
 * Step `concurrency` and `rate_limit` through `createEngine`: several engines in one process on one
 * store and one Redis (`limits: { redis, prefix }`) never have more than the step's `concurrency` in
 * flight at a loopback API that counts, and a `rate_limit` of 5 per second spreads 15 requests of two
 * workflows on three engines over two seconds, as the server saw them. The same holds with the
 * in-process limits of one engine.
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
import { type CountingServer, shortestSpan, startCountingServer } from './counting-server.js';
import { dropPrefix, REDIS_URL, testPrefix } from './redis-test-prefix.js';

/**
 * Scheduling jitter between a grant and the request's arrival at the server, in ms (a limit is counted
 * when it grants; two CPUs shared by the whole suite delay some sends). Without a limit the spans are a
 * few ms, so this still tells.
 */
const JITTER_MS = 100;
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

/** `requests + 1` consecutive arrivals span a window at least, and 15 arrivals two windows. */
function expectSpread(arrivals: readonly number[]): void {
  expect(arrivals).toHaveLength(15);
  expect(shortestSpan(arrivals, 5)).toBeGreaterThanOrEqual(1_000 - JITTER_MS);
  expect((arrivals[14] as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(2_000 - JITTER_MS);
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

  it('spreads the requests of a rate-limited host over the windows', async () => {
    server = await startCountingServer(1);
    const [engine] = (await startEngines(1)) as [Engine];
    // All 15 items at once (concurrency 15): only the rate limit holds them back.
    const rated = { concurrency: 15, rate_limit: { requests: 5, per_seconds: 1 } };
    const workflow = await publish('rated', fanOut('/call', rated));
    expect(await finished(await startRuns([[engine, workflow]], 15))).toEqual(['succeeded']);
    expectSpread(server.arrivals);
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
        rate_limit: { requests: 5, per_seconds: 1 },
      },
    ]);
    // An action's input is an object: one per item.
    const items = Array.from({ length: 15 }, (_, n) => ({ n }));
    const ids = [await engine.startRun(workflow, { items }, caller)];
    const statuses = await finished(ids);
    expect(statuses, JSON.stringify((await store.runs.getRun(ids[0] as string))?.error)).toEqual([
      'succeeded',
    ]);
    expectSpread(server.arrivals);
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
    const limit = { requests: 5, per_seconds: 1 };
    // Two workflows name the same host: one on its step, one by default.
    const first = await publish('first', fanOut('/a', { concurrency: 5, rate_limit: limit }));
    const second = await publish('second', fanOut('/b', { concurrency: 5 }), { default_rate_limit: limit });
    // Three runs of 5 items, one per engine, all at once: only the shared rate limit holds them back.
    const pairs: [Engine, StoredWorkflow][] = [
      [started[0] as Engine, first],
      [started[1] as Engine, second],
      [started[2] as Engine, first],
    ];
    expect(new Set(await finished(await startRuns(pairs, 5)))).toEqual(new Set(['succeeded']));
    expectSpread(server.arrivals);
  });
});
