/** Which lease owners are dead processes of this host, and letting their leases go at start-up. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, openStore, type SqlStore } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDeadLocalOwner, ownerName } from '../../src/run/dead-owners.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(String(child.stdout));
}

describe('isDeadLocalOwner', () => {
  const self = ownerName('self0000');

  it('is true for a process of this host that exited, and for another owner with our pid', () => {
    expect(isDeadLocalOwner(`${hostname()}:${deadPid()}:abcd1234`, self)).toBe(true);
    expect(isDeadLocalOwner(ownerName('other000'), self)).toBe(true);
  });

  it('is false for ourselves, a live process, another host, and names of another form', () => {
    expect(isDeadLocalOwner(self, self)).toBe(false);
    expect(isDeadLocalOwner(`${hostname()}:${process.ppid}:abcd1234`, self)).toBe(false);
    expect(isDeadLocalOwner(`elsewhere.example:${deadPid()}:abcd1234`, self)).toBe(false);
    expect(isDeadLocalOwner('worker-a', self)).toBe(false);
    expect(isDeadLocalOwner(`${hostname()}:not-a-pid:x`, self)).toBe(false);
  });
});

describe('an engine starting after a local predecessor died', () => {
  let dir: string;
  let store: SqlStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-dead-'));
    store = await openStore({ file: join(dir, 'sluice.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the dead process's runs and trigger lease at once, and leaves a live owner's alone", async () => {
    const dead = `${hostname()}:${deadPid()}:dead0000`;
    const live = `${hostname()}:${process.ppid}:live0000`;
    const now = Date.now();
    const later = new Date(now + 60_000).toISOString();
    const workflow = { name: 'w', scope: 'workspace' as const, steps: [] };
    for (const [id, owner] of [
      ['orphan', dead],
      ['held', live],
    ] as const) {
      await store.runs.createRun({
        id,
        workflow_name: 'w',
        workflow,
        input: null,
        created_at: new Date(now).toISOString(),
      });
      await store.runs.updateRun(id, { status: 'running', lease_owner: owner, lease_expires_at: later });
    }
    await store.leases.acquire('triggers', dead, later, new Date(now).toISOString());

    const engine = createEngine({ store, closeGraceMs: 0 });
    try {
      expect(await engine.start()).toBe(1);
      expect((await store.leases.get('triggers'))?.owner).not.toBe(dead);
      expect((await store.runs.getRun('held'))?.lease_owner).toBe(live);
    } finally {
      await engine.close();
    }
  });
});
