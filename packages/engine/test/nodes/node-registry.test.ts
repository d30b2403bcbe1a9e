/**
 * The engine's row in `nodes`: written at `start()` with its kind, concurrency and version, renewed by
 * heartbeats, written again when pruned away, deleted at `close()`. On a real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine, openStore, type SqlStore } from '@sluice/engine';
import { ENGINE_VERSION } from '@sluice/engine/internal';
import type { Logger } from '@sluice/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../src/nodes/node-registry.js';

let dir: string;
let store: SqlStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-nodes-'));
  store = await openStore({ file: join(dir, 'sluice.db') });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls `check` until it holds (heartbeats run on a timer). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error('the condition never held');
}

describe('the engine in nodes', () => {
  it('registers at start with its kind, host, pid, concurrency and version, and leaves at close', async () => {
    const engine = createEngine({ store, maxConcurrentRuns: 7, nodeKind: 'worker', nodeHeartbeatMs: 2000 });
    expect(await store.nodes.list()).toEqual([]);
    await engine.start();
    const [row] = await store.nodes.list();
    expect(row).toMatchObject({
      id: engine.owner,
      kind: 'worker',
      host: hostname(),
      pid: process.pid,
      concurrency: 7,
      executing: 0,
      heartbeat_ms: 2000,
      version: ENGINE_VERSION,
    });
    await engine.close();
    expect(await store.nodes.list()).toEqual([]);
  });

  it('records an API node without a worker with concurrency 0, and api+worker by default', async () => {
    const api = createEngine({ store, nodeKind: 'api' });
    const both = createEngine({ store });
    await api.start();
    await both.start();
    const kinds = Object.fromEntries((await store.nodes.list()).map((n) => [n.id, [n.kind, n.concurrency]]));
    expect(kinds).toEqual({ [api.owner]: ['api', 0], [both.owner]: ['api+worker', 16] });
    await api.close();
    await both.close();
  });

  it('renews its heartbeat, and registers again when its row was pruned', async () => {
    const engine = createEngine({ store, nodeHeartbeatMs: 20 });
    await engine.start();
    const first = (await store.nodes.list())[0]?.heartbeat_at ?? '';
    await eventually(async () => ((await store.nodes.list())[0]?.heartbeat_at ?? '') > first);
    await store.nodes.remove(engine.owner);
    await eventually(async () => (await store.nodes.list()).length === 1);
    await engine.close();
    expect(await store.nodes.list()).toEqual([]);
  });

  it('prunes rows of nodes dead for longer than nodePruneMs when it starts', async () => {
    const old = new Date(Date.now() - 7_200_000).toISOString();
    const row = {
      id: 'gone:1:x',
      kind: 'worker' as const,
      host: 'gone',
      pid: 1,
      started_at: old,
      heartbeat_at: old,
      concurrency: 4,
      executing: 2,
      heartbeat_ms: 5000,
      version: '0.0.1',
    };
    await store.nodes.register(row);
    await store.nodes.register({ ...row, id: 'recent:1:x', heartbeat_at: new Date().toISOString() });
    const engine = createEngine({ store, nodePruneMs: 3_600_000 });
    await engine.start();
    expect((await store.nodes.list()).map((n) => n.id).sort()).toEqual(['recent:1:x', engine.owner].sort());
    await engine.close();
  });

  it('logs a failing heartbeat once and its recovery once, and keeps beating', async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (_fields: unknown, message?: string) => void warnings.push(String(message)),
      error: () => {},
      child: () => logger,
      isLevelEnabled: () => true,
    } as unknown as Logger;
    let down = false;
    // The real store, failing on demand as an unreachable database would.
    const failing = {
      nodes: {
        register: store.nodes.register.bind(store.nodes),
        remove: store.nodes.remove.bind(store.nodes),
        prune: store.nodes.prune.bind(store.nodes),
        heartbeat: (id: string, at: string, executing: number) =>
          down ? Promise.reject(new Error('connect ECONNREFUSED')) : store.nodes.heartbeat(id, at, executing),
      },
    };
    const registry = new NodeRegistry({
      store: failing,
      id: 'box:1:abc',
      kind: 'worker',
      concurrency: 2,
      executing: () => 1,
      heartbeatMs: 10,
      pruneAfterMs: 3_600_000,
      now: Date.now,
      logger,
    });
    await registry.start();
    down = true;
    await sleep(100);
    expect(warnings).toEqual([expect.stringMatching(/^node heartbeat failed/)]);
    const before = (await store.nodes.list())[0]?.heartbeat_at ?? '';
    down = false;
    await eventually(async () => ((await store.nodes.list())[0]?.heartbeat_at ?? '') > before);
    await eventually(async () => warnings.length === 2);
    expect(warnings[1]).toBe('node heartbeat works again');
    await registry.stop();
    expect(await store.nodes.list()).toEqual([]);
  });
});
