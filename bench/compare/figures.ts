/**
 * The benchmarks `bench/compare` knows: how to run each one as a whole (its own `bench/<name>/run.ts`
 * in the tree being measured) and which figures to read from what it prints.
 *
 * @module
 */

/** One figure a benchmark prints. */
export interface Figure {
  /** A short name for the table. */
  name: string;
  unit: string;
  /** Whether a larger value is better (runs/s) or worse (ms). */
  higherIsBetter: boolean;
  /** Reads the value from the benchmark's whole output; `undefined` when the line is missing. */
  read(output: string): number | undefined;
  /** A figure measured by the benchmark as its own baseline (no engine code in it): for the noise. */
  baseline?: boolean;
}

/** A benchmark run per round. */
export interface Bench {
  name: string;
  /** The script, relative to the tree's root. */
  script: string;
  /** Arguments given to the script when `--<name>-args` is not. */
  defaultArgs: string[];
  figures: Figure[];
}

/** The first capture of `pattern` in `output`, as a number. */
function grab(pattern: RegExp): (output: string) => number | undefined {
  return (output) => {
    const match = pattern.exec(output);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
}

/** Added to every benchmark: the CPU time of the run's whole process tree, measured by bench/compare. */
const CPU: Figure = {
  name: 'CPU time of the whole run, all processes',
  unit: 's',
  higherIsBetter: false,
  read: grab(/^\[compare\] cpu ([0-9.]+) s$/m),
};

const NUMBER = '([0-9]+(?:\\.[0-9]+)?)';
const line = (source: string) => new RegExp(source.replaceAll('#', NUMBER), 'm');

export const BENCHES: Record<string, Bench> = {
  throughput: {
    name: 'throughput',
    script: 'bench/service/run.ts',
    // Issue 14's judged part alone: runs through `sluice serve` against the minimal Node server.
    defaultArgs: ['--only', 'throughput', '--rounds', '3', '--round-runs', '1500'],
    figures: [
      {
        name: 'sluice serve, SQLite',
        unit: 'runs/s',
        higherIsBetter: true,
        read: grab(line('^\\s+sluice serve, SQLite\\s+# runs/s')),
      },
      {
        name: 'sluice serve, server CPU per run',
        unit: 'ms',
        higherIsBetter: false,
        read: grab(line('^\\s+sluice serve, SQLite\\s+[0-9]+ runs/s\\s+CPU # ms/run')),
      },
      {
        name: 'ratio of runs/s to the baseline',
        unit: 'x',
        higherIsBetter: true,
        read: grab(line('= # ?x the runs/s')),
      },
      {
        name: 'ratio of CPU per run to the baseline',
        unit: 'x',
        higherIsBetter: false,
        read: grab(line('the runs/s \\(target >= 0.30x\\), #x the CPU')),
      },
      {
        name: 'node + undici (baseline)',
        unit: 'runs/s',
        higherIsBetter: true,
        read: grab(line('^\\s+node \\+ undici \\(baseline\\)\\s+# runs/s')),
        baseline: true,
      },
      CPU,
    ],
  },
  engine: {
    name: 'engine',
    script: 'bench/engine/run.ts',
    defaultArgs: [], // its own defaults: 1,000 runs a pass, 100 warm-up runs, 5 CLI starts
    figures: [
      {
        name: 'engine, SQLite file (mean of 2 passes)',
        unit: 'runs/s',
        higherIsBetter: true,
        read: grab(line('^engine\\s+# runs/s')),
      },
      {
        name: 'hand-written undici (baseline)',
        unit: 'runs/s',
        higherIsBetter: true,
        read: grab(line('^undici\\s+# runs/s')),
        baseline: true,
      },
      {
        name: 'ratio engine/undici',
        unit: '%',
        higherIsBetter: true,
        read: grab(line('^ratio engine/undici #%')),
      },
      {
        name: 'engine, in-memory SQLite',
        unit: 'runs/s',
        higherIsBetter: true,
        read: grab(line('engine on an in-memory SQLite store: # runs/s')),
      },
      {
        name: '`sluice run` one step, median',
        unit: 'ms',
        higherIsBetter: false,
        read: grab(line('^sluice run .*: median # ms')),
      },
      {
        name: '`node -e 0` (baseline)',
        unit: 'ms',
        higherIsBetter: false,
        read: grab(line('node -e 0 on this machine: # ms')),
        baseline: true,
      },
      CPU,
    ],
  },
  service: {
    name: 'service',
    script: 'bench/service/run.ts',
    defaultArgs: [], // its own defaults: 200 runs, 20 ms a step, 10,000 records
    figures: [
      {
        name: 'service (API + durable queue)',
        unit: 'runs/s',
        higherIsBetter: true,
        read: grab(line('^\\s+service \\(API \\+ durable queue\\)\\s+# runs/s')),
      },
      {
        name: 'service, p50 of a run',
        unit: 'ms',
        higherIsBetter: false,
        read: grab(line('^\\s+service \\(API \\+ durable queue\\)\\s+[0-9.]+ runs/s\\s+p50\\s+# ms')),
      },
      {
        name: 'service, p99 of a run',
        unit: 'ms',
        higherIsBetter: false,
        read: grab(line('^\\s+service \\(API \\+ durable queue\\).*p99\\s+# ms')),
      },
      {
        name: 'core engine in-process',
        unit: 'runs/s',
        higherIsBetter: true,
        read: grab(line('^\\s+core engine in-process\\s+# runs/s')),
      },
      {
        name: 'core engine, p99 of a run',
        unit: 'ms',
        higherIsBetter: false,
        read: grab(line('^\\s+core engine in-process.*p99\\s+# ms')),
      },
      {
        name: 'service longer than core engine',
        unit: '%',
        higherIsBetter: false,
        read: grab(/the service takes (-?[0-9]+)% longer/m),
      },
      {
        name: 'poll trigger into committed runs',
        unit: 'records/s',
        higherIsBetter: true,
        read: grab(line('^\\s+poll trigger into committed runs\\s+# records/s')),
      },
      {
        name: 'undici reading the pages (baseline)',
        unit: 'records/s',
        higherIsBetter: true,
        read: grab(line('^\\s+undici loop reading the pages\\s+# records/s')),
        baseline: true,
      },
      CPU,
    ],
  },
};
