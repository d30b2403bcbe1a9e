/**
 * A template worker thread: one minijinja-js instance (its memory capped by the compiled module it is
 * given) that runs jobs one at a time. When the instance breaks (a trap, a stack overflow) or has grown
 * past half its memory cap, the worker answers its job, says it retires, and exits; the pool starts a
 * fresh one. The pool stops it from outside when a template passes the deadline.
 *
 * @internal
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Environment, initSync } from 'minijinja-js/dist/web/minijinja_js.js';
import { createEnvironment } from '../environment.js';
import { JobRunner } from './job-runner.js';
import {
  type JobReply,
  type JobRequest,
  PROGRESS_INDEX,
  PROGRESS_STARTED,
  type WorkerConfig,
} from './protocol.js';

const config = workerData as WorkerConfig;
const port = parentPort;
if (port === null) throw new Error('template-worker runs only as a worker thread');

const exports = initSync({ module: config.module });
const progress = new BigInt64Array(config.progress);
const runner = new JobRunner(createEnvironment(Environment, config.fuel), {
  cacheSize: config.cacheSize,
  maxOutputChars: config.maxOutputChars,
  onStart: (index) => {
    Atomics.store(progress, PROGRESS_INDEX, BigInt(index));
    Atomics.store(progress, PROGRESS_STARTED, BigInt(Date.now()));
  },
});

port.on('message', (request: JobRequest) => {
  let reply: JobReply;
  try {
    reply =
      request.op === 'render'
        ? runner.render(request.id, request.sources, request.context)
        : runner.check(request.id, request.sources);
    if (exports.memory.buffer.byteLength > config.memoryBytes / 2) reply.retire = true;
  } catch (error) {
    // Not a template's failure (those are in the reply): nothing here can be trusted any more.
    const index = Number(Atomics.load(progress, PROGRESS_INDEX));
    const detail = `the template engine failed (${String(error)})`;
    reply = {
      id: request.id,
      results: [],
      failure: { index, failure: { kind: 'limit', limit: 'crash', detail } },
      retire: true,
    };
  }
  Atomics.store(progress, PROGRESS_STARTED, 0n);
  Atomics.store(progress, PROGRESS_INDEX, 0n);
  port.postMessage(reply);
  if (reply.retire) port.close();
});
