/**
 * `sluice status` on a real `sluice serve` child process and its SQLite store: the node it registered
 * (alive, kind, pid), the `triggers` lease it holds, runs by status, a dead node's row, the JSON form,
 * and the option errors. The PostgreSQL + Redis form (queue counts, workers) is exercised by
 * `test/scale/scale.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterStatus, openStore, type Workflow } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import { killAll, startServe } from '../serve-process.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-status-'));
});
afterEach(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function status(extra: readonly string[] = []): Promise<ClusterStatus & { store: string }> {
  const result = await runCli(['status', '--data-dir', dir, '--json', ...extra]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ClusterStatus & { store: string };
}

describe('sluice status', () => {
  it('shows a running sluice serve as an alive api+worker node holding the triggers lease, and no node once it stopped', async () => {
    const serve = await startServe(dir, ['--concurrency', '5']);
    let seen = await status();
    // The trigger loop takes its lease on its first tick.
    for (let i = 0; i < 100 && seen.leases.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await status();
    }
    expect(seen.store).toBe(join(dir, 'sluice.db'));
    expect(seen.nodes).toHaveLength(1);
    const [node] = seen.nodes;
    expect(node).toMatchObject({ alive: true, kind: 'api+worker', pid: serve.child.pid, concurrency: 5 });
    expect(seen.leases).toEqual([
      expect.objectContaining({ name: 'triggers', owner: node?.id, expired: false }),
    ]);
    expect(seen.runs).toEqual({ pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 });
    expect(seen.queue).toBeNull();

    const table = await runCli(['status', '--data-dir', dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^nodes: 1 alive, 0 dead$/m);
    expect(table.stdout).toContain(`${node?.id}  alive  api+worker`);
    expect(table.stdout).toMatch(/^ {2}triggers +\S+ +held/m);
    expect(table.stdout).toContain('queue: not read (give --redis to see the shared queue)');

    serve.child.kill('SIGTERM');
    await serve.exited;
    expect((await status()).nodes).toEqual([]);
  }, 60_000);

  it('shows a node that stopped heartbeating as dead, and the runs and run leases per owner', async () => {
    const store = await openStore({ file: join(dir, 'sluice.db') });
    const old = new Date(Date.now() - 60_000).toISOString();
    await store.nodes.register({
      id: 'box:4242:dead',
      kind: 'worker',
      host: 'box',
      pid: 4242,
      started_at: old,
      heartbeat_at: old,
      concurrency: 8,
      executing: 3,
      heartbeat_ms: 5000,
      version: '0.1.0',
    });
    const workflow: Workflow = {
      name: 'w',
      scope: 'workspace',
      steps: [{ name: 's', apispec: { url: 'http://127.0.0.1:1/x', method: 'GET' } }],
    };
    for (const id of ['r1', 'r2']) {
      await store.runs.createRun({ id, workflow_name: 'w', workflow, input: {}, created_at: old });
      await store.runs.claimRun(id, 'box:4242:dead', new Date(Date.now() - 1000).toISOString(), old);
    }
    await store.close();

    const seen = await status();
    expect(seen.nodes).toEqual([
      expect.objectContaining({ id: 'box:4242:dead', alive: false, executing: 3 }),
    ]);
    expect(seen.runs.pending).toBe(2);
    expect(seen.run_leases).toEqual([{ owner: 'box:4242:dead', runs: 2, expired: 2, node: true }]);
    const table = await runCli(['status', '--data-dir', dir]);
    expect(table.stdout).toMatch(/^nodes: 0 alive, 1 dead$/m);
    expect(table.stdout).toMatch(/box:4242:dead +dead +worker +box +4242 +8 +3 +\d+s ago/);
    expect(table.stdout).toMatch(/box:4242:dead +2 +2 +registered/);
  }, 30_000);

  it('names what is wrong with the options or the store', async () => {
    const missing = await runCli(['status', '--data-dir', join(dir, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error SLUICE_CLI_OPTION: no store at .*nowhere/);
    const schema = await runCli(['status', '--data-dir', dir, '--database-schema', 'x']);
    expect(schema.stderr).toMatch(/--database-schema needs --database/);
    const prefix = await runCli(['status', '--data-dir', dir, '--redis-prefix', 'x']);
    expect(prefix.stderr).toMatch(/--redis-prefix needs --redis/);
  }, 30_000);
});
