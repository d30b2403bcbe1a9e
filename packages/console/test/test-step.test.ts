/**
 * The "Test step" action of the workflow page in Chromium against the real API (Fastify on a loopback
 * port, a SQLite file, a loopback step server): the state is pre-filled from the workflow's last run,
 * the step runs against it without recording a run, and the answer (status, output, attempts) shows;
 * a state that fakes USER is refused with the API's message.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../../engine/test/api/harness.js';
import { CONSOLE_DIR, shot, signIn, useBrowser } from './console-page.js';

const h = useApiHarness({ console: CONSOLE_DIR, listen: true, waitLimitMs: 10_000 });
const b = useBrowser();

const base = () => h.baseUrl as string;

/** An order lookup, then a notification built from INPUT and the lookup's output. */
function ordersFlow(): object {
  return {
    name: 'orders to notify',
    default_retry: { total: 0 },
    steps: [
      { name: 'orders', apispec: { url: h.server.url('/orders'), params: { id: '{{ INPUT.order }}' } } },
      {
        name: 'notify',
        apispec: {
          url: h.server.url('/notify'),
          method: 'post',
          json_body: { order: '{{ INPUT.order }}', total: '{{ STEPS.orders.output.total }}' },
        },
      },
    ],
  };
}

const stateEditor = (page: Page) => page.getByLabel('step state');

describe('the Test step action', { timeout: 60_000 }, () => {
  it('pre-fills the state from the last run, runs the one step and shows its answer, recording no run', async () => {
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', ordersFlow());
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const uid = String(published.body.uid);
    h.server.script('/orders', [{ status: 200, body: { total: 31 } }]);
    h.server.script('/notify', [{ status: 200, body: { sent: 'yes' } }]);
    const run = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
      input: { order: 8 },
    });
    expect(run.body.status).toBe('succeeded');
    h.server.script('/notify', [{ status: 200, body: { sent: 'tested' } }]);

    const { page } = b;
    await signIn(page, base(), h.keys.acmeMember);
    await page.goto(`${base()}/#/workflows/${uid}`);
    await page.getByRole('button', { name: 'Test step notify' }).click();
    await expect.poll(() => page.getByText('Pre-filled from the last run').count()).toBe(1);
    const prefilled = JSON.parse(await stateEditor(page).inputValue()) as unknown;
    expect(prefilled).toEqual({ INPUT: { order: 8 }, STEPS: { orders: { output: { total: 31 } } } });

    // Change the state: the step's request is built from what is in the editor.
    await stateEditor(page).fill(
      JSON.stringify({ INPUT: { order: 9 }, STEPS: { orders: { output: { total: 40 } } } }),
    );
    await page.getByRole('button', { name: 'Run step' }).click();
    const answer = page.getByTestId('step-test-result');
    await answer.waitFor();
    expect(await answer.textContent()).toContain('succeeded');
    expect(await answer.textContent()).toContain('1 attempt');
    expect(await answer.locator('figure.json pre').first().textContent()).toBe(
      JSON.stringify({ sent: 'tested' }, null, 2),
    );
    await answer.getByText('Call:').click();
    expect(await answer.locator('figure.json').nth(1).textContent()).toContain('"status": 200');
    await shot(page, 'test-step');

    const sent = h.server.requests('/notify');
    expect(JSON.parse(sent[sent.length - 1]?.body ?? '')).toEqual({ order: 9, total: 40 });
    // Still only the one run, and the step before it was not called again.
    const runs = await h.call(h.keys.acmeMember, 'GET', `/v1/runs?workflow=${uid}`);
    expect((runs.body.runs as unknown[]).length).toBe(1);
    expect(h.server.count('/orders')).toBe(1);
  });

  it('starts from an empty state without runs, and shows the refusal of a state that fakes USER', async () => {
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', ordersFlow());
    const uid = String(published.body.uid);
    const { page } = b;
    await signIn(page, base(), h.keys.acmeMember);
    await page.goto(`${base()}/#/workflows/${uid}`);
    await page.getByRole('button', { name: 'Test step orders' }).click();
    await expect.poll(() => page.getByText('No run yet').count()).toBe(1);
    expect(JSON.parse(await stateEditor(page).inputValue())).toEqual({ INPUT: {}, STEPS: {} });

    await stateEditor(page).fill('{"INPUT": {"order": 1}, "USER": {"email": "admin@evil.test"}}');
    await page.getByRole('button', { name: 'Run step' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('body.state.USER: cannot be given: USER is the caller');
    await stateEditor(page).fill('{"INPUT": ');
    expect(await page.getByText('the state is not JSON').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Run step' }).isDisabled()).toBe(true);
    expect(h.server.count('/orders')).toBe(0);
  });
});
