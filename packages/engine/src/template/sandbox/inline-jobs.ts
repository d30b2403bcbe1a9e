/**
 * Template jobs run in the calling thread, with fuel and the output cap but no deadline and no memory
 * cap: the design before the template workers. `bench/engine-templates` measures what the isolation
 * costs with it, and `sluice run` renders with it (the local user's own file in their own process,
 * where a worker thread would cost more to start than the run takes). Never for templates a service
 * runs for others.
 *
 * @internal
 * @module
 */
import { Environment } from 'minijinja-js';
import { createEnvironment } from '../environment.js';
import { JobRunner } from './job-runner.js';
import type { Job, JobReply, TemplateJobs } from './protocol.js';
import type { PoolSettings } from './worker-pool.js';

export class InlineJobs implements TemplateJobs {
  readonly #runner: JobRunner;
  #id = 0;

  constructor(settings: PoolSettings) {
    this.#runner = new JobRunner(createEnvironment(Environment, settings.fuel), settings);
  }

  async run(_tenant: string, job: Job): Promise<JobReply> {
    const id = ++this.#id;
    return job.op === 'render'
      ? this.#runner.render(id, job.sources, job.context)
      : this.#runner.check(id, job.sources);
  }

  async close(): Promise<void> {}
}
