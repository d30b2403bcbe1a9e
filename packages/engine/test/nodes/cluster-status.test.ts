/**
 * `readClusterStatus` (what `sluice status` prints): nodes alive or dead, runs, run leases per owner,
 * named leases, on a real SQLite file; and the BullMQ job counts of the run queue on the real Redis
 * (skipped unless SLUICE_TEST_REDIS_URL is set), under a key prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError, openStore, readClusterStatus, type SqlStore } from '@sluice/engine';
import { readQueueCounts } from '@sluice/engine/internal';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL;
const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

let dir: string;
let store: SqlStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  store = await openStore({ file: join(dir, 'sluice.db') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function node(id: string, heartbeatAgoMs: number) {
  return {
    id,
    kind: 'worker' as const,
    host: 'box',
    pid: 1,
    started_at: iso(-60_000),
    heartbeat_at: iso(-heartbeatAgoMs),
    concurrency: 4,
    executing: 1,
    heartbeat_ms: 5000,
    version: '0.1.0',
  };
}

describe('readClusterStatus', () => {
  it('reads nodes (alive within three beats), runs, run leases per owner and named leases', async () => {
    await store.nodes.register(node('live', 15_000));
    await store.nodes.register(node('dead', 15_001));
    const workflow = { name: 'w', scope: 'workspace' as const, steps: [] };
    await store.runs.createRun({ id: 'r1', workflow_name: 'w', workflow, input: {}, created_at: iso(-1000) });
    await store.runs.createRun({ id: 'r2', workflow_name: 'w', workflow, input: {}, created_at: iso(-1000) });
    await store.runs.claimRun('r1', 'live', iso(10_000), iso(-1000));
    await store.runs.claimRun('r2', 'gone', iso(-1), iso(-1000));
    await store.leases.acquire('triggers', 'live', iso(5000), iso(-1000));
    const status = await readClusterStatus(store, { now: () => NOW });
    expect(status.at).toBe(iso(0));
    expect(status.nodes.map((n) => [n.id, n.alive])).toEqual([
      ['dead', false],
      ['live', true],
    ]);
    expect(status.runs.pending).toBe(2);
    expect(status.run_leases).toEqual([
      { owner: 'gone', runs: 1, expired: 1, node: false },
      { owner: 'live', runs: 1, expired: 0, node: true },
    ]);
    expect(status.leases).toEqual([
      { name: 'triggers', owner: 'live', expires_at: iso(5000), acquired_at: iso(-1000), expired: false },
    ]);
    expect(status.queue).toBeNull();
  });

  it('refuses a Redis URL that is not redis://, and names an unreachable Redis', async () => {
    const bad = await readQueueCounts('http://127.0.0.1:6379').catch((e: unknown) => e);
    expect(isSluiceError(bad, 'SLUICE_QUEUE')).toBe(true);
    const down = await readQueueCounts('redis://user:pw@127.0.0.1:1').catch((e: unknown) => e);
    expect(isSluiceError(down, 'SLUICE_QUEUE')).toBe(true);
    expect((down as Error).message).toMatch(
      /cannot connect to Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });
});

describe.skipIf(REDIS_URL === undefined)('readQueueCounts on Redis', () => {
  const prefix = `sluice-test-${randomBytes(4).toString('hex')}`;
  afterEach(async () => {
    const redis = new Redis(REDIS_URL as string);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts the waiting and delayed jobs of the run queue under its prefix', async () => {
    const connection = new Redis(REDIS_URL as string, { maxRetriesPerRequest: null });
    const queue = new Queue('runs', { connection, prefix });
    await queue.add('continue', { runId: 'a' }, { jobId: 'a' });
    await queue.add('continue', { runId: 'b' }, { jobId: 'b' });
    await queue.add('continue', { runId: 'c' }, { jobId: 'c', delay: 60_000 });
    await queue.close();
    connection.disconnect();
    expect(await readQueueCounts(REDIS_URL as string, prefix)).toEqual({
      redis: REDIS_URL,
      prefix,
      waiting: 2,
      active: 0,
      delayed: 1,
      prioritized: 0,
      paused: 0,
    });
    const empty = await readQueueCounts(REDIS_URL as string, `${prefix}-other`);
    expect(empty.waiting + empty.delayed).toBe(0);
  });
});
