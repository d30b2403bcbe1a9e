/**
 * The console on a phone (issue 17): at 390 x 844 px nothing is wider than the screen (the navigation
 * wraps, the runs list becomes one card per run, other tables scroll inside their own box) on the runs
 * list, a run page, a workflow page with its version diff, and the editor. Screenshots land in
 * `<tmpdir>/sluice-console-mobile/` for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../../engine/test/api/harness.js';
import { CONSOLE_DIR, signIn, useBrowser } from './console-page.js';

const h = useApiHarness({ console: CONSOLE_DIR, listen: true, waitLimitMs: 10_000 });
const b = useBrowser();
const base = () => h.baseUrl as string;
const SHOTS = join(tmpdir(), 'sluice-console-mobile');
const WIDTH = 390;

interface DocumentGlobals {
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
}

/** How wide the page's content is: more than the viewport means a sideways scroll. */
function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as DocumentGlobals).document.documentElement.scrollWidth);
}

interface FrameGlobals {
  requestAnimationFrame(callback: () => void): number;
}

async function fits(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Two frames: CodeMirror measures its lines in one and draws the gutter to match in the next.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const g = globalThis as unknown as FrameGlobals;
        g.requestAnimationFrame(() => g.requestAnimationFrame(resolve));
      }),
  );
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  expect(await scrollWidth(page), `${name} is wider than the screen`).toBeLessThanOrEqual(WIDTH);
}

describe('on a 390 px wide screen', { timeout: 60_000 }, () => {
  it('shows the runs list, a run, a workflow with its version diff, and the editor without sideways scrolling', async () => {
    const { page } = b;
    await page.setViewportSize({ width: WIDTH, height: 844 });
    h.server.script('/orders', [{ status: 200, body: { id: 7, items: ['a', 'b'], note: 'x'.repeat(300) } }]);
    h.server.script('/fails', [
      { status: 503, body: { error: 'the upstream service is down for maintenance' } },
    ]);
    const created = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', {
      name: 'Sync the orders of every customer with a long name',
      default_retry: { total: 1, backoff_factor: 0 },
      steps: [
        {
          name: 'fetch_the_orders_of_the_day',
          apispec: { url: `${h.server.url('/orders')}?customer={{ INPUT.customer }}` },
        },
        { name: 'notify', apispec: { url: h.server.url('/fails'), method: 'POST' } },
      ],
    });
    const uid = created.body.uid as string;
    await h.call(h.keys.acmeAdmin, 'PUT', `/v1/workflows/${uid}`, {
      name: 'Sync the orders of every customer with a long name',
      default_retry: { total: 1, backoff_factor: 0 },
      steps: [
        {
          name: 'fetch_the_orders_of_the_day',
          apispec: { url: `${h.server.url('/orders')}?customer={{ INPUT.customer }}&all=true` },
        },
        { name: 'notify', apispec: { url: h.server.url('/fails'), method: 'POST' } },
      ],
    });
    let last = '';
    for (const customer of ['acme-corporation-international', 'globex', 'initech']) {
      const run = await h.call(h.keys.acmeAdmin, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
        input: { customer },
      });
      expect(run.body.status).toBe('failed');
      last = run.body.id as string;
    }

    await signIn(page, base(), h.keys.acmeAdmin);
    await page.goto(`${base()}/#/runs`);
    await page.locator(`tr[data-run="${last}"]`).waitFor();
    // One card per run: the column names are beside the values, not in a header row.
    expect(await page.locator('table[aria-label="runs"] thead').isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Connections' }).isVisible()).toBe(true);
    await fits(page, 'runs');

    await page.goto(`${base()}/#/runs/${last}`);
    await page.getByTestId('waterfall').waitFor();
    await page.locator('.wf-row[data-row="notify"]').click();
    await page.getByTestId('row-detail').waitFor();
    await fits(page, 'run');

    await page.goto(`${base()}/#/workflows/${uid}`);
    await page.getByRole('button', { name: 'Compare versions' }).click();
    await page.getByTestId('version-diff').locator('.cm-deletedChunk').first().waitFor();
    // CodeMirror measures only what is on screen: bring the diff there before the picture.
    await page.getByTestId('version-diff').scrollIntoViewIfNeeded();
    await fits(page, 'workflow-diff');

    await page.goto(`${base()}/#/workflows/${uid}/edit`);
    await page.getByLabel('workflow YAML').waitFor();
    await expect.poll(() => page.getByTestId('check').textContent()).toMatch(/^valid/);
    await fits(page, 'editor');
  });
});
