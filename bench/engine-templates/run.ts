/**
 * Template benchmark: what rendering in isolated template workers (issue 12) costs, beside the previous
 * design (the same renderer running its jobs in the calling thread: no deadline, no memory cap), both
 * measured in the same run, interleaved, median of several rounds.
 *
 * 1. Per render: a 3-variable URL template with a filter (it goes to a worker; the same URL without
 *    the filter is rendered on the calling thread, also shown), one render at a time (latency) and 32
 *    in flight (throughput), with 1 KB and with 10 MB of unrelated step output in the state (must cost
 *    the same). Figures are wall µs and process CPU µs (every thread) per render; a hand-written string
 *    concatenation of the same 3 values is the floor.
 * 2. Per run: a typical 3-step workflow (`bench/engine`'s) run by `runWorkflow` against the example
 *    my-app API in a child process, on an in-memory SQLite store: process CPU ms per run (the API's CPU
 *    is in the child, not counted) with each renderer. Target: the isolation adds at most 20%.
 *
 * Usage: `npm run bench:templates [-- --renders 5000 --runs 300 --rounds 5]`. See bench/README.md.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { openStore, parseWorkflow, runWorkflow, TemplateRenderer, type TemplateState } from '@sluice/engine';
import { InlineJobs } from '@sluice/engine/internal';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { startChildServer } from '../child-server.js';
import { THREE_STEP_WORKFLOW as WORKFLOW } from '../three-step-workflow.js';

const { values: flags } = parseArgs({
  options: {
    renders: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
  },
});
const RENDERS = Number(flags.renders);
const RUNS = Number(flags.runs);
const ROUNDS = Number(flags.rounds);
const IN_FLIGHT = 32;
const TARGET_RUN_OVERHEAD = 0.2;
const TEMPLATE =
  '{{ SYSTEM_APIS.my_app }}/v1/customers/{{ CURRENT_STEP.input.id }}?token={{ USER.token | trim }}';
/** Text and plain references only: rendered without minijinja when the values are strings or integers. */
const PLAIN = '{{ SYSTEM_APIS.my_app }}/v1/customers/{{ CURRENT_STEP.input.id }}?token={{ USER.token }}';
const EXPECTED = 'https://my.app/v1/customers/42?token=run-token';
const TOKEN = 'my-app-secret-token';
const SEED_COUNT = 1000;

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

/** A list of customer records of about `bytes` bytes as JSON. */
function output(bytes: number): unknown[] {
  const row = { id: 0, name: 'Customer name', email: 'customer@example.com', tags: ['a', 'b'], active: true };
  const size = JSON.stringify(row).length + 1;
  return Array.from({ length: Math.max(1, Math.round(bytes / size)) }, (_, id) => ({ ...row, id }));
}

function state(bytes: number): TemplateState {
  return {
    SYSTEM_APIS: { my_app: 'https://my.app' },
    USER: { id: 'u1', email: 'a@b.c', token: 'run-token', workspace_id: 'acme' },
    INPUT: { since: '2024-01-01' },
    STEPS: { customers: { output: output(bytes) } },
    CURRENT_STEP: { name: 'notify', input: { id: 42 }, index: 0, attempt: 1 },
    WORKFLOW: { name: 'sync' },
    RUN: { id: 'run-1' },
  };
}

interface Sample {
  wallUs: number;
  cpuUs: number;
}

/** Wall and process CPU µs per call of `fn` over `n` calls, `inFlight` at a time. */
async function measure(n: number, inFlight: number, fn: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      next++;
      if ((await fn()) === undefined) throw new Error('nothing rendered');
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const wall = (performance.now() - start) * 1000;
  const used = process.cpuUsage(cpu);
  return { wallUs: wall / n, cpuUs: (used.user + used.system) / n };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs each side once per round, in an order that alternates, and gives each side's median sample. */
async function interleave<K extends string>(
  sides: Record<K, () => Promise<Sample>>,
): Promise<Record<K, Sample & { rounds: Sample[] }>> {
  const names = Object.keys(sides) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as Sample[]])) as Record<K, Sample[]>;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples[name].push(await sides[name]());
  }
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        wallUs: median(samples[n].map((s) => s.wallUs)),
        cpuUs: median(samples[n].map((s) => s.cpuUs)),
        rounds: samples[n],
      },
    ]),
  ) as Record<K, Sample & { rounds: Sample[] }>;
}

const isolated = new TemplateRenderer();
const inline = new TemplateRenderer({}, (settings) => new InlineJobs(settings));
const where = { step: 'notify', field: 'apispec.url' };
const small = state(1024);
const large = state(10 * 1024 * 1024);
const concat = (s: TemplateState): string =>
  `${(s.SYSTEM_APIS as { my_app: string }).my_app}/v1/customers/${(s.CURRENT_STEP as { input: { id: number } }).input.id}?token=${(s.USER as { token: string }).token}`;

for (const s of [small, large]) {
  for (const renderer of [isolated, inline]) {
    for (const template of [TEMPLATE, PLAIN]) {
      if ((await renderer.render(template, s, where)) !== EXPECTED) throw new Error('sides differ');
    }
  }
  if (concat(s) !== EXPECTED) throw new Error('concatenation differs');
}

say(`template: ${TEMPLATE}`);
say(
  `${RENDERS} renders per round, ${ROUNDS} rounds per side, interleaved; medians (Node ${process.version})`,
);
const row = (label: string, s: Sample): string =>
  `  ${label.padEnd(44)} ${s.wallUs.toFixed(2).padStart(8)} µs wall  ${s.cpuUs.toFixed(2).padStart(8)} µs CPU`;
for (const inFlight of [1, IN_FLIGHT]) {
  const renders = await interleave({
    workersSmall: () => measure(RENDERS, inFlight, () => isolated.render(TEMPLATE, small, where)),
    inlineSmall: () => measure(RENDERS, inFlight, () => inline.render(TEMPLATE, small, where)),
    workersLarge: () => measure(RENDERS, inFlight, () => isolated.render(TEMPLATE, large, where)),
    inlineLarge: () => measure(RENDERS, inFlight, () => inline.render(TEMPLATE, large, where)),
    plain: () => measure(RENDERS, inFlight, () => isolated.render(PLAIN, small, where)),
    concat: () => measure(RENDERS, inFlight, async () => concat(small)),
  });
  say(`${inFlight} render${inFlight === 1 ? '' : 's'} in flight:`);
  say(row('template workers, 1 KB of step output', renders.workersSmall));
  say(row('in this thread (previous design), 1 KB', renders.inlineSmall));
  say(row('template workers, 10 MB of step output', renders.workersLarge));
  say(row('in this thread (previous design), 10 MB', renders.inlineLarge));
  say(row('without the filter (no worker needed)', renders.plain));
  say(row('hand-written concatenation', renders.concat));
  say(
    `  workers/previous: ${(renders.workersSmall.cpuUs / renders.inlineSmall.cpuUs).toFixed(2)}x CPU, ${(renders.workersSmall.wallUs / renders.inlineSmall.wallUs).toFixed(2)}x wall; 10 MB/1 KB with workers: ${(renders.workersLarge.cpuUs / renders.workersSmall.cpuUs).toFixed(2)}x CPU`,
  );
}

const api = await startChildServer(new URL('../sdk/api-server.ts', import.meta.url), [String(SEED_COUNT)]);
const store = await openStore({ file: ':memory:' });
const transport = createUndiciTransport();
try {
  const workflow = await parseWorkflow(WORKFLOW, { file: 'bench.yaml' });
  let i = 0;
  const runWith = (renderer: TemplateRenderer) => async (): Promise<Sample> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let n = 0; n < RUNS; n++) {
      const outcome = await runWorkflow(workflow, {
        store: store.runs,
        renderer,
        transport,
        input: { id: (i++ % SEED_COUNT) + 1 },
        systemApis: { my_app: api.url },
        user: { token: TOKEN },
      });
      if (outcome.status !== 'succeeded') throw new Error(`run failed: ${JSON.stringify(outcome.error)}`);
    }
    const used = process.cpuUsage(cpu);
    return { wallUs: ((performance.now() - start) * 1000) / RUNS, cpuUs: (used.user + used.system) / RUNS };
  };
  await runWith(isolated)();
  await runWith(inline)();
  const runs = await interleave({ workers: runWith(isolated), inline: runWith(inline) });
  const overhead = runs.workers.cpuUs / runs.inline.cpuUs - 1;
  say(`a 3-step run (runWorkflow, in-memory SQLite, API in a child process), ${RUNS} runs per round:`);
  const ms = (s: Sample): string =>
    `${(s.cpuUs / 1000).toFixed(3)} ms CPU/run, ${(s.wallUs / 1000).toFixed(3)} ms wall/run`;
  say(
    `  template workers:                 ${ms(runs.workers)}   rounds: ${runs.workers.rounds.map((s) => (s.cpuUs / 1000).toFixed(3)).join(', ')}`,
  );
  say(
    `  in this thread (previous design): ${ms(runs.inline)}   rounds: ${runs.inline.rounds.map((s) => (s.cpuUs / 1000).toFixed(3)).join(', ')}`,
  );
  say(
    `  the isolation adds ${(overhead * 100).toFixed(1)}% CPU per run (target <= ${TARGET_RUN_OVERHEAD * 100}%): ${overhead <= TARGET_RUN_OVERHEAD ? 'within target' : 'OVER TARGET'}`,
  );
} finally {
  await transport.close?.();
  await store.close();
  await api.stop();
  await isolated.close();
  await inline.close();
}
