/**
 * A second process for the document file's crash test: opens the store on the file given and creates
 * runs whose input goes to the document file, one after the other, until it is killed. It prints
 * `ready` once the first run is committed. Usage: `document-file-child.ts <file>`.
 */
import { openStore } from '@sluice/engine';
import { newRun } from './fixtures.js';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: document-file-child.ts <file>');
const store = await openStore({ file, documentFileBytes: 1000 });
const blob = 'b'.repeat(20_000);
for (let i = 0; ; i++) {
  await store.runs.createRun(newRun(`r${i}`, { input: { i, blob } }));
  if (i === 0) process.stdout.write('ready\n');
}
