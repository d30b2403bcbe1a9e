/**
 * Template rendering benchmark: µs per render of a 3-variable URL template, with 1 KB and with 10 MB of
 * unrelated step output in the state, beside a hand-written string concatenation of the same 3 values.
 * Rendering must not convert state the template does not reference, so both state sizes should cost the
 * same.
 *
 * Usage: `npx tsx --conditions=development bench/engine-templates/run.ts [-- --renders 20000]`.
 * See bench/README.md for what the figures mean.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { TemplateRenderer, type TemplateState } from '@sluice/engine';

const { values: flags } = parseArgs({
  options: { renders: { type: 'string', default: '20000' }, warmup: { type: 'string', default: '10000' } },
});
const RENDERS = Number(flags.renders);
const WARMUP = Number(flags.warmup);
const TEMPLATE = '{{ SYSTEM_APIS.my_app }}/v1/customers/{{ CURRENT_STEP.input.id }}?token={{ USER.token }}';

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
    USER: { id: 'u1', email: 'a@b.c', token: 'run-token' },
    INPUT: { since: '2024-01-01' },
    STEPS: { customers: { output: output(bytes) } },
    CURRENT_STEP: { name: 'notify', input: { id: 42 }, index: 0, attempt: 1 },
    WORKFLOW: { name: 'sync' },
    RUN: { id: 'run-1' },
  };
}

/** Mean µs per call of `fn` over `n` calls. */
function measure(n: number, fn: () => unknown): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += String(fn()).length;
  const ns = Number(process.hrtime.bigint() - start);
  if (sink === 0) throw new Error('nothing rendered');
  return ns / n / 1000;
}

const renderer = new TemplateRenderer();
const where = { step: 'notify', field: 'apispec.url' };
const small = state(1024);
const large = state(10 * 1024 * 1024);
const expected = 'https://my.app/v1/customers/42?token=run-token';
const concat = (s: TemplateState): string =>
  `${(s.SYSTEM_APIS as { my_app: string }).my_app}/v1/customers/${(s.CURRENT_STEP as { input: { id: number } }).input.id}?token=${(s.USER as { token: string }).token}`;

for (const s of [small, large]) {
  if (renderer.render(TEMPLATE, s, where) !== expected || concat(s) !== expected)
    throw new Error('sides differ');
}
measure(WARMUP, () => renderer.render(TEMPLATE, small, where));
measure(WARMUP, () => renderer.render(TEMPLATE, large, where));
measure(WARMUP, () => concat(small));

// Interleaved (small, large, concat, concat, large, small) so drift hits all sides alike.
const runs = { small: [] as number[], large: [] as number[], concat: [] as number[] };
for (const side of ['small', 'large', 'concat', 'concat', 'large', 'small'] as const) {
  const fn =
    side === 'concat'
      ? () => concat(small)
      : () => renderer.render(TEMPLATE, side === 'small' ? small : large, where);
  runs[side].push(measure(RENDERS, fn));
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const bytes = (s: TemplateState): string => `${(JSON.stringify(s.STEPS).length / 1024).toFixed(0)} KB`;

say(`template: ${TEMPLATE}`);
say(`${RENDERS} renders per run, two runs per side`);
say(
  `render, ${bytes(small).padStart(9)} of step output: ${mean(runs.small).toFixed(2)} µs/render  (${runs.small.map((x) => x.toFixed(2)).join(', ')})`,
);
say(
  `render, ${bytes(large).padStart(9)} of step output: ${mean(runs.large).toFixed(2)} µs/render  (${runs.large.map((x) => x.toFixed(2)).join(', ')})`,
);
say(
  `hand-written concatenation:       ${mean(runs.concat).toFixed(3)} µs/call    (${runs.concat.map((x) => x.toFixed(3)).join(', ')})`,
);
say(
  `large/small: ${(mean(runs.large) / mean(runs.small)).toFixed(2)}x (1.00x means unrelated state costs nothing)`,
);
