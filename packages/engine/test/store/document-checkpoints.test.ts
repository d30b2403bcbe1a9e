/**
 * The document file's checkpoints run in a worker thread (issue 14): a commit never copies the WAL into
 * the file on the event loop; the worker does, with its own connection, once enough was written, and the
 * WAL then starts over instead of growing. No worker starts for a file written less than that; `close`
 * ends it; a process ends on its own with or without `close`; `kill -9` during checkpoints loses no
 * committed document and leaves no run without its document. Facts and counts only, never durations.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { openStore } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentCheckpoints } from '../../src/store/runs/document-checkpoints.js';
import { RunDocumentFile } from '../../src/store/runs/run-document-file.js';
import { querySqliteFile } from './dialects.js';
import { type DocumentChild, killChild, startChild, until } from './document-child-process.js';
import { T0 } from './fixtures.js';

/** A document of about `chars` JSON characters. */
const documentOf = (id: string, chars = 600_000) => ({
  run_id: id,
  workflow: '{}',
  input: JSON.stringify('d'.repeat(chars - 2)),
  sealed_input: null,
});

/** The size of `path` in bytes, 0 when it does not exist. */
const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

describe('the checkpoints of the document file', () => {
  let dir: string;
  let location: string;
  const files: RunDocumentFile[] = [];
  const children: DocumentChild[] = [];
  const open = async (checkpointEveryBytes = 1_000_000) => {
    const file = await RunDocumentFile.open(location, {
      busyTimeoutMs: 5000,
      synchronous: 'normal',
      checkpointEveryBytes,
    });
    files.push(file);
    return file;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-checkpoints-'));
    location = join(dir, 'sluice.db-documents');
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killChild));
    await Promise.all(files.splice(0).map((file) => file.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('checkpoints in a worker thread once enough was written, never in the commit', async () => {
    const documents = await open();
    documents.put(documentOf('a'), T0);
    expect(documents.checkpointCounts()).toMatchObject({ worker: 'none', passive: 0 });
    // The document is in the WAL only: nothing was copied into the file.
    expect(sizeOf(location)).toBeLessThan(600_000);
    documents.put(documentOf('b'), T0);
    // Past the threshold: the commit returned with the checkpoint only asked for.
    expect(documents.checkpointCounts()).toMatchObject({ worker: 'running', passive: 0 });
    await documents.checkpointsSettled();
    const counts = documents.checkpointCounts();
    expect(counts.passive).toBeGreaterThanOrEqual(1);
    expect(counts.frames).toBeGreaterThan(0);
    expect(counts.threadId).not.toBe(threadId);
    expect(counts.threadId).toBeGreaterThan(0);
    // The worker copied both documents into the file.
    expect(sizeOf(location)).toBeGreaterThan(1_200_000);
    expect([...documents.get(['a', 'b']).keys()].sort()).toEqual(['a', 'b']);
  });

  it("does not checkpoint in a commit past SQLite's default of 1000 pages (64 MB) either", async () => {
    // The worker would act only after 1 GB: what is copied into the file can only be the commits' doing.
    const documents = await open(1_000_000_000);
    for (let i = 0; i < 70; i++) documents.put(documentOf(`big-${i}`, 1_000_000), T0);
    expect(documents.checkpointCounts().worker).toBe('none');
    expect(sizeOf(`${location}-wal`)).toBeGreaterThan(70_000_000);
    expect(sizeOf(location)).toBeLessThan(1_000_000);
    await documents.close();
    // The last connection to close copies the WAL into the file, and removes it.
    expect([sizeOf(location) > 70_000_000, existsSync(`${location}-wal`)]).toEqual([true, false]);
  });

  it('starts the WAL over once the worker has copied it: the WAL does not grow with what is written', async () => {
    const documents = await open();
    const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
    for (const id of ids) {
      documents.put(documentOf(id), T0);
      await documents.checkpointsSettled();
    }
    // 7.2 MB written, checkpointed about every 1 MB.
    expect(documents.checkpointCounts().passive).toBeGreaterThanOrEqual(5);
    expect(sizeOf(`${location}-wal`)).toBeLessThan(3_000_000);
    expect(sizeOf(location)).toBeGreaterThan(6_000_000);
    expect([...documents.get(ids).keys()].sort()).toEqual([...ids].sort());
  });

  it('keeps a writer that outpaces the worker waiting (not the event loop) until it caught up: the WAL stays bounded', async () => {
    const documents = await open();
    const ids = Array.from({ length: 40 }, (_, i) => `w${i}`);
    // One after the other, without waiting for the checkpoints: as runs being created back to back.
    for (const id of ids) await documents.putForNewRuns([documentOf(id)], async () => new Set());
    await documents.checkpointsSettled();
    const counts = documents.checkpointCounts();
    // 24 MB written, checkpointed about every 1 MB; past 4 MB of WAL writers wait for the worker to catch
    // up, and the WAL starts over rather than grow to the truncation (8 MB).
    expect(counts.passive).toBeGreaterThanOrEqual(12);
    expect(counts.truncate).toBe(0);
    expect(sizeOf(`${location}-wal`)).toBeLessThan(8_000_000);
    expect([...documents.get(ids).keys()].sort()).toEqual([...ids].sort());
  });

  it('starts no worker for a file written less than the threshold; close ends a worker', async () => {
    const quiet = await open(10_000_000);
    quiet.put(documentOf('only'), T0);
    await quiet.close();
    expect(quiet.checkpointCounts().worker).toBe('ended');
    expect(quiet.checkpointCounts().passive).toBe(0);

    const busy = await open();
    for (const id of ['a', 'b', 'c']) busy.put(documentOf(id), T0);
    await busy.checkpointsSettled();
    expect(busy.checkpointCounts().worker).toBe('running');
    await busy.close();
    expect(busy.checkpointCounts().worker).toBe('ended');
    await busy.close(); // idempotent
    expect(existsSync(`${location}-wal`)).toBe(false);
    const reopened = await open();
    expect([...reopened.get(['only', 'a', 'b', 'c']).keys()].sort()).toEqual(['a', 'b', 'c', 'only']);
  });

  it('leaves the checkpoints to SQLite when the worker fails', async () => {
    let failures = 0;
    const checkpoints = new DocumentCheckpoints({
      file: join(dir, 'missing-documents'),
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      everyBytes: 10,
      catchUpFrames: 500,
      truncateFrames: 1000,
      onFailure: () => failures++,
    });
    checkpoints.written(10);
    await checkpoints.settled();
    expect(checkpoints.counts()).toMatchObject({ worker: 'failed', passive: 0 });
    expect(checkpoints.counts().error).toMatch(/missing-documents|unable to open|does not exist/i);
    checkpoints.written(10);
    expect([checkpoints.counts().worker, failures]).toEqual(['failed', 1]);
    await checkpoints.close();
  });

  it('lets the process end on its own, after close and without it', async () => {
    for (const mode of ['close', 'leave'] as const) {
      const child = startChild(mode, join(dir, `${mode}.db-documents`));
      children.push(child);
      expect(await child.exited).toBe(0);
      const printed = child.lines.map((line) => JSON.parse(line) as { worker: string; passive: number });
      expect(printed[0]).toMatchObject({ worker: 'running' });
      expect(printed[0]?.passive).toBeGreaterThanOrEqual(1);
      expect(printed.map((counts) => counts.worker)).toEqual(
        mode === 'close' ? ['running', 'ended'] : ['running'],
      );
    }
  }, 60_000);

  it('never loses a committed document, nor leaves a run without it, when killed during checkpoints (kill -9)', async () => {
    const file = join(dir, 'sluice.db');
    const child = startChild('runs', file);
    children.push(child);
    // The worker has copied documents into the file: checkpoints are under way, every 16 MB.
    await until(child, () => sizeOf(`${file}-documents`) > 4_000_000);
    await killChild(child);
    const documents = `${file}-documents`;
    expect(querySqliteFile<{ integrity_check: string }>(documents, 'pragma integrity_check')).toEqual([
      { integrity_check: 'ok' },
    ]);
    const runs = querySqliteFile<{ id: string }>(file, 'select id from runs where documents_apart = 2');
    expect(runs.length).toBeGreaterThan(4);
    const stored = new Set(
      querySqliteFile<{ run_id: string }>(documents, 'select run_id from run_documents').map((r) => r.run_id),
    );
    expect(runs.filter((run) => !stored.has(run.id))).toEqual([]);
    const store = await openStore({ file });
    try {
      for (const { id } of runs) {
        expect((await store.runs.getRun(id))?.input).toMatchObject({ i: Number(id.slice(1)) });
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});
