/**
 * Flow control in the console, in Chromium against the real API (Fastify on a loopback port, a SQLite
 * file, a loopback step server): the workflow page draws a `workflow:` step, `paginate` and
 * `on_failure`; the run page lists a paginated step's pages, a skipped step, and links a parent to its
 * child run and back.
 */
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../../engine/test/api/harness.js';
import { CONSOLE_DIR, shot, signIn, useBrowser } from './console-page.js';

const h = useApiHarness({ console: CONSOLE_DIR, listen: true, waitLimitMs: 10_000, engine: { sweepMs: 50 } });
const b = useBrowser();

const base = () => h.baseUrl as string;

describe('flow control in the console', { timeout: 60_000 }, () => {
  it('draws pages, a skipped step, a child run linked both ways and on_failure', async () => {
    h.server.script('/list', [
      { status: 200, body: { items: [1, 2], next: 2 } },
      { status: 200, body: { items: [3], next: null } },
    ]);
    h.server.script('/child', [{ status: 200, body: { enriched: true } }]);
    const child = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'enrich-one',
      steps: [{ name: 'call', apispec: { url: h.server.url('/child') } }],
    });
    expect(child.status).toBe(201);
    const parent = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'sync',
      on_failure: { workflow: 'enrich-one' },
      steps: [
        {
          name: 'customers',
          apispec: {
            url: h.server.url('/list'),
            params: { page: '{{ CURRENT_STEP.page.next | default(1, true) }}' },
          },
          paginate: {
            next: '{{ CURRENT_STEP.response.body.next }}',
            items: '{{ CURRENT_STEP.response.body.items }}',
          },
        },
        { name: 'never', when: false, apispec: { url: h.server.url('/never') } },
        { name: 'enrich', workflow: 'enrich-one', input: { id: 1 } },
      ],
    });
    expect(parent.status, JSON.stringify(parent.body)).toBe(201);
    const uid = String(parent.body.uid);
    const run = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
      input: null,
    });
    expect(run.body.status).toBe('succeeded');

    const { page } = b;
    await signIn(page, base(), h.keys.acmeMember);
    await page.goto(`${base()}/#/workflows/${uid}`);
    const flow = page.getByRole('list', { name: 'steps' });
    await flow.waitFor();
    expect(await flow.locator('[data-step="customers"]').textContent()).toContain(
      'paginate: up to 100 pages',
    );
    expect(await flow.locator('[data-step="never"]').textContent()).toContain('when false');
    expect(await flow.locator('[data-step="enrich"]').textContent()).toContain(
      'workflowenrich-one as a child run',
    );
    expect(await flow.locator('[data-on-failure]').textContent()).toContain('on failure: starts enrich-one');

    await page.goto(`${base()}/#/runs/${run.body.id}`);
    const waterfall = page.getByTestId('waterfall');
    await waterfall.waitFor();
    expect(await waterfall.locator('[data-row="customers"]').textContent()).toContain('2 pages');
    expect(await waterfall.locator('[data-row="never"]').getAttribute('data-status')).toBe('skipped');
    await waterfall.locator('[data-row="customers"]').click();
    const pages = page.getByRole('table', { name: 'attempts' }).locator('[data-page]');
    expect(await pages.allTextContents()).toEqual(['1', '2']);
    await shot(page, 'flow-control-run');

    await waterfall.locator('[data-row="enrich"]').click();
    const link = page.locator('[data-child-run]');
    const childId = String(await link.getAttribute('data-child-run'));
    await link.click();
    await page.locator('[data-parent-run]').waitFor();
    expect(page.url()).toContain(`#/runs/${childId}`);
    expect(await page.locator('[data-parent-run]').textContent()).toBe(run.body.id);
  });

  it("draws a waiting wait step forward to its resume time, and the run's resume time", async () => {
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'pauses',
      steps: [{ name: 'pause', wait: { seconds: 600 } }],
    });
    const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${published.body.uid}/runs`, {
      input: null,
    });
    const id = String(started.body.id);
    let resumeAt: unknown = null;
    while (resumeAt === null) {
      resumeAt = (await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}`)).body.resume_at ?? null;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { page } = b;
    await signIn(page, base(), h.keys.acmeMember);
    await page.goto(`${base()}/#/runs/${id}`);
    const wait = page.locator('[data-row="pause"] [data-waits-until]');
    await wait.waitFor();
    expect(await wait.getAttribute('title')).toMatch(/^waits until /);
    expect(await page.locator('dl.facts').textContent()).toContain('Resumes');
    await shot(page, 'flow-control-wait');
    await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${id}/cancel`);
  });
});
