/**
 * Template jobs run in the calling thread, with no deadline and no memory cap: the design before the
 * template workers, kept so `bench/engine-templates` can measure what the isolation costs. Never for
 * templates a user wrote.
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
