// Runs the TypeScript template worker when the engine runs from its sources (tests, `npm start`): the
// built package starts `template-worker.js` directly and never loads this file.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
