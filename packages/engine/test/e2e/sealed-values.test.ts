/**
 * Secrets survive a resume: the store keeps run values redacted, and where redaction changed one
 * (`INPUT`, a step's or an item's output) the engine also stores the unredacted value sealed with its
 * secret key, and opens it when the run resumes. So a run stopped mid-run (the engine closes with a
 * checkpoint, as after a crash) and resumed by another engine on the same database and key sends the
 * real secret, while its record still shows `[redacted]` and the database holds no secret in clear. A
 * resume with another key fails the run with `SLUICE_SECRET_KEY`, and the engine goes on serving.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type ApiCaller,
  createEngine,
  type Engine,
  getRunRecord,
  parseWorkflow,
  type ServiceStore,
  type StoredWorkflow,
} from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.js';
import { DIALECTS, type Dialect, type TestDatabase } from '../store/dialects.js';

const caller: ApiCaller = { id: 'a@acme.test', email: 'a@acme.test', workspace_id: 'acme', role: 'member' };
const TOKEN = 'tok-live-5c81e0d94b2a';
const ITEM_TOKEN = 'itm-secret-9e2d7a41c3';

let db: TestDatabase;
let server: FlakyServer;
const engines: Engine[] = [];

function engineOn(store: ServiceStore, secretKey: Buffer): Engine {
  const engine = createEngine({ store, secretKey, closeGraceMs: 0, sweepMs: 5 });
  engines.push(engine);
  return engine;
}

async function publish(store: ServiceStore, steps: object[]): Promise<StoredWorkflow> {
  const document = await parseWorkflow(
    JSON.stringify({ name: 'sealed', default_retry: { total: 0 }, steps }),
  );
  return store.workflows.publish({
    uid: 'wf',
    workspace_id: 'acme',
    user_id: caller.email,
    document,
    at: new Date().toISOString(),
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

/** Every value of the run tables as text, and on SQLite the bytes of the database files too. */
async function storedBytes(dialect: Dialect): Promise<string[]> {
  const rows = await Promise.all(
    ['runs', 'run_steps', 'run_step_items'].map((table) => db.query(`select * from ${table}`)),
  );
  const texts = [JSON.stringify(rows)];
  if (dialect.name === 'sqlite') {
    const dir = dirname(db.where);
    for (const file of readdirSync(dir)) texts.push(readFileSync(join(dir, file)).toString('latin1'));
  }
  return texts;
}

/** A run of two steps, the second in flight (hanging) when the first engine closes. */
async function stopMidRun(
  key: Buffer,
  steps: object[],
  input: unknown,
  inFlight: string,
): Promise<{ id: string; stored: StoredWorkflow }> {
  const store = await db.open();
  const stored = await publish(store, steps);
  server.script(inFlight, [{ hang: true }]);
  const first = engineOn(store, key);
  await first.start();
  const id = await first.startRun(stored, input, caller);
  await until(() => server.count(inFlight) > 0);
  await first.close();
  return { id, stored };
}

for (const dialect of DIALECTS) {
  describe.skipIf(dialect.skip)(`sealed run values on ${dialect.name}`, () => {
    beforeEach(async () => {
      db = await dialect.setup();
      server = await startFlakyServer();
    });
    afterEach(async () => {
      for (const engine of engines.splice(0).reverse()) await engine.close();
      await server.close();
      await db.teardown();
    });

    it('resumes with the real INPUT.token in a header; the record shows it redacted, the database holds it sealed', async () => {
      const key = randomBytes(32);
      server.script('/first', [{ status: 200, body: { ok: true } }]);
      const steps = [
        { name: 'first', apispec: { url: server.url('/first') } },
        {
          name: 'second',
          apispec: { url: server.url('/second'), headers: { 'x-token': '{{ INPUT.token }}' } },
        },
      ];
      const { id } = await stopMidRun(key, steps, { token: TOKEN, account: 'acme-1' }, '/second');
      // The fresh run read its input back from the sealed copy too.
      expect(server.requests('/second')[0]?.headers['x-token']).toBe(TOKEN);

      server.script('/second', [{ status: 200, body: { ok: 2 } }]);
      const store = await db.open();
      const next = engineOn(store, Buffer.from(key));
      expect(await next.start()).toBe(1);
      await next.waitForRun(id, 10_000);
      const record = await getRunRecord(store.runs, id);
      expect(record.status).toBe('succeeded');
      expect(server.count('/first')).toBe(1);
      const resumed = server.requests('/second')[0];
      expect(resumed?.headers['x-token']).toBe(TOKEN);

      expect(record.input).toEqual({ token: '[redacted]', account: 'acme-1' });
      expect(JSON.stringify(record)).not.toContain(TOKEN);
      const [run] = await db.query<{ sealed_input: string | null }>('select sealed_input from runs');
      expect(run?.sealed_input).toMatch(/^v1\./);
      for (const text of await storedBytes(dialect)) expect(text).not.toContain(TOKEN);
    });

    it('restores the sealed outputs of the steps and of the items done before the stop', async () => {
      const key = randomBytes(32);
      server.script('/credentials', [{ status: 200, body: { values: { api_token: TOKEN, region: 'eu' } } }]);
      server.script('/item/0', [{ status: 200, body: { token: ITEM_TOKEN } }]);
      server.script('/use', [{ status: 200, body: { ok: true } }]);
      const steps = [
        {
          name: 'credentials',
          apispec: { url: server.url('/credentials') },
          output: '{{ CURRENT_STEP.response.body.values }}',
        },
        // Fanned out one at a time: item 0 is committed when item 1 hangs.
        {
          name: 'items',
          input: '{{ [0, 1] }}',
          apispec: { url: server.url('/item/{{ CURRENT_STEP.input }}') },
        },
        {
          name: 'use',
          apispec: {
            url: server.url('/use'),
            params: { api_token: '{{ STEPS.credentials.output.api_token }}' },
            headers: { 'x-item-token': '{{ STEPS.items.output[0].token }}' },
          },
        },
      ];
      const { id } = await stopMidRun(key, steps, {}, '/item/1');

      server.script('/item/1', [{ status: 200, body: { token: 'plain-1' } }]);
      const store = await db.open();
      const next = engineOn(store, key);
      await next.start();
      await next.waitForRun(id, 10_000);
      const record = await getRunRecord(store.runs, id);
      expect(record.status).toBe('succeeded');
      expect([server.count('/credentials'), server.count('/item/0')]).toEqual([1, 1]);
      const used = server.requests('/use')[0];
      expect(used?.query.get('api_token')).toBe(TOKEN);
      expect(used?.headers['x-item-token']).toBe(ITEM_TOKEN);

      expect(record.steps[0]?.output).toEqual({ api_token: '[redacted]', region: 'eu' });
      expect(record.steps[1]?.output).toEqual([{ token: '[redacted]' }, { token: '[redacted]' }]);
      for (const text of await storedBytes(dialect)) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(ITEM_TOKEN);
      }
      // Sealed where redaction changed something, NULL elsewhere.
      const sealed = await db.query<{ step_index: number; item_index: number; sealed: string | null }>(
        'select step_index, item_index, sealed_output as sealed from run_step_items order by step_index, item_index',
      );
      expect(sealed.map((row) => [row.step_index, row.item_index, row.sealed !== null])).toEqual([
        [1, 0, true],
        [1, 1, true],
      ]);
      // A step that did not fan out keeps its one call in its step row (migration 0005).
      const calls = await db.query<{ step_index: number; sealed: string | null }>(
        'select step_index, sealed_output as sealed from run_steps where idempotency_key is not null order by step_index',
      );
      expect(calls.map((row) => [row.step_index, row.sealed !== null])).toEqual([
        [0, true],
        [2, false],
      ]);
    });

    it('fails a run whose sealed values do not open with the new key (SLUICE_SECRET_KEY), and goes on serving', async () => {
      const key = randomBytes(32);
      server.script('/first', [{ status: 200, body: { ok: true } }]);
      const steps = [
        { name: 'first', apispec: { url: server.url('/first') } },
        {
          name: 'second',
          apispec: { url: server.url('/second'), headers: { 'x-token': '{{ INPUT.token }}' } },
        },
      ];
      const { id, stored } = await stopMidRun(key, steps, { token: TOKEN }, '/second');

      server.script('/second', [{ status: 200, body: { ok: 2 } }]);
      const store = await db.open();
      const other = engineOn(store, randomBytes(32));
      await other.start();
      await other.waitForRun(id, 10_000);
      const failed = await getRunRecord(store.runs, id);
      expect(failed.status).toBe('failed');
      expect(failed.error?.message).toMatch(
        new RegExp(
          `^SLUICE_SECRET_KEY: the sealed INPUT of run ${id} does not open: it was sealed with another secret key`,
        ),
      );
      expect(failed.steps.map((s) => s.status)).toEqual(['succeeded', 'skipped']);
      // Nothing was called with the key that does not open the run's values (the script reset the count).
      expect(server.count('/second')).toBe(0);

      // The engine goes on: a new run (sealed with this key) runs.
      const again = await other.startRun(stored, { token: TOKEN }, caller);
      await other.waitForRun(again, 10_000);
      expect((await store.runs.getRun(again))?.status).toBe('succeeded');
      await other.close();

      // With the key back, the failed run can be retried and sends the real token.
      const recovered = engineOn(store, key);
      await recovered.start();
      await recovered.retryRun(id);
      await recovered.waitForRun(id, 10_000);
      expect((await store.runs.getRun(id))?.status).toBe('succeeded');
      expect(server.requests('/second').map((r) => r.headers['x-token'])).toEqual([TOKEN, TOKEN]);
    });
  });
}
