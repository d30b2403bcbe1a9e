/**
 * A second process for the SQLite tests: opens the store on the file given (migrating it), creates a
 * run and writes its items, then exits 0. Usage: `store-child.ts <file> <run id> <items>`.
 */
import { openStore } from '@sluice/engine';
import { item, newRun } from './fixtures.js';

const [file, runId, count] = process.argv.slice(2);
if (file === undefined || runId === undefined)
  throw new Error('usage: store-child.ts <file> <run id> <items>');
const store = await openStore({ file });
await store.runs.createRun(newRun(runId));
for (let i = 0; i < Number(count); i++) await store.runs.saveStepItem(item(runId, 0, i));
await store.close();
