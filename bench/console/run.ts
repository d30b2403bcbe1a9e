/**
 * Console benchmark (issue 7): what the web console costs to load.
 *
 * 1. **Bundle size**: each built `.js`/`.css` of `packages/console/dist/assets`, raw and gzipped
 *    (level 9, computed here), first page or later; the first page's gzipped JS against a 200 KB budget.
 *    No browser needed.
 * 2. **Time to the runs list** with each of `--runs` (1,000 then 10,000) finished runs in one SQLite
 *    store (seeded to the first size, measured, then seeded up to the next), served by the engine's API in
 *    this process: `--loads` (10) cold loads (new browser context) and warm reloads of `/#/runs` in
 *    Chromium until the first row is visible, beside a bare Fastify page that fetches the same 50-run JSON
 *    page and renders it as a table (the baseline); and `GET /v1/runs?limit=50` alone, `--calls` (100)
 *    times, beside the same JSON from the bare Fastify server. Then one line per figure comparing the
 *    sizes: a list that counted or scanned all runs would be slower with more.
 *
 * Usage: `npm run bench:console [-- --runs 1000,10000 --loads 10 --calls 100]`. See bench/README.md.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { Agent, request } from 'undici';
import { launchChromium } from '../../packages/console/test/chromium.js';
import { startBaselineServer } from './baseline-server.js';
import { measureBundle } from './bundle-size.js';
import { emptyLoads, loadTwice, type PageLoads } from './page-load.js';
import { type SeededService, startSeededService } from './seeded-service.js';

const BUILT_CONSOLE = fileURLToPath(new URL('../../packages/console/dist', import.meta.url));
const BUDGET_BYTES = 200 * 1024;
const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000,10000' },
    loads: { type: 'string', default: '10' },
    calls: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '50' },
  },
});
const SIZES = flags.runs
  .split(',')
  .map((size) => Number(size.trim()))
  .sort((a, b) => a - b);
if (SIZES.some((size) => !Number.isInteger(size) || size < 1)) {
  throw new Error(`--runs ${flags.runs}: give run counts separated by commas, like 1000,10000`);
}
const LOADS = Number(flags.loads);
const CALLS = Number(flags.calls);
const IN_FLIGHT = Number(flags['in-flight']);

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);
const bytes = (n: number) => n.toLocaleString('en-US');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Nearest rank: the smallest value with at least `p`% of the values at or below it. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** `median / p90`, in a column 13 wide. */
const figure = (values: readonly number[], digits = 0) =>
  `${median(values).toFixed(digits)} / ${percentile(values, 90).toFixed(digits)}`.padStart(13);

function printBundle(): void {
  const files = measureBundle(BUILT_CONSOLE);
  say('bundle: packages/console/dist/assets (gzip level 9, computed here)');
  say(
    `  ${'file'.padEnd(28)} ${'loaded by'.padEnd(12)} ${'raw bytes'.padStart(10)} ${'gzipped'.padStart(10)}`,
  );
  for (const file of files) {
    say(
      `  ${file.name.padEnd(28)} ${(file.firstPage ? 'first page' : 'later').padEnd(12)} ${bytes(file.raw).padStart(10)} ${bytes(file.gzip).padStart(10)}`,
    );
  }
  const sum = (pick: (f: (typeof files)[number]) => boolean) =>
    files.filter(pick).reduce((total, f) => total + f.gzip, 0);
  const firstJs = sum((f) => f.firstPage && f.kind === 'js');
  say(
    `  first page JS gzipped: ${kb(firstJs)} (${bytes(firstJs)} bytes) against a budget of ${kb(BUDGET_BYTES)}: ${
      firstJs <= BUDGET_BYTES ? 'within budget' : 'OVER budget'
    }`,
  );
  say(
    `  first page CSS gzipped: ${kb(sum((f) => f.firstPage && f.kind === 'css'))}; loaded later (gzipped): ${kb(sum((f) => !f.firstPage))}`,
  );
}

/** `count` sequential GETs of `url` after 10 unmeasured ones; each answer read whole. */
async function timeGets(agent: Agent, url: string, headers: Record<string, string>, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count + 10; i++) {
    const start = performance.now();
    const { statusCode, body } = await request(url, { dispatcher: agent, headers });
    await body.text();
    if (statusCode !== 200) throw new Error(`GET ${url}: ${statusCode}`);
    if (i >= 10) times.push(performance.now() - start);
  }
  return times;
}

say(`console benchmark (Node ${process.version})`);
printBundle();

/** The figures of one store size. */
interface SizeFigures {
  runs: number;
  console: PageLoads;
  baseline: PageLoads;
  api: number[];
  bare: number[];
}

const row = (label: string, l: PageLoads) =>
  say(
    `  ${label.padEnd(30)} ${[l.coldWall, l.coldInPage, l.warmWall, l.warmInPage].map((v) => figure(v)).join(' ')}`,
  );

/** Measures the page and the API call with the store as it is now. */
async function measure(browser: Browser, service: SeededService, runs: number): Promise<SizeFigures> {
  const runsPage = await service.call('GET', '/v1/runs?limit=50');
  const shown = (JSON.parse(runsPage) as { runs: unknown[] }).runs.length;
  if (shown !== Math.min(50, runs)) throw new Error(`GET /v1/runs?limit=50 gave ${shown} runs`);
  const baseline = await startBaselineServer(runsPage);
  try {
    const consoleUrl = `${service.url}/#/runs`;
    const baselineUrl = `${baseline.url}/`;
    await loadTwice(browser, consoleUrl, service.key);
    await loadTwice(browser, baselineUrl, service.key);
    const loads = { console: emptyLoads(), baseline: emptyLoads() };
    // Alternate the two sides, so drift over time (JIT, other load on the machine) hits both alike.
    for (let i = 0; i < LOADS; i++) {
      await loadTwice(browser, consoleUrl, service.key, loads.console);
      await loadTwice(browser, baselineUrl, service.key, loads.baseline);
    }
    say(
      `time to the first visible runs row with ${bytes(runs)} runs, ${LOADS} loads each, ms (median / p90):`,
    );
    say(
      `  ${''.padEnd(30)} ${['cold wall', 'cold in-page', 'warm wall', 'warm in-page'].map((h) => h.padStart(13)).join(' ')}`,
    );
    row('console /#/runs', loads.console);
    row('bare Fastify page (baseline)', loads.baseline);

    const api = await timeGets(
      agent,
      `${service.url}/v1/runs?limit=50`,
      { authorization: `Bearer ${service.key}`, accept: 'application/json' },
      CALLS,
    );
    const bare = await timeGets(agent, `${baseline.url}/runs.json`, {}, CALLS);
    say(`one runs page alone with ${bytes(runs)} runs, ${CALLS} sequential calls, ms (median / p90):`);
    say(`  ${'GET /v1/runs?limit=50'.padEnd(30)} ${figure(api, 2)}`);
    say(`  ${'the same JSON, bare Fastify'.padEnd(30)} ${figure(bare, 2)}`);
    return { runs, console: loads.console, baseline: loads.baseline, api, bare };
  } finally {
    await baseline.close();
  }
}

/** One line per figure: its median at each size, and the largest against the smallest. */
function compare(sizes: readonly SizeFigures[]): void {
  const first = sizes[0];
  const last = sizes.at(-1);
  if (first === undefined || last === undefined || sizes.length < 2) return;
  say(`the sizes side by side, medians in ms (${sizes.map((s) => `${bytes(s.runs)} runs`).join(' / ')}):`);
  const line = (label: string, pick: (s: SizeFigures) => readonly number[], digits = 0) => {
    const medians = sizes.map((s) => median(pick(s)));
    const ratio = (medians.at(-1) ?? Number.NaN) / (medians[0] ?? Number.NaN);
    say(
      `  ${label.padEnd(30)} ${medians.map((m) => m.toFixed(digits).padStart(8)).join(' ')}   ${bytes(last.runs)} / ${bytes(first.runs)}: ${ratio.toFixed(2)}x`,
    );
  };
  line('console cold, in-page', (s) => s.console.coldInPage);
  line('console warm, in-page', (s) => s.console.warmInPage);
  line('baseline warm, in-page', (s) => s.baseline.warmInPage);
  line('GET /v1/runs?limit=50', (s) => s.api, 2);
}

let browser: Browser | undefined;
let service: SeededService | undefined;
const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
try {
  try {
    browser = await launchChromium();
  } catch (err) {
    say(`time to the runs list: not measured, ${(err as Error).message}`);
    process.exitCode = 1;
  }
  if (browser !== undefined) {
    const figures: SizeFigures[] = [];
    let seeded = 0;
    for (const size of SIZES) {
      let seedMs: number;
      if (service === undefined) {
        service = await startSeededService({ runs: size, inFlight: IN_FLIGHT, console: BUILT_CONSOLE });
        seedMs = service.seedMs;
      } else {
        seedMs = await service.seedMore(size - seeded);
      }
      say(
        `${bytes(size)} finished runs (2 GET steps each) in the store, ${bytes(size - seeded)} of them started through the API now, ${IN_FLIGHT} in flight, in ${(seedMs / 1000).toFixed(1)} s; Chromium ${browser.version()}`,
      );
      seeded = size;
      figures.push(await measure(browser, service, size));
    }
    compare(figures);
  }
} finally {
  await browser?.close();
  await agent.close();
  await service?.close();
}
