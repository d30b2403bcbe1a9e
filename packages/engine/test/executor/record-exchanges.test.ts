/**
 * `recordExchanges: false` (a workspace whose `attempt_retention_days` is 0): the steps build no record of
 * their requests and responses, for HTTP steps (retries and fan-out included) and connector actions; the
 * attempts themselves are kept. The default records them.
 */
import type { Workflow } from '@sluice/engine';
import { defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import type { ActionSource } from '../../src/steps/action-source.js';
import { type Harness, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});

/** One connector whose action makes two requests to the test server. */
function actionsOn(origin: string): ActionSource {
  const connector = defineConnector({
    title: 'Echo',
    connection: { fields: [], baseUri: () => origin },
    actions: {
      twice: {
        execute: async ({ http }) => {
          await http.get('/action?n=1');
          return http.get('/action?n=2');
        },
      },
    },
  });
  return {
    connector: () => connector,
    open: async () => ({ connector, connectorName: 'echo', values: {} }),
  };
}

function workflow(): Workflow {
  return {
    name: 'exchanges',
    scope: 'workspace',
    default_retry: { total: 1, backoff_factor: 0, status_forcelist: [503] },
    steps: [
      { name: 'retried', apispec: { url: server.url('/flaky'), method: 'GET' } },
      { name: 'fanned', input: [1, 2], apispec: { url: server.url('/ok'), method: 'GET' } },
      { name: 'action', action: 'echo.twice' },
    ],
  };
}

/** Every attempt of every call of the run (single calls too), with its exchanges, read back from the SQLite file. */
async function storedAttempts(runId: string) {
  const items = await engine.store.runs.listStepItems(runId, { exchanges: true });
  return items.flatMap((item) => item.history);
}

describe('recordExchanges', () => {
  const script = () => {
    server.script('/flaky', [{ status: 503 }, { status: 200, body: { ok: 1 } }]);
    server.script('/ok', [{ status: 200, body: { ok: 2 } }]);
    server.script('/action', [{ status: 200, body: { ok: 3 } }]);
  };

  it('records every request and response by default', async () => {
    script();
    const { outcome } = await engine.run(workflow(), { actions: actionsOn(server.origin) });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'succeeded' });
    const attempts = await storedAttempts(outcome.id);
    // 2 attempts of the retried call, 1 per fanned-out item, 1 action call of 2 requests.
    expect(attempts).toHaveLength(5);
    expect(attempts.map((a) => a.exchanges?.length)).toEqual([1, 1, 1, 1, 2]);
    expect(attempts.flatMap((a) => a.exchanges ?? []).map((e) => e.request.url)).toEqual(
      expect.arrayContaining([server.url('/flaky'), server.url('/action?n=1'), server.url('/action?n=2')]),
    );
  });

  it('with false, records none, and keeps the attempts and the outputs', async () => {
    script();
    const { outcome, record } = await engine.run(workflow(), {
      actions: actionsOn(server.origin),
      recordExchanges: false,
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'succeeded' });
    const attempts = await storedAttempts(outcome.id);
    expect(attempts).toHaveLength(5);
    expect(attempts.every((a) => a.exchanges === undefined)).toBe(true);
    // The retried call's two attempts, one per item, the action's (no HTTP status of its own).
    expect(attempts.map((a) => a.status)).toEqual([503, 200, 200, 200, undefined]);
    expect(record.steps.map((s) => s.output)).toEqual([{ ok: 1 }, [{ ok: 2 }, { ok: 2 }], { ok: 3 }]);
    // The calls were made all the same.
    expect(server.count('/flaky')).toBe(2);
    expect(server.count('/action')).toBe(2);
  });
});
