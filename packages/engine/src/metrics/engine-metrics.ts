/**
 * The engine's Prometheus metrics (`GET /metrics`), in a registry of its own so two engines in one
 * process do not share counters. Counters and the histogram are fed from the run events; `sluice_runs`
 * is counted from the store and `sluice_queue_depth` read from the engine on each scrape. prom-client
 * loads on first use, not with the package (`sluice run` imports the engine too and never serves it).
 *
 * Labels are bounded: a run status, an attempt outcome, and the workflow and step names.
 *
 * @module
 */
import type { Counter, Histogram, Registry } from 'prom-client';
import type { RunEvent } from '../executor/run-events.js';
import type { StatementTotals } from '../store/statement-counts.js';
import type { AttemptEntry, RunStatus } from '../store/store.js';

/** Where the gauges read from, on each scrape. */
export interface EngineMetricsSource {
  /** Runs queued or executing in this process. */
  queueDepth(): number;
  /** Runs in the store by status (all workspaces, all processes). */
  countRunsByStatus(): Promise<Record<RunStatus, number>>;
  /** SQL statements this process sent, by kind, when its store counts them. */
  statements?(): StatementTotals;
}

/** One scrape: the text exposition format and its content type. */
export interface MetricsScrape {
  contentType: string;
  text: string;
}

/** Item durations, in seconds: calls of a few ms up to retried calls of minutes. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface Instruments {
  registry: Registry;
  runsFinished: Counter<'status'>;
  itemDuration: Histogram<'workflow' | 'step'>;
  httpAttempts: Counter<'outcome'>;
  retries: Counter;
}

/** An HTTP attempt's outcome label: `2xx` ... `5xx`, or its error class (connect, read, timeout, other). */
export function attemptOutcome(entry: AttemptEntry): string {
  if (entry.status !== undefined) return `${Math.floor(entry.status / 100)}xx`;
  return entry.error ?? 'other';
}

/** Retries in an item's attempts: every attempt after the first that did not follow a redirect. */
export function retriesIn(history: readonly AttemptEntry[]): number {
  let retries = 0;
  for (let i = 1; i < history.length; i++) {
    const previous = history[i - 1]?.status;
    if (previous === undefined || !REDIRECTS.has(previous)) retries += 1;
  }
  return retries;
}

/**
 * The metrics of one engine: `sluice_runs_finished_total{status}`, `sluice_runs{status}`,
 * `sluice_step_item_duration_seconds{workflow,step}`, `sluice_http_attempts_total{outcome}`,
 * `sluice_retries_total`, `sluice_queue_depth`, `sluice_store_statements_total{kind}`, `sluice_store_commits_total`, and the default Node.js process metrics.
 */
export class EngineMetrics {
  readonly #source: EngineMetricsSource;
  #instruments: Instruments | undefined;
  #loading: Promise<Instruments> | undefined;
  /** Events seen while prom-client loads (the first run's first few). */
  #early: [RunEvent, string][] = [];
  #failed = false;

  constructor(source: EngineMetricsSource) {
    this.#source = source;
  }

  /** Records an event of a run of workflow `workflow` (its name). */
  observe(event: RunEvent, workflow: string): void {
    const instruments = this.#instruments;
    if (instruments === undefined) {
      // Kept only while prom-client loads; dropped if it cannot load (scrape() then fails with why).
      if (!this.#failed) this.#early.push([event, workflow]);
      void this.#load().catch(() => {
        this.#failed = true;
        this.#early = [];
      });
      return;
    }
    record(instruments, event, workflow);
  }

  /** Collects every metric (counting runs in the store) in the Prometheus text format. */
  async scrape(): Promise<MetricsScrape> {
    const { registry } = await this.#load();
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  #load(): Promise<Instruments> {
    this.#loading ??= import('prom-client').then((prom) => {
      const instruments = createInstruments(prom, this.#source);
      this.#instruments = instruments;
      for (const [event, workflow] of this.#early) record(instruments, event, workflow);
      this.#early = [];
      return instruments;
    });
    return this.#loading;
  }
}

function createInstruments(prom: typeof import('prom-client'), source: EngineMetricsSource): Instruments {
  const registry = new prom.Registry();
  const registers = [registry];
  prom.collectDefaultMetrics({ register: registry });
  new prom.Gauge({
    name: 'sluice_runs',
    help: 'Runs in the store by status (every workspace and process), counted at scrape time',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = await source.countRunsByStatus();
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  const statements = source.statements;
  if (statements !== undefined) {
    new prom.Counter({
      name: 'sluice_store_statements_total',
      help: 'SQL statements this process sent to the store: read, write, transaction (begin), other',
      labelNames: ['kind'],
      registers,
      collect() {
        const totals = statements();
        this.reset();
        this.inc({ kind: 'read' }, totals.reads);
        this.inc({ kind: 'write' }, totals.writes);
        this.inc({ kind: 'transaction' }, totals.transactions);
        this.inc({ kind: 'other' }, totals.other);
      },
    });
    new prom.Counter({
      name: 'sluice_store_commits_total',
      help: 'Transactions this process committed to the store (a commit, or a write outside a transaction)',
      registers,
      collect() {
        this.reset();
        this.inc(statements().commits);
      },
    });
  }
  new prom.Gauge({
    name: 'sluice_queue_depth',
    help: 'Runs queued or executing in this process',
    registers,
    collect() {
      this.set(source.queueDepth());
    },
  });
  return {
    registry,
    runsFinished: new prom.Counter({
      name: 'sluice_runs_finished_total',
      help: 'Runs that ended in this process, by status',
      labelNames: ['status'],
      registers,
    }),
    itemDuration: new prom.Histogram({
      name: 'sluice_step_item_duration_seconds',
      help: 'Time from the first attempt of a step item to its end (waits between retries included)',
      labelNames: ['workflow', 'step'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    httpAttempts: new prom.Counter({
      name: 'sluice_http_attempts_total',
      help: 'HTTP attempts of step items by outcome: 2xx to 5xx, or connect, read, timeout, other',
      labelNames: ['outcome'],
      registers,
    }),
    retries: new prom.Counter({
      name: 'sluice_retries_total',
      help: 'Attempts of step items that were retries (redirect hops not counted)',
      registers,
    }),
  };
}

function record(instruments: Instruments, event: RunEvent, workflow: string): void {
  if (event.type === 'run-finished') {
    instruments.runsFinished.inc({ status: event.status });
  } else if (event.type === 'item-finished') {
    if (event.durationMs !== undefined) {
      instruments.itemDuration.observe({ workflow, step: event.step }, event.durationMs / 1000);
    }
    const history = event.history ?? [];
    for (const entry of history) instruments.httpAttempts.inc({ outcome: attemptOutcome(entry) });
    const retries = retriesIn(history);
    if (retries > 0) instruments.retries.inc(retries);
  }
}
