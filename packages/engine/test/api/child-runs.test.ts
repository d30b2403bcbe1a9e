/**
 * Issue 15, `workflow:` steps (child runs) and `on_failure`, through the engine service: real runs on a
 * SQLite file, real calls to a loopback server, read back through the runs API.
 */
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../store/dialects.js';
import { codeOf, useApiHarness } from './harness.js';

for (const dialect of DIALECTS) {
  describe.skipIf(dialect.skip)(`on ${dialect.name}`, () => {
    // One run at a time: a parent that held its slot while its child runs could never finish.
    const h = useApiHarness({
      dialect,
      waitLimitMs: 15_000,
      engine: { maxConcurrentRuns: 1, sweepMs: 50, maxWorkflowDepth: 3 },
    });

    const publish = async (body: object, key = h.keys.acmeMember) => {
      const res = await h.call(key, 'POST', '/v1/workflows', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.uid as string;
    };

    const run = async (uid: string, input: unknown, key = h.keys.acmeMember) => {
      const res = await h.call(key, 'POST', `/v1/workflows/${uid}/runs?wait=true`, { input });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { id: string; status: string; error: { message: string } | null; steps: Step[] };
    };

    interface Step {
      name: string;
      status: string;
      output: unknown;
      items: { history: { child_run_id?: string }[] }[];
      history: { child_run_id?: string }[];
    }

    /** A child workflow that posts INPUT.id to `/enrich` and gives what the server answers. */
    const enrich = (name = 'enrich-customer') => ({
      name,
      default_retry: { total: 0 },
      steps: [
        {
          name: 'enrich',
          apispec: { url: h.server.url('/enrich'), method: 'post', json_body: { id: '{{ INPUT.id }}' } },
        },
      ],
    });

    const listRuns = async (query = '') =>
      (await h.call(h.keys.acmeMember, 'GET', `/v1/runs?limit=100${query}`)).body.runs as {
        id: string;
        workflow: string;
        status: string;
        parent_run_id: string | null;
        failure_of: string | null;
      }[];

    describe('workflow: child runs', () => {
      it("starts a child run per item, in a parent that holds no slot; the output is the children's, in order", async () => {
        h.server.script('/enrich', [
          { status: 200, body: { enriched: 'a' } },
          { status: 200, body: { enriched: 'b' } },
          { status: 200, body: { enriched: 'c' } },
        ]);
        await publish(enrich());
        const parent = await publish({
          name: 'sync',
          steps: [{ name: 'each', input: '{{ INPUT.customers }}', workflow: 'enrich-customer' }],
        });
        const res = await run(parent, { customers: [{ id: 1 }, { id: 2 }, { id: 3 }] });
        expect(res.status).toBe('succeeded');
        expect(res.steps[0]?.output).toEqual([{ enriched: 'a' }, { enriched: 'b' }, { enriched: 'c' }]);
        expect(h.server.requests('/enrich').map((r) => JSON.parse(r.body).id)).toEqual([1, 2, 3]);
        const childIds = res.steps[0]?.items.map((item) => item.history[0]?.child_run_id);
        const children = await listRuns(`&parent=${res.id}`);
        expect(children.every((r) => r.parent_run_id === res.id)).toBe(true);
        expect(children.map((r) => r.id).sort()).toEqual([...(childIds as string[])].sort());
        expect(children.every((r) => r.workflow === 'enrich-customer' && r.status === 'succeeded')).toBe(
          true,
        );
        const child = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${childIds?.[0]}`);
        expect(child.body).toMatchObject({ parent_run_id: res.id, input: { id: 1 }, status: 'succeeded' });
      });

      it("fails the parent with the child's error, or goes on with null under on_error: continue", async () => {
        h.server.script('/enrich', [{ status: 500, body: { error: 'down' } }]);
        await publish(enrich());
        const strict = await publish({
          name: 'strict',
          steps: [{ name: 'one', workflow: 'enrich-customer', input: { id: 7 } }],
        });
        const failed = await run(strict, null);
        expect(failed.status).toBe('failed');
        expect(failed.error?.message).toMatch(
          /steps\.one: child run .* \(enrich-customer\) failed: steps\.enrich: /,
        );

        const lenient = await publish({
          name: 'lenient',
          steps: [
            { name: 'one', workflow: 'enrich-customer', input: { id: 8 }, on_error: 'continue' },
            {
              name: 'after',
              apispec: { url: h.server.url('/after'), method: 'post', json_body: '{{ STEPS.one }}' },
            },
          ],
        });
        h.server.script('/after', [{ status: 200, body: {} }]);
        const went = await run(lenient, null);
        expect(went.status).toBe('succeeded');
        const seen = JSON.parse(h.server.requests('/after')[0]?.body ?? '{}');
        expect(seen.output).toBeNull();
        expect(seen.errors[0].error.message).toContain('(enrich-customer) failed');
      });

      it('refuses a workflow the workspace may not run, naming it', async () => {
        await publish(enrich('private-enrich'), h.keys.globexMember);
        const parent = await publish({
          name: 'calls-other',
          steps: [{ name: 'x', workflow: 'private-enrich' }],
        });
        const res = await run(parent, null);
        expect(res.status).toBe('failed');
        expect(res.error?.message).toContain(
          'no workflow named or with uid "private-enrich" that this workspace may run',
        );
        expect(h.server.count('/enrich')).toBe(0);
      });

      it('refuses a call cycle at publish, naming the step and the cycle', async () => {
        const self = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
          name: 'loop',
          steps: [{ name: 'again', workflow: 'loop' }],
        });
        expect(self.status).toBe(400);
        expect(codeOf(self)).toBe('SLUICE_API_BAD_REQUEST');
        expect(JSON.stringify(self.body)).toContain(
          'steps[0].workflow: calling \\"loop\\" makes a call cycle (loop → loop)',
        );

        await publish({ name: 'a', steps: [{ name: 'to_b', workflow: 'b' }] });
        const b = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
          name: 'b',
          steps: [{ name: 'to_a', workflow: 'a' }],
        });
        expect(b.status).toBe(400);
        expect(JSON.stringify(b.body)).toContain('(b → a → b)');
      });

      it('stops a chain deeper than maxWorkflowDepth at run time', async () => {
        h.server.script('/leaf', [{ status: 200, body: { leaf: true } }]);
        await publish({ name: 'd4', steps: [{ name: 'leaf', apispec: { url: h.server.url('/leaf') } }] });
        await publish({ name: 'd3', steps: [{ name: 'down', workflow: 'd4' }] });
        await publish({ name: 'd2', steps: [{ name: 'down', workflow: 'd3' }] });
        await publish({ name: 'd1', steps: [{ name: 'down', workflow: 'd2' }] });
        const top = await publish({ name: 'd0', steps: [{ name: 'down', workflow: 'd1' }] });
        const res = await run(top, null);
        expect(res.status).toBe('failed');
        expect(res.error?.message).toContain('past the limit of 3');
        expect(h.server.count('/leaf')).toBe(0);
      });

      it('cancels the children with the parent', async () => {
        h.server.script('/slow', [{ hang: true }]);
        await publish({
          name: 'slow-child',
          steps: [{ name: 'hang', apispec: { url: h.server.url('/slow') } }],
        });
        const parent = await publish({
          name: 'waits-for-slow',
          steps: [{ name: 'child', workflow: 'slow-child' }],
        });
        const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${parent}/runs`, {
          input: null,
        });
        const id = started.body.id as string;
        // The child is executing once its request reaches the server.
        while (h.server.count('/slow') === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const cancelled = await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/cancel`);
        expect(cancelled.status).toBe(200);
        const child = (await listRuns()).find((r) => r.parent_run_id === id);
        await h.engine.waitForRun(child?.id as string, 10_000);
        const after = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${child?.id}`);
        expect(after.body.status).toBe('cancelled');
      });
    });

    describe('on_failure', () => {
      it('starts its workflow once, after the failure, with the failed step and error; it does not chain', async () => {
        h.server.script('/broken', [{ status: 503, body: { error: 'maintenance' } }]);
        h.server.script('/alert', [{ status: 500, body: {} }]);
        await publish({
          name: 'alert-ops',
          default_retry: { total: 0 },
          on_failure: { workflow: 'alert-ops' },
          steps: [
            {
              name: 'page',
              apispec: { url: h.server.url('/alert'), method: 'post', json_body: '{{ INPUT }}' },
            },
          ],
        });
        const uid = await publish({
          name: 'sync',
          default_retry: { total: 0 },
          on_failure: { workflow: 'alert-ops' },
          steps: [{ name: 'fetch', apispec: { url: h.server.url('/broken') } }],
        });
        const failed = await run(uid, null);
        expect(failed.status).toBe('failed');
        const alert = async () => (await listRuns()).filter((r) => r.failure_of === failed.id);
        while ((await alert()).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const [started] = await alert();
        await h.engine.waitForRun(started?.id as string, 10_000);
        expect(h.server.count('/alert')).toBe(1);
        const input = JSON.parse(h.server.requests('/alert')[0]?.body ?? '{}');
        expect(input).toMatchObject({
          workflow: 'sync',
          workflow_uid: uid,
          run_id: failed.id,
          failed_step: 'fetch',
        });
        expect(input.error.message).toContain('steps.fetch');
        // The alert run failed too, and started nothing: failure workflows do not chain.
        const runs = await listRuns();
        expect(runs.filter((r) => r.workflow === 'alert-ops')).toHaveLength(1);
        expect(runs.find((r) => r.workflow === 'alert-ops')?.status).toBe('failed');
      });

      it('starts nothing when the run is cancelled', async () => {
        h.server.script('/slow', [{ hang: true }]);
        await publish({ name: 'alert', steps: [{ name: 'x', apispec: { url: h.server.url('/alert') } }] });
        const uid = await publish({
          name: 'cancelled',
          on_failure: { workflow: 'alert' },
          steps: [{ name: 'hang', apispec: { url: h.server.url('/slow') } }],
        });
        const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, { input: null });
        while (h.server.count('/slow') === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${started.body.id}/cancel`);
        await h.engine.waitForRun(started.body.id as string, 10_000);
        expect((await listRuns()).filter((r) => r.workflow === 'alert')).toHaveLength(0);
      });

      it('starts a failure still due after a crash from the sweep, exactly once', async () => {
        h.server.script('/alert', [{ status: 200, body: {} }]);
        h.server.script('/broken', [{ status: 400, body: {} }]);
        await publish({ name: 'alert', steps: [{ name: 'x', apispec: { url: h.server.url('/alert') } }] });
        const uid = await publish({
          name: 'crashy',
          default_retry: { total: 0 },
          on_failure: { workflow: 'alert' },
          steps: [{ name: 'fetch', apispec: { url: h.server.url('/broken') } }],
        });
        const failed = await run(uid, null);
        const first = async () => (await listRuns()).filter((r) => r.failure_of === failed.id);
        while ((await first()).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        await h.engine.waitForRun((await first())[0]?.id as string, 10_000);
        // As if the process had died between the failure's commit and the start: the failure run is not
        // there, and the run is marked due (twice over: a second start must find the first).
        await h.store.runs.deleteRun((await first())[0]?.id as string);
        await h.store.runs.updateRun(failed.id, { on_failure_due: true });
        let due = await h.store.runLinks.listFailuresDue(10);
        while (due.length > 0) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          due = await h.store.runLinks.listFailuresDue(10);
        }
        const alerts = (await listRuns()).filter((r) => r.failure_of === failed.id);
        expect(alerts).toHaveLength(1);
        await h.engine.waitForRun(alerts[0]?.id as string, 10_000);
        await h.store.runs.updateRun(failed.id, { on_failure_due: true });
        while ((await h.store.runLinks.listFailuresDue(10)).length > 0) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect((await listRuns()).filter((r) => r.failure_of === failed.id)).toHaveLength(1);
        expect(h.server.count('/alert')).toBe(2);
      });
    });
  });
}
