/**
 * The latest version of a workflow, as every run through the API reads it (issue 14): on SQLite the
 * store keeps it while no other connection writes (`PRAGMA data_version`), so a run reads no row of its
 * workflow; a publish or a delete, through this store or another process's, is seen at the next call.
 * Once per dialect: SQLite always, PostgreSQL (no cache: read every time) when SLUICE_TEST_PG_URL is set.
 */
import type { SqlStore } from '@sluice/engine';
import { expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { publishOf, T1 } from './fixtures.js';

/** `get(uid)`'s version and deleted flag, and how many rows of `workflows` it read to answer. */
async function latest(store: SqlStore, uid: string) {
  const before = store.statements().reads;
  const found = await store.workflows.get(uid);
  return { version: found?.version, deleted: found?.deleted, reads: store.statements().reads - before };
}

describeEachDialect('the latest version of a workflow', { reuse: true }, (t) => {
  it('is read once while this store is the only writer, and follows its own publishes and deletes', async () => {
    await t.store.workflows.publish(publishOf('wf', 'first'));
    const cached = t.dialect.name === 'sqlite';
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 1, deleted: false });
    expect(await latest(t.store, 'wf')).toEqual({ version: 1, deleted: false, reads: cached ? 0 : 1 });
    await t.store.workflows.publish(publishOf('wf', 'second'));
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 2, deleted: false });
    await t.store.workflows.delete('wf', T1);
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 2, deleted: true });
    expect((await t.store.workflows.get('wf', 1))?.version).toBe(1);
  });

  it("sees another process's publish and delete at the next call", async () => {
    const other = await t.db.open();
    await t.store.workflows.publish(publishOf('wf', 'first'));
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 1 });
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 1 });
    await other.workflows.publish(publishOf('wf', 'second'));
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 2, deleted: false });
    await other.workflows.delete('wf', T1);
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 2, deleted: true });
    await other.workflows.publish(publishOf('new', 'new'));
    expect(await latest(t.store, 'new')).toMatchObject({ version: 1 });
  });

  it('keeps no version that a publish overtook', async () => {
    await t.store.workflows.publish(publishOf('wf', 'first'));
    // The read and the publish are in flight together: whichever order they run in, the next call
    // answers the published version.
    const [read] = await Promise.all([
      t.store.workflows.get('wf'),
      t.store.workflows.publish(publishOf('wf', 'second')),
    ]);
    expect([1, 2]).toContain(read?.version);
    expect(await latest(t.store, 'wf')).toMatchObject({ version: 2 });
  });

  it('answers nothing for a uid never published, and the version once it is', async () => {
    expect(await latest(t.store, 'later')).toMatchObject({ version: undefined });
    await t.store.workflows.publish(publishOf('later', 'later'));
    expect(await latest(t.store, 'later')).toMatchObject({ version: 1 });
  });
});
