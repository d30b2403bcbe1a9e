/** Waiting for runs that execute elsewhere: one store read per beat for every waiter, on a real store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SqlStore } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunWatch } from '../../src/run/run-watch.js';

let dir: string;
let store: SqlStore;
let reads: number;
let watchedStore: { runs: Pick<SqlStore['runs'], 'getRunStatuses'> };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-watch-'));
  store = await openStore({ file: join(dir, 'sluice.db') });
  reads = 0;
  watchedStore = {
    runs: {
      getRunStatuses: (ids) => {
        reads++;
        return store.runs.getRunStatuses(ids);
      },
    },
  };
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const workflow = { name: 'w', scope: 'workspace' as const, steps: [] };
async function run(id: string): Promise<void> {
  await store.runs.createRun({
    id,
    workflow_name: 'w',
    workflow,
    input: null,
    created_at: new Date().toISOString(),
  });
}

describe('RunWatch', () => {
  it('serves every waiter with one read per beat, and resolves each when its run ends or is gone', async () => {
    const watch = new RunWatch(watchedStore, 300, new AbortController().signal);
    for (const id of ['a', 'b']) await run(id);
    const waits = [
      ...Array.from({ length: 20 }, () => watch.wait('a', 5_000)),
      watch.wait('b', 5_000),
      watch.wait('gone', 5_000),
    ];
    // One read for all 22 waiters (the first beat), not one per waiter; 'gone' resolves at the next.
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).toBe(1);
    await store.runs.updateRun('a', { status: 'succeeded' });
    await store.runs.updateRun('b', { status: 'cancelled' });
    await Promise.all(waits);
    expect(reads).toBeLessThanOrEqual(3);
    // Nothing left to watch: no more reads.
    const after = reads;
    await new Promise((r) => setTimeout(r, 40));
    expect(reads).toBe(after);
  });

  it('gives up on a timeout, and ends every wait when its signal aborts', async () => {
    const closed = new AbortController();
    const watch = new RunWatch(watchedStore, 10, closed.signal);
    await run('slow');
    await watch.wait('slow', 30); // resolves although the run goes on
    const pending = watch.wait('slow', 60_000);
    closed.abort();
    await pending;
    await watch.wait('slow', 60_000); // after close: at once
  });
});
