/**
 * Runs workflows through the engine's public entry point against a real SQLite file in a temporary
 * folder, with an injected clock and a sleep that records each wait and advances the clock instead of
 * waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getRunRecord,
  openStore,
  type RunEvent,
  type RunOutcome,
  type RunRecord,
  type RunWorkflowOptions,
  runWorkflow,
  type SqlStore,
  TemplateRenderer,
  type Workflow,
} from '@sluice/engine';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type FlakyServer, startFlakyServer } from './flaky-server.js';

/** The fake clock's start. */
export const START = Date.parse('2024-05-01T12:00:00Z');

/** An engine set up for one test file. */
export interface Harness {
  store: SqlStore;
  file: string;
  /** The waits the retry loop asked for since the last `reset()`, in ms. */
  waits: number[];
  events: RunEvent[];
  /** Runs a workflow and reads its record back from the store. */
  run(
    workflow: Workflow,
    options?: Partial<RunWorkflowOptions>,
  ): Promise<{ outcome: RunOutcome; record: RunRecord }>;
  reset(): void;
  close(): Promise<void>;
}

/** A one-step GET workflow. */
export function oneStep(
  url: string,
  step: Partial<Workflow['steps'][number]> = {},
  fields: Partial<Workflow> = {},
): Workflow {
  return {
    name: 'test',
    scope: 'workspace',
    ...fields,
    steps: [{ name: 'call', apispec: { url, method: 'GET' }, ...step }],
  };
}

/** Opens a store in a temporary folder; `close()` removes it. */
export async function createHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-engine-'));
  const file = join(dir, 'runs.db');
  const store = await openStore({ file });
  const transport = createUndiciTransport();
  const renderer = new TemplateRenderer();
  let clock = START;
  const waits: number[] = [];
  const events: RunEvent[] = [];
  return {
    store,
    file,
    waits,
    events,
    async run(workflow, options = {}) {
      const outcome = await runWorkflow(workflow, {
        store: store.runs,
        renderer,
        transport,
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
        random: () => 0.5,
        onEvent: (event) => events.push(event),
        ...options,
      });
      return { outcome, record: await getRunRecord(store.runs, outcome.id) };
    },
    reset() {
      waits.length = 0;
      events.length = 0;
      clock = START;
    },
    async close() {
      await renderer.close();
      await transport.close?.();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Declares, for the tests of the enclosing file, a loopback {@link FlakyServer} and a {@link Harness}
 * (started once, closed after the last test, the harness reset before each test unless `reset: false`),
 * handed to `ready` once they exist.
 */
export function useEngineHarness(
  ready: (server: FlakyServer, engine: Harness) => void,
  options: { reset?: boolean } = {},
): void {
  let server: FlakyServer | undefined;
  let engine: Harness | undefined;
  beforeAll(async () => {
    server = await startFlakyServer();
    engine = await createHarness();
    ready(server, engine);
  });
  afterAll(async () => {
    await engine?.close();
    await server?.close();
  });
  if (options.reset !== false) beforeEach(() => engine?.reset());
}
