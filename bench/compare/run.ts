/**
 * Before/after: runs a benchmark against two builds in the same run, interleaved, and prints the
 * median of each figure per build side by side with the difference in %.
 *
 * The two builds: a git worktree of `--base` (default 693e2a3, the engine before issue 13's refactor) at
 * `/tmp/sluice-bench-base-<rev>`, and a snapshot of this repository's working tree at
 * `/tmp/sluice-bench-current` (so edits made here meanwhile do not change what is measured; `--in-place`
 * measures this repository as it is). Each is installed (symlinks to this repository's `node_modules`
 * when the lockfiles pin the same third-party packages, else `npm ci`) and built with its own
 * `npm run build`. Each round runs each tree's own `bench/<name>/run.ts` as a whole (a child process that
 * imports that tree's built `dist` packages, as `npm run bench:<name>` does) and reads the figures it
 * prints; the order of the two trees alternates every round (A B, B A, A B, ...).
 *
 * Usage: `npx tsx bench/compare/run.ts [--bench engine] [--bench service] [--rounds 5] [--base 693e2a3]`.
 * See bench/README.md, "Before/after a change".
 *
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCHES, type Bench } from './figures.js';
import { baseTree, inPlaceTree, snapshotTree, type Tree } from './trees.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string', default: '693e2a3' },
    bench: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '5' },
    'engine-args': { type: 'string' },
    'service-args': { type: 'string' },
    'throughput-args': { type: 'string' },
    current: { type: 'string' },
    'in-place': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '600' },
    'build-tries': { type: 'string', default: '3' },
    'retry-after': { type: 'string', default: '120' },
    'log-dir': { type: 'string' },
  },
});

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

const ROUNDS = Number(flags.rounds);
const TIMEOUT_MS = Number(flags.timeout) * 1000;
const names = flags.bench ?? ['engine', 'service'];
const benches: Bench[] = names.map((name) => {
  const bench = BENCHES[name];
  if (bench === undefined)
    throw new Error(`unknown --bench ${name} (known: ${Object.keys(BENCHES).join(', ')})`);
  return bench;
});
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a positive integer');
const argsOf = (bench: Bench): string[] => {
  const given = (flags as Record<string, unknown>)[`${bench.name}-args`];
  return typeof given === 'string' ? given.split(/\s+/).filter((arg) => arg !== '') : bench.defaultArgs;
};
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const logDir = flags['log-dir'] ?? `/tmp/sluice-bench-compare/${stamp}`;
mkdirSync(logDir, { recursive: true });

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * The CPU seconds (user + system) of this process's reaped children, and theirs (Linux:
 * `/proc/self/stat` cutime and cstime). The benchmark runs one at a time and Node reaps every child it
 * spawns, so the change across one run is the CPU time of its whole process tree: the script, the API
 * servers and CLI processes it starts, and their worker threads. A fixed amount of work, so it moves
 * less with the machine's load than the wall-clock figures do.
 */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND; // cutime, cstime (16th, 17th)
}

/** The process group of the benchmark running now: stopped with this process on Ctrl-C. */
let running: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    try {
      if (running !== undefined) process.kill(-running, 'SIGKILL');
    } finally {
      process.exit(130);
    }
  });
}

/** Runs `bench`'s own script in `tree`; resolves its whole output (stdout and stderr). */
function runOnce(bench: Bench, tree: Tree, logFile: string): Promise<{ output: string; seconds: number }> {
  const started = performance.now();
  const cpuBefore = childrenCpuSeconds();
  return new Promise((resolve, reject) => {
    const child = spawn(join(tree.dir, 'node_modules/.bin/tsx'), [bench.script, ...argsOf(bench)], {
      cwd: tree.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout stops its children too
    });
    running = child.pid;
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    const timer = setTimeout(() => {
      output += `\n[compare] timed out after ${TIMEOUT_MS / 1000} s\n`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      running = undefined;
      writeFileSync(logFile, output);
      if (code !== 0) {
        reject(new Error(`${bench.script} in ${tree.dir} exited with ${code}; output in ${logFile}`));
        return;
      }
      const cpu = childrenCpuSeconds() - cpuBefore;
      resolve({
        output: `${output}\n[compare] cpu ${cpu.toFixed(2)} s\n`,
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const fmt = (value: number): string =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
const pct = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
say(`bench/compare: ${names.join(', ')}; ${ROUNDS} rounds per build, interleaved; ${machine}`);
say(
  `started ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
say(`logs of every run: ${logDir}`);

/**
 * The working tree is edited by others while this runs: when the snapshot does not build, wait
 * `--retry-after` seconds and take a new one, `--build-tries` times in all.
 */
async function snapshotWithRetries(): Promise<Tree> {
  const tries = Number(flags['build-tries']);
  for (let attempt = 1; ; attempt++) {
    try {
      return await snapshotTree(REPO, say);
    } catch (error) {
      if (attempt >= tries) throw error;
      say(`[current] ${(error as Error).message}; trying again in ${flags['retry-after']} s`);
      await new Promise((resolve) => setTimeout(resolve, Number(flags['retry-after']) * 1000));
    }
  }
}

const [base, current] = await Promise.all([
  baseTree(REPO, flags.base, say, flags.rebuild),
  flags.current !== undefined
    ? Promise.resolve<Tree>({ label: 'current', dir: flags.current, describe: `${flags.current}, as it is` })
    : flags['in-place']
      ? inPlaceTree(REPO, say, !flags['no-build'])
      : snapshotWithRetries(),
]);
say(`before: ${base.label}: ${base.describe}`);
say(`after:  ${current.label}: ${current.describe}`);

const markdown: string[] = [];
for (const bench of benches) {
  const values = new Map<Tree, number[][]>([
    [base, bench.figures.map(() => [])],
    [current, bench.figures.map(() => [])],
  ]);
  say('');
  say(`== ${bench.script} ${argsOf(bench).join(' ')}`.trimEnd());
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [base, current] : [current, base];
    for (const tree of order) {
      const side = tree === base ? 'base' : 'current';
      const { output, seconds } = await runOnce(
        bench,
        tree,
        join(logDir, `${bench.name}-${round + 1}-${side}.log`),
      );
      const read = bench.figures.map((figure) => figure.read(output));
      const missing = bench.figures.filter((_, i) => read[i] === undefined).map((figure) => figure.name);
      if (missing.length > 0)
        throw new Error(`${bench.name} in ${tree.dir}: no figure for ${missing.join(', ')}`);
      read.forEach((value, i) => {
        values.get(tree)?.[i]?.push(value as number);
      });
      const shown = bench.figures
        .map((figure, i) => ({ figure, value: read[i] as number }))
        .filter((_, i) => i < 2 || i === bench.figures.length - 1)
        .map(({ figure, value }) => `${fmt(value)} ${figure.unit}`)
        .join(', ');
      say(
        `  round ${round + 1} ${side.padEnd(7)} ${shown}  (${seconds.toFixed(0)} s, load ${loadavg()[0]?.toFixed(1)})`,
      );
    }
  }
  say(
    `${bench.name}: median of ${ROUNDS} rounds per build (min to max in brackets); change: of the medians; paired: median of the rounds' own changes; after better: in how many rounds`,
  );
  const width = Math.max(...bench.figures.map((figure) => figure.name.length + figure.unit.length + 3));
  say(
    `  ${'figure'.padEnd(width)} ${'before'.padStart(24)} ${'after'.padStart(24)}   ${'change'.padStart(8)}  ${'paired'.padStart(8)}  after better`,
  );
  markdown.push(
    `| ${bench.name} | before (${base.label}) | after (${current.label}) | change | paired | after better |`,
    '|---|---|---|---|---|---|',
  );
  bench.figures.forEach((figure, i) => {
    const before = values.get(base)?.[i] ?? [];
    const after = values.get(current)?.[i] ?? [];
    const [b, a] = [median(before), median(after)];
    const range = (list: number[]) => `${fmt(Math.min(...list))}-${fmt(Math.max(...list))}`;
    // A change in a ratio figure (%) is shown in points, the others relative to the base.
    const points = figure.unit === '%';
    const diff = (from: number, to: number) => (points ? to - from : (to / from - 1) * 100);
    const show = (d: number) => (points ? `${d >= 0 ? '+' : ''}${d.toFixed(1)} pt` : pct(d));
    const change = show(diff(b, a));
    // Paired: the change within each round (the two builds ran next to each other), then its median.
    const perRound = before.map((from, r) => diff(from, after[r] as number));
    const paired = show(median(perRound));
    const wins = before.filter((from, r) =>
      figure.higherIsBetter ? (after[r] as number) > from : (after[r] as number) < from,
    ).length;
    const better = figure.higherIsBetter ? a > b : a < b;
    const overlap = Math.min(...before) <= Math.max(...after) && Math.min(...after) <= Math.max(...before);
    const verdict = figure.baseline
      ? 'baseline: noise only'
      : ROUNDS < 2
        ? 'one round: no spread to judge by'
        : overlap
          ? "within the rounds' spread"
          : better
            ? 'better'
            : 'WORSE';
    const cell = (m: number, list: number[]) => `${fmt(m)} (${range(list)})`;
    say(
      `  ${`${figure.name} (${figure.unit})`.padEnd(width)} ${cell(b, before).padStart(24)} ${cell(a, after).padStart(24)}   ${change.padStart(8)}  ${paired.padStart(8)}  ${`${wins}/${ROUNDS}`.padStart(5)}  ${verdict}`,
    );
    markdown.push(
      `| ${figure.name} (${figure.unit}) | ${fmt(b)} (${range(before)}) | ${fmt(a)} (${range(after)}) | ${change} | ${paired} | ${wins}/${ROUNDS} |`,
    );
  });
  markdown.push('');
}
say('');
say(
  `finished ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
say('');
say(`As markdown (${machine}, ${new Date().toISOString().slice(0, 10)}):`);
say('');
for (const row of markdown) say(row);
