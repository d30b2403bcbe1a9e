/**
 * A second process for the document file's checkpoint tests. Usage: `document-checkpoint-child.ts <mode> <file>`.
 *
 * - `close` / `leave`: writes documents to a document file (`<file>`, a checkpoint every 1 MB) until its
 *   worker has checkpointed, prints the counts as a JSON line, then closes the file and prints them again
 *   (`close`), or just returns (`leave`). Either way the process must then exit on its own.
 * - `runs` / `trigger`: opens the store on `<file>` and creates runs with 1 MB inputs one after the other
 *   (`createRun`, or `triggers.commit` of two at a time), until it is killed. It prints `ready` once the
 *   first is committed.
 */
import { type ApiCaller, openStore } from '@sluice/engine';
import { RunDocumentFile } from '../../src/store/runs/run-document-file.js';
import { newRun, T0 } from './fixtures.js';

const [mode, file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: document-checkpoint-child.ts <mode> <file>');
const blob = 'c'.repeat(1_000_000);

if (mode === 'close' || mode === 'leave') {
  const documents = await RunDocumentFile.open(file, {
    busyTimeoutMs: 5000,
    synchronous: 'normal',
    checkpointEveryBytes: 1_000_000,
  });
  for (let i = 0; documents.checkpointCounts().passive === 0; i++) {
    documents.put({ run_id: `d${i}`, workflow: '{}', input: JSON.stringify(blob), sealed_input: null }, T0);
    await documents.checkpointsSettled();
  }
  process.stdout.write(`${JSON.stringify(documents.checkpointCounts())}\n`);
  if (mode === 'close') {
    await documents.close();
    process.stdout.write(`${JSON.stringify(documents.checkpointCounts())}\n`);
  }
} else {
  const store = await openStore({ file });
  const caller: ApiCaller = { id: 'ann', email: 'ann@acme.test', workspace_id: 'acme', role: 'admin' };
  if (mode === 'trigger') {
    await store.triggers.put(
      { workflow_uid: 'wf1', workspace_id: 'acme', kind: 'poll', enabled: true, next_at: T0, updated_at: T0 },
      false,
    );
  }
  for (let i = 0; ; i++) {
    if (mode === 'trigger') {
      const runs = [0, 1].map((j) => ({ run: newRun(`t${i}-${j}`, { input: { i, j, blob } }), caller }));
      await store.triggers.commit({ workflow_uid: 'wf1', patch: { state: { i } }, runs, at: T0 });
    } else {
      await store.runs.createRun(newRun(`r${i}`, { input: { i, blob } }));
    }
    if (i === 0) process.stdout.write('ready\n');
  }
}
