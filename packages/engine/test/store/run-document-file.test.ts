/**
 * The store's document file (issue 14): runs whose documents are longer than `documentFileBytes` keep
 * them in `<file>-documents`, a SQLite database of its own, on real files. A run reads back whole, after
 * a restart too; deleting a run deletes its document; a crash between the document and the run row
 * leaves at most a document without a run, which the next store to open removes; the threshold's
 * boundary is exact. PostgreSQL keeps every large document in `run_documents`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type SqlStore } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect, querySqliteFile } from './dialects.js';
import { newRun, storeError } from './fixtures.js';

/** The length of `newRun(id, { input })`'s documents as the store measures them (JSON characters). */
function documentsLength(input: unknown): number {
  const run = newRun('x', { input });
  return JSON.stringify(run.workflow).length + JSON.stringify(input).length;
}

/** An input whose run's documents are exactly `length` characters long. */
function inputOfLength(length: number): { blob: string } {
  const input = { blob: '' };
  input.blob = 'z'.repeat(length - documentsLength(input));
  expect(documentsLength(input)).toBe(length);
  return input;
}

// Above the 16 KB under which documents stay in the run row.
const LIMIT = 20_000;

describe('the document file of a SQLite store', () => {
  let dir: string;
  let file: string;
  const stores: SqlStore[] = [];
  const open = async (documentFileBytes = LIMIT) => {
    const store = await openStore({ file, documentFileBytes });
    stores.push(store);
    return store;
  };
  /** Runs SQL on the store's database or its document file directly. */
  const query = <T>(on: string, text: string, params: unknown[] = []): T[] =>
    querySqliteFile<T>(on, text, params);
  const apart = (id: string) =>
    query<{ apart: number }>(file, 'select documents_apart as apart from runs where id = ?', [id])[0]?.apart;
  const inFile = (id: string) =>
    query<{ run_id: string }>(`${file}-documents`, 'select run_id from run_documents where run_id = ?', [id])
      .length;
  const inStore = (id: string) =>
    query<{ run_id: string }>(file, 'select run_id from run_documents where run_id = ?', [id]).length;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-documents-'));
    file = join(dir, 'sluice.db');
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a large input in the document file, and every read gives it back whole', async () => {
    const store = await open();
    const input = { since: 'x', blob: 'é"\n\\'.repeat(5_000), big: 'q'.repeat(70_000) };
    const caller = { id: 'ann', email: 'ann@acme.test', workspace_id: 'acme', role: 'admin' as const };
    await store.runs.createServiceRun(
      newRun('big', { input, sealed_input: 'v1.sealed', workspace_id: 'acme' }),
      caller,
    );
    expect([apart('big'), inFile('big'), inStore('big')]).toEqual([2, 1, 0]);
    await store.runs.updateRun('big', { status: 'running', lease_owner: 'p1' });
    const run = await store.runs.getRun('big');
    expect([run?.input, run?.workflow, run?.sealed_input, run?.status]).toEqual([
      input,
      newRun('big').workflow,
      'v1.sealed',
      'running',
    ]);
    expect((await store.runs.listRuns({ workspace_id: 'acme', limit: 5 }))[0]?.input).toEqual(input);
    expect((await store.runs.listUnfinishedRuns())[0]?.input).toEqual(input);
    expect((await store.runs.getRunAndCaller('big'))?.run.input).toEqual(input);
    expect((await store.runs.getRunAndCaller('big'))?.caller?.email).toBe('ann@acme.test');
  });

  it.each([
    ['a large string beside non-ASCII text', { big: 'q'.repeat(70_000), s: 'é€😀' }],
    ['a large string of non-ASCII text', { big: 'é€😀'.repeat(25_000) }],
    ['a large string with a lone surrogate', { big: `${'x'.repeat(70_000)}\ud800` }],
    ['a large string with quotes and newlines', { big: '"a"\n'.repeat(20_000) }],
    ['many small records', { list: Array.from({ length: 5_000 }, (_, i) => ({ i, t: 'ü😀' })) }],
  ])('stores the exact JSON text of an input as TEXT: %s', async (_, input) => {
    const store = await open();
    await store.runs.createRun(newRun('exact', { input }));
    const [row] = query<{ input: string; type: string; chars: number }>(
      `${file}-documents`,
      "select input, typeof(input) as type, length(input) as chars from run_documents where run_id = 'exact'",
    );
    const json = JSON.stringify(input);
    expect(row).toEqual({ input: json, type: 'text', chars: [...json].length });
    expect((await store.runs.getRun('exact'))?.input).toEqual(input);
  });

  it('reads a run back after a restart', async () => {
    const input = inputOfLength(LIMIT * 4);
    const first = await open();
    await first.runs.createRun(newRun('big', { input }));
    await first.close();
    const second = await open();
    expect((await second.runs.getRun('big'))?.input).toEqual(input);
  });

  it('deletes the document with its run, and only that one', async () => {
    const store = await open();
    await store.runs.createRun(newRun('a', { input: inputOfLength(LIMIT * 2) }));
    await store.runs.createRun(newRun('b', { input: inputOfLength(LIMIT * 2) }));
    expect(await store.runs.deleteRun('a')).toBe(true);
    expect([inFile('a'), inFile('b')]).toEqual([0, 1]);
    expect(await store.runs.getRun('a')).toBeUndefined();
    expect((await store.runs.getRun('b'))?.input).toEqual(inputOfLength(LIMIT * 2));
  });

  it('keeps a document of exactly the threshold in run_documents, and one character more in the file', async () => {
    const store = await open();
    await store.runs.createRun(newRun('at', { input: inputOfLength(LIMIT) }));
    await store.runs.createRun(newRun('over', { input: inputOfLength(LIMIT + 1) }));
    await store.runs.createRun(newRun('under', { input: inputOfLength(LIMIT - 1) }));
    expect([apart('under'), apart('at'), apart('over')]).toEqual([1, 1, 2]);
    expect([inFile('under'), inFile('at'), inFile('over')]).toEqual([0, 0, 1]);
    expect([inStore('under'), inStore('at'), inStore('over')]).toEqual([1, 1, 0]);
    for (const [id, length] of [
      ['under', LIMIT - 1],
      ['at', LIMIT],
      ['over', LIMIT + 1],
    ] as const) {
      expect((await store.runs.getRun(id))?.input).toEqual(inputOfLength(length));
    }
  });

  it('keeps documents between 16 KB and the threshold in run_documents, and Infinity keeps them all there', async () => {
    const store = await open(Number.POSITIVE_INFINITY);
    await store.runs.createRun(newRun('big', { input: inputOfLength(300_000) }));
    expect([apart('big'), inStore('big'), existsSync(`${file}-documents`)]).toEqual([1, 1, false]);
    expect((await store.runs.getRun('big'))?.input).toEqual(inputOfLength(300_000));
  });

  it('refuses a threshold that is not a number of characters', async () => {
    for (const bad of [-1, Number.NaN]) {
      const err = await storeError(openStore({ file, documentFileBytes: bad }));
      expect(err.message).toMatch(/documentFileBytes/);
    }
  });

  it('deletes the document again when its run row cannot be written', async () => {
    const store = await open();
    query(
      file,
      "create trigger refuse before insert on runs when new.id = 'doomed' begin select raise(abort, 'refused'); end",
    );
    const err = await storeError(store.runs.createRun(newRun('doomed', { input: inputOfLength(LIMIT * 2) })));
    expect(err.message).toMatch(/refused/);
    expect([inFile('doomed'), apart('doomed')]).toEqual([0, undefined]);
  });

  it("leaves an existing run's document alone when a run of the same id is created again", async () => {
    const store = await open();
    const input = inputOfLength(LIMIT * 2);
    await store.runs.createRun(newRun('r1', { input }));
    await storeError(store.runs.createRun(newRun('r1', { input: inputOfLength(LIMIT * 3) })));
    expect((await store.runs.getRun('r1'))?.input).toEqual(input);
  });

  it('removes, when a store opens, the old documents a crash left without a run, and no other', async () => {
    const store = await open();
    await store.runs.createRun(newRun('kept', { input: inputOfLength(LIMIT * 2) }));
    await store.close();
    // What a crash between the two writes leaves: documents without runs, one old, one just stored.
    const documents = `${file}-documents`;
    const insert =
      "insert into run_documents (run_id, stored_at, workflow, input, sealed_input) values (?, ?, '{}', 'null', null)";
    query(documents, insert, ['old-orphan', '2020-01-01T00:00:00.000Z']);
    query(documents, insert, ['new-orphan', new Date().toISOString()]);
    query(documents, "update run_documents set stored_at = '2020-01-01T00:00:00.000Z' where run_id = 'kept'");
    const reopened = await open();
    expect([inFile('kept'), inFile('old-orphan'), inFile('new-orphan')]).toEqual([1, 0, 1]);
    expect((await reopened.runs.getRun('kept'))?.input).toEqual(inputOfLength(LIMIT * 2));
    // A run created later under an orphan's id takes its place.
    await reopened.runs.createRun(newRun('new-orphan', { input: inputOfLength(LIMIT * 3) }));
    expect((await reopened.runs.getRun('new-orphan'))?.input).toEqual(inputOfLength(LIMIT * 3));
  });

  it('never leaves a run without its document when the process is killed (kill -9) while writing', async () => {
    const child = fileURLToPath(new URL('./document-file-child.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', child, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((ready, fail) => {
      proc.on('error', fail);
      proc.on('exit', (code) => fail(new Error(`the child exited (${code}) before it was ready`)));
      proc.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) ready();
      });
    });
    // Let it write a while, then kill it wherever it is.
    await new Promise((wait) => setTimeout(wait, 300));
    const exited = new Promise((done) => proc.once('exit', done));
    proc.kill('SIGKILL');
    await exited;
    const runs = query<{ id: string }>(file, 'select id from runs where documents_apart = 2');
    expect(runs.length).toBeGreaterThan(0);
    const documents = new Set(
      query<{ run_id: string }>(`${file}-documents`, 'select run_id from run_documents').map((r) => r.run_id),
    );
    expect(runs.filter((run) => !documents.has(run.id))).toEqual([]);
    const store = await open();
    for (const { id } of runs) expect((await store.runs.getRun(id))?.id).toBe(id);
  }, 30_000);
});

describeEachDialect('a run larger than the document file threshold', (t) => {
  it('keeps its documents where the dialect keeps them, and reads them back', async () => {
    const store = await t.db.open({ documentFileBytes: LIMIT });
    const input = inputOfLength(LIMIT * 4);
    await store.runs.createRun(newRun('big', { input }));
    const [row] = await t.db.query<{ apart: number }>(
      "select documents_apart as apart from runs where id = 'big'",
    );
    // PostgreSQL has no document file: its large documents stay in run_documents (TOAST).
    expect(Number(row?.apart)).toBe(t.dialect.name === 'sqlite' ? 2 : 1);
    expect((await store.runs.getRun('big'))?.input).toEqual(input);
    expect(await store.runs.deleteRun('big')).toBe(true);
    expect(await store.runs.getRun('big')).toBeUndefined();
  });
});
