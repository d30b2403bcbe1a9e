/**
 * Cold start of `sluice run`: the built CLI as users run it (the `sluice` bin, `packages/cli/bin/sluice.js`,
 * which loads the bundle of `npm run build`) running a one-step workflow (one GET of a local API, its URL
 * templated from `SYSTEM_APIS`), process start to exit, against `node -e` making the same request with
 * undici's `request()` and reading the body. Interleaved rounds, the order flipping each round; each
 * side's wall time (spawn to exit, measured here) and CPU time (user + system of the child, all its
 * threads, to its end: bash's `times` after it; also, as before, what a `--require` preload read at
 * `exit`, which misses work done after that event). `node -e 0` is the floor. Every side runs the same
 * way (bash, the preload).
 *
 * Usage: `npm run bench:cold-start [-- --rounds 15 --warmup 2 --prof <dir> --cli <file>]`; `--prof` also
 * writes one `--cpu-prof` profile of the CLI side into `<dir>`; `--cli` times another entry file instead of
 * the bin (`packages/cli/dist/main.js`: the CLI unbundled). See bench/README.md.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startChildServer } from '../child-server.js';

/** `sluice run` may cost at most this multiple of the undici one-liner, in CPU and in wall time. */
const TARGET_RATIO = 1.5;
const TOKEN = 'my-app-secret-token';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    /** Writes a CPU profile of one CLI run into this folder. */
    prof: { type: 'string' },
    /** The CLI entry to time instead of the bin. */
    cli: { type: 'string' },
  },
});
const ROUNDS = Number(flags.rounds);
const WARMUP = Number(flags.warmup);

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

const REPO = resolve(import.meta.dirname, '../..');
const CLI = resolve(flags.cli ?? join(REPO, 'packages/cli/bin/sluice.js'));
const UNDICI = createRequire(import.meta.url).resolve('undici');

interface Sample {
  /** Spawn to exit, in ms, as this process sees it. */
  wallMs: number;
  /** The child's user + system CPU time, in ms, all its threads, to its very end. */
  cpuMs: number;
  /** The same as `process.cpuUsage()` saw it at the `exit` event (what this benchmark measured before). */
  cpuAtExitMs: number;
}

type Side = 'sluice' | 'undici' | 'floor';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-cold-start-'));
const preload = join(dir, 'cpu-at-exit.cjs');
const cpuFile = join(dir, 'cpu.json');
writeFileSync(
  preload,
  `'use strict';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeFileSync(process.env.COLD_START_CPU_FILE, JSON.stringify({ user, system }));
});
`,
);
const workflow = join(dir, 'one-step.yaml');
writeFileSync(
  workflow,
  `name: cold-start
steps:
  - name: customer
    apispec:
      url: "{{ SYSTEM_APIS.api }}/v1/customers.json"
      method: get
      params: { api_token: ${TOKEN}, id: 1 }
`,
);

/**
 * The child's whole CPU time, from bash's `times` (its children's user and system time, as `wait4`
 * reports them): unlike `process.cpuUsage()` at `exit`, it counts what runs after the `exit` event,
 * such as V8 background threads still compiling that `process.exit()` waits for.
 */
function childCpuMs(stderr: string): number {
  const lines = [...stderr.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)];
  const children = lines.at(-1);
  if (children === undefined) throw new Error(`no times line in: ${stderr}`);
  const [, um, us, sm, ss] = children.map(Number) as [number, number, number, number, number];
  return (um * 60 + us + sm * 60 + ss) * 1000;
}

/**
 * Spawns `node <args>` (through bash, for `times`) in the temporary folder and resolves its wall and CPU
 * time; rejects on a non-zero exit.
 */
function time(args: readonly string[], extraNodeArgs: readonly string[] = []): Promise<Sample> {
  rmSync(cpuFile, { force: true });
  return new Promise((done, fail) => {
    const started = performance.now();
    const node = [process.execPath, ...extraNodeArgs, '--require', preload, ...args];
    const child = spawn('bash', ['-c', '"$@"; status=$?; times >&2; exit $status', 'cold-start', ...node], {
      cwd: dir,
      env: { ...process.env, COLD_START_CPU_FILE: cpuFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', fail);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) {
        fail(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`));
        return;
      }
      const { user, system } = JSON.parse(readFileSync(cpuFile, 'utf8')) as { user: number; system: number };
      done({ wallMs, cpuMs: childCpuMs(stderr), cpuAtExitMs: (user + system) / 1000 });
    });
  });
}

const api = await startChildServer(new URL('../sdk/api-server.ts', import.meta.url), ['25']);
try {
  const url = `${api.url}/v1/customers.json?api_token=${TOKEN}&id=1`;
  const commands: Record<Side, readonly string[]> = {
    sluice: [CLI, 'run', workflow, '--system-apis', JSON.stringify({ api: api.url })],
    undici: [
      '-e',
      `require(${JSON.stringify(UNDICI)}).request(${JSON.stringify(url)}).then(async (r) => { await r.body.text(); if (r.statusCode !== 200) process.exitCode = 1; })`,
    ],
    floor: ['-e', '0'],
  };

  say(`cold start: sluice run of a one-step workflow vs node -e with one undici request (${api.url})`);
  say(`  sluice = node ${relative(REPO, CLI)}`);
  say(
    "  CPU = the child's user+system time, all threads, to its end (bash's times; at exit = at the exit event)",
  );
  say('  wall = spawn to exit, from this process (through bash, for every side)');
  for (let i = 0; i < WARMUP; i++) {
    await time(commands.sluice);
    await time(commands.undici);
  }
  const samples: Record<Side, Sample[]> = { sluice: [], undici: [], floor: [] };
  const fmt = (s: Sample): string =>
    `${s.cpuMs.toFixed(0).padStart(4)} ms CPU ${s.wallMs.toFixed(0).padStart(4)} ms wall`;
  for (let round = 0; round < ROUNDS; round++) {
    const order: Side[] = round % 2 === 0 ? ['sluice', 'undici', 'floor'] : ['floor', 'undici', 'sluice'];
    const got: Partial<Record<Side, Sample>> = {};
    for (const side of order) {
      const sample = await time(commands[side]);
      samples[side].push(sample);
      got[side] = sample;
    }
    say(
      `round ${String(round + 1).padStart(2)}: sluice run ${fmt(got.sluice as Sample)} | undici ${fmt(got.undici as Sample)} | node -e 0 ${fmt(got.floor as Sample)}`,
    );
  }
  const med = (side: Side, key: keyof Sample): number => median(samples[side].map((s) => s[key]));
  say('');
  say(`medians over ${ROUNDS} rounds (after ${WARMUP} warm-ups):`);
  for (const side of ['sluice', 'undici', 'floor'] as const) {
    const label = { sluice: 'sluice run', undici: 'node -e undici', floor: 'node -e 0' }[side];
    say(
      `  ${label.padEnd(15)} ${med(side, 'cpuMs').toFixed(0).padStart(4)} ms CPU ${med(side, 'wallMs').toFixed(0).padStart(4)} ms wall (CPU at exit ${med(side, 'cpuAtExitMs').toFixed(0)} ms)`,
    );
  }
  for (const key of ['cpuMs', 'wallMs'] as const) {
    const ratio = med('sluice', key) / med('undici', key);
    say(
      `  ratio ${key === 'cpuMs' ? 'CPU ' : 'wall'} sluice/undici: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x): ${
        ratio <= TARGET_RATIO ? 'within target' : 'ABOVE TARGET'
      }`,
    );
  }

  if (flags.prof !== undefined) {
    const profDir = resolve(flags.prof);
    await time(commands.sluice, ['--cpu-prof', '--cpu-prof-dir', profDir]);
    say(`\nCPU profile of one sluice run written to ${profDir}`);
  }
} finally {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
