/**
 * Runs a differential case as the engine does: a one-step Mason workflow whose `http` step has the case's
 * request and its `retry:` block, on a real SQLite store, with a fixed clock and a sleep that records each
 * wait (no wait is long enough to be stored as a resume time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getRunRecord,
  openStore,
  runWorkflow,
  type SqlStore,
  TemplateRenderer,
  type Workflow,
} from '@sluice/engine';
import type { HttpTransport } from '@sluice/sdk/internal';
import type { RetryCase } from './cases.js';

/** What the engine did for a case: the waits, the attempts and the step's end, as its record says. */
export interface EngineObserved {
  sleeps: number[];
  attempts: number;
  /** The step's status, with its output's status code or its error's type and status. */
  step: { status: string; httpStatus?: number; error?: { type: string; status?: number } };
}

export interface EngineRunner {
  run(c: RetryCase, url: string, now: number): Promise<EngineObserved>;
  close(): Promise<void>;
}

/** Opens a store in a temporary folder; `close()` removes it. */
export async function startEngineRunner(transport: HttpTransport): Promise<EngineRunner> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-urllib3-'));
  const store: SqlStore = await openStore({ file: join(dir, 'runs.db') });
  const renderer = new TemplateRenderer();
  return {
    async run(c, url, now) {
      const sleeps: number[] = [];
      const workflow: Workflow = {
        name: 'urllib3-case',
        scope: 'workspace',
        steps: [
          {
            name: 'call',
            apispec: {
              url,
              method: c.method,
              ...(c.headers === undefined ? {} : { headers: c.headers }),
              ...(c.body === undefined ? {} : { data: c.body }),
              timeout: c.timeout ?? 10,
            },
            retry: c.retry as never,
          },
        ],
      };
      const outcome = await runWorkflow(workflow, {
        store: store.runs,
        renderer,
        transport,
        now: () => now * 1000,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        longWaitMs: Number.MAX_SAFE_INTEGER,
      });
      const record = await getRunRecord(store.runs, outcome.id);
      const step = record.steps[0] as unknown as {
        status: string;
        attempts: number;
        history: { status?: number }[];
        error?: { type: string; status?: number };
      };
      const last = step.history.at(-1)?.status;
      return {
        sleeps,
        attempts: step.attempts,
        step: {
          status: step.status,
          ...(last === undefined ? {} : { httpStatus: last }),
          ...(step.error == null
            ? {}
            : {
                error: {
                  type: step.error.type,
                  ...(step.error.status === undefined ? {} : { status: step.error.status }),
                },
              }),
        },
      };
    },
    async close() {
      await renderer.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
