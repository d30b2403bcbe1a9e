/**
 * The runs a trigger commits (`triggers.commit`: polls, schedules, webhook deliveries) keep their large
 * documents in the store's document file as API runs do (issue 14): committed there before the
 * transaction, deleted again when it does not commit (a lost race, a failed insert), and a crash
 * (`kill -9`) in between leaves no run without its document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiCaller, isSluiceError, openStore, type SqlStore } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { querySqliteFile } from './dialects.js';
import { type DocumentChild, killChild, startChild, until } from './document-child-process.js';
import { newRun, T0 } from './fixtures.js';

const LIMIT = 20_000;
const caller: ApiCaller = { id: 'ann', email: 'ann@acme.test', workspace_id: 'acme', role: 'admin' };
const poll = {
  workflow_uid: 'wf1',
  workspace_id: 'acme',
  kind: 'poll' as const,
  enabled: true,
  next_at: T0,
  updated_at: T0,
};

describe('the runs a trigger commits on a SQLite store with a document file', () => {
  let dir: string;
  let file: string;
  const stores: SqlStore[] = [];
  const children: DocumentChild[] = [];
  const open = async () => {
    const store = await openStore({ file, documentFileBytes: LIMIT });
    stores.push(store);
    return store;
  };
  const apart = (id: string) =>
    querySqliteFile<{ apart: number }>(file, 'select documents_apart as apart from runs where id = ?', [
      id,
    ])[0]?.apart;
  const inFile = (id: string) =>
    querySqliteFile(`${file}-documents`, 'select run_id from run_documents where run_id = ?', [id]).length;
  const inStore = (id: string) =>
    querySqliteFile(file, 'select run_id from run_documents where run_id = ?', [id]).length;
  const runOf = (id: string, length: number) => ({
    run: newRun(id, { workspace_id: 'acme', workflow_uid: 'wf1', input: { id, blob: 'y'.repeat(length) } }),
    caller,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-trigger-documents-'));
    file = join(dir, 'sluice.db');
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killChild));
    await Promise.all(stores.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a large input in the document file, a medium one in run_documents, a small one in the row', async () => {
    const store = await open();
    await store.triggers.put(poll, false);
    const runs = [runOf('large', LIMIT * 4), runOf('medium', 17_000), runOf('small', 10)];
    expect(
      await store.triggers.commit({ workflow_uid: 'wf1', expectedRevision: 0, patch: {}, runs, at: T0 }),
    ).toBe(true);
    expect(['large', 'medium', 'small'].map(apart)).toEqual([2, 1, 0]);
    expect(['large', 'medium', 'small'].map(inFile)).toEqual([1, 0, 0]);
    expect(['large', 'medium', 'small'].map(inStore)).toEqual([0, 1, 0]);
    for (const { run } of runs) expect((await store.runs.getRun(run.id))?.input).toEqual(run.input);
    expect(await store.runs.getRunCaller('large')).toEqual({
      id: 'ann',
      email: 'ann@acme.test',
      workspace_id: 'acme',
      role: 'admin',
    });
    expect(await store.runs.deleteRun('large')).toBe(true);
    expect(inFile('large')).toBe(0);
  });

  it('deletes the documents again when the commit loses the race or fails', async () => {
    const store = await open();
    await store.triggers.put(poll, false);
    await store.triggers.commit({ workflow_uid: 'wf1', expectedRevision: 0, patch: {}, runs: [], at: T0 });
    // A cycle that read revision 0 lost the race: no run, no document.
    const stale = await store.triggers.commit({
      workflow_uid: 'wf1',
      expectedRevision: 0,
      patch: {},
      runs: [runOf('stale', LIMIT * 2)],
      at: T0,
    });
    expect([stale, apart('stale'), inFile('stale')]).toEqual([false, undefined, 0]);
    // A run of the commit is a duplicate: the transaction fails, the new run's document goes, the existing
    // run's stays.
    await store.runs.createRun(newRun('taken', { input: { blob: 'x'.repeat(LIMIT * 2) } }));
    await expect(
      store.triggers.commit({
        workflow_uid: 'wf1',
        patch: {},
        runs: [runOf('fresh', LIMIT * 2), runOf('taken', LIMIT * 3)],
        at: T0,
      }),
    ).rejects.toSatisfy((err: unknown) => isSluiceError(err, 'SLUICE_STORE'));
    expect([apart('fresh'), inFile('fresh'), inFile('taken')]).toEqual([undefined, 0, 1]);
    expect((await store.runs.getRun('taken'))?.input).toEqual({ blob: 'x'.repeat(LIMIT * 2) });
  });

  it('never leaves a run without its document when the process is killed (kill -9) while committing', async () => {
    const child = startChild('trigger', file);
    children.push(child);
    const runs = () => querySqliteFile<{ id: string }>(file, 'select id from runs where documents_apart = 2');
    // Several commits of two runs each, then a kill wherever the child is.
    await until(child, () => child.lines.includes('ready') && runs().length >= 6);
    await killChild(child);
    const committed = runs();
    const stored = new Set(
      querySqliteFile<{ run_id: string }>(`${file}-documents`, 'select run_id from run_documents').map(
        (row) => row.run_id,
      ),
    );
    expect(committed.filter((run) => !stored.has(run.id))).toEqual([]);
    const store = await openStore({ file });
    stores.push(store);
    for (const { id } of committed) expect((await store.runs.getRun(id))?.id).toBe(id);
  }, 60_000);
});
