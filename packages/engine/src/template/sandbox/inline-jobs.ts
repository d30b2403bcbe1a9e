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
import { createEnvironment } from '../environment.js';
import { JobRunner } from './job-runner.js';
import type { Job, JobReply, TemplateJobs } from './protocol.js';
import type { PoolSettings } from './worker-pool.js';

export class InlineJobs implements TemplateJobs {
  readonly #settings: PoolSettings;
  /** minijinja loads with the first job: templates of text and plain references never need it. */
  #runner: Promise<JobRunner> | undefined;
  #id = 0;

  constructor(settings: PoolSettings) {
    this.#settings = settings;
  }

  async run(_tenant: string, job: Job): Promise<JobReply> {
    const id = ++this.#id;
    this.#runner ??= import('minijinja-js').then(
      ({ Environment }) => new JobRunner(createEnvironment(Environment, this.#settings.fuel), this.#settings),
    );
    const runner = await this.#runner;
    return job.op === 'render' ? runner.render(id, job.sources, job.context) : runner.check(id, job.sources);
  }

  async close(): Promise<void> {}
}
