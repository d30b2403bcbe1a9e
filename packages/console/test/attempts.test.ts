/**
 * Inspecting attempts in the run page (issue 15), in Chromium against the real API: clicking an
 * attempt's bar in the waterfall opens a panel with the request as sent and the response as received
 * (method, URL, status, headers, bodies with JSON pretty-printed), secrets redacted; the attempts table
 * opens the same panel from the keyboard.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../../engine/test/api/harness.js';
import { CONSOLE_DIR, shot, signIn, useBrowser } from './console-page.js';

const h = useApiHarness({
  console: CONSOLE_DIR,
  listen: true,
  waitLimitMs: 10_000,
  engine: { secretKey: randomBytes(32) },
});
const b = useBrowser();

describe('the attempt panel of the run page', () => {
  it('shows the request and response of the attempt clicked in the waterfall, JSON pretty-printed and secrets redacted', async () => {
    h.server.script('/orders', [
      { status: 503, body: { retry: 'later' } },
      { status: 200, headers: { 'x-request-id': 'req-42' }, body: { order: { id: 7, total: 12.5 } } },
    ]);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'inspect-orders',
      steps: [
        {
          name: 'orders',
          retry: { total: 2, backoff_factor: 0, status_forcelist: [503] },
          apispec: {
            url: h.server.url('/orders'),
            method: 'PUT',
            headers: { Authorization: 'Bearer tok-ui-5e3f1a' },
            json_body: { want: 'orders', page: 1 },
          },
        },
      ],
    });
    expect(published.status).toBe(201);
    const run = await h.call(
      h.keys.acmeMember,
      'POST',
      `/v1/workflows/${published.body.uid}/runs?wait=true`,
      {},
    );
    expect(run.body.status).toBe('succeeded');

    const { page } = b;
    await signIn(page, h.baseUrl as string, h.keys.acmeMember);
    await page.goto(`${h.baseUrl}/#/runs/${run.body.id}`);
    await page.getByTestId('waterfall').waitFor();

    await page.locator('.wf-row[data-row="orders"] .wf-attempt[data-attempt="2"]').click();
    const panel = page.getByTestId('attempt-panel');
    await panel.waitFor();
    await expect
      .poll(() => panel.getByTestId('request-line').textContent())
      .toContain(`PUT ${h.server.url('/orders')}`);
    expect(await panel.getByTestId('response-status').textContent()).toBe('HTTP 200');
    const requestHeaders = panel.getByRole('table', { name: 'request headers' });
    expect(await requestHeaders.locator('tr', { hasText: 'Authorization' }).locator('td').textContent()).toBe(
      '[redacted]',
    );
    const responseHeaders = panel.getByRole('table', { name: 'response headers' });
    expect(await responseHeaders.locator('tr', { hasText: 'x-request-id' }).locator('td').textContent()).toBe(
      'req-42',
    );
    // Pretty-printed JSON, as sent and as received.
    expect(await panel.getByTestId('request-body').locator('pre').textContent()).toBe(
      JSON.stringify({ want: 'orders', page: 1 }, null, 2),
    );
    expect(await panel.getByTestId('response-body').locator('pre').textContent()).toBe(
      JSON.stringify({ order: { id: 7, total: 12.5 } }, null, 2),
    );
    expect(await panel.textContent()).not.toContain('tok-ui-5e3f1a');
    await shot(page, 'attempt-panel');

    // The first attempt: the 503 the retry followed.
    await page.locator('.wf-row[data-row="orders"] .wf-attempt[data-attempt="1"]').click();
    await expect.poll(() => panel.getByTestId('response-status').textContent()).toBe('HTTP 503');
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByTestId('attempt-panel').count()).toBe(0);

    // From the keyboard: the attempts table of the row's details.
    const inspect = page
      .getByTestId('row-detail')
      .getByRole('table', { name: 'attempts' })
      .getByRole('button', { name: 'Request and response' })
      .nth(1);
    await inspect.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('response-status').textContent()).toBe('HTTP 200');
  });

  it('says when the request and response are not kept', async () => {
    const set = await h.call(h.keys.acmeAdmin, 'PUT', '/v1/settings', { attempt_retention_days: 0 });
    expect(set.status).toBe(200);
    h.server.script('/ping', [{ status: 200, body: { ok: true } }]);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'unkept',
      steps: [{ name: 'ping', apispec: { url: h.server.url('/ping') } }],
    });
    const run = await h.call(
      h.keys.acmeMember,
      'POST',
      `/v1/workflows/${published.body.uid}/runs?wait=true`,
      {},
    );
    const { page } = b;
    await signIn(page, h.baseUrl as string, h.keys.acmeMember);
    await page.goto(`${h.baseUrl}/#/runs/${run.body.id}`);
    await page.locator('.wf-row[data-row="ping"] .wf-attempt[data-attempt="1"]').click();
    await page.getByTestId('pruned').waitFor();
    expect(await page.getByTestId('attempt-panel').textContent()).toContain('not kept');
  });
});
