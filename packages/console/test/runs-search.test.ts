/**
 * Searching runs in the console (issue 17): by run id, status, workflow, origin (what started the run)
 * and a creation time range, each kept in the address; the list says what started each run; times
 * show their full date, time and zone on hover; "Run again with this input" starts a new run.
 */
import { internalsOf } from '@sluice/engine/internal';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../../engine/test/api/harness.js';
import { CONSOLE_DIR, idInHash, shot, signIn, useBrowser } from './console-page.js';

// The engine's clock sets each run's created_at, so the time range is exact.
let clock = Date.parse('2026-12-07T09:00:00Z');
const now = () => clock;
const h = useApiHarness({
  console: CONSOLE_DIR,
  listen: true,
  waitLimitMs: 10_000,
  now,
  engine: { now, triggerTickMs: 3_600_000 },
});
const b = useBrowser();
const base = () => h.baseUrl as string;

async function publish(document: object): Promise<string> {
  const res = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', document);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.uid as string;
}

/** Starts a run at ISO time `at` and waits for its end; resolves its id. */
async function runAt(uid: string, at: string, input: object = {}, headers: Record<string, string> = {}) {
  clock = Date.parse(at);
  const res = await h.call(
    h.keys.acmeAdmin,
    'POST',
    `/v1/workflows/${uid}/runs?wait=true`,
    { input },
    headers,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id as string;
}

/** The ids of the listed runs, top to bottom. */
async function listed(page: Page): Promise<string[]> {
  const rows = page.locator('table[aria-label="runs"] tbody tr');
  return rows.evaluateAll((elements) =>
    elements.map((element) => (element as unknown as { dataset: { run: string } }).dataset.run),
  );
}

const hash = (page: Page) => decodeURIComponent(new URL(page.url()).hash);

describe('runs search', { timeout: 60_000 }, () => {
  it('filters by id, status, workflow, origin and time range, keeps each in the address, and says what started each run', async () => {
    const { page } = b;
    h.server.script('/ok', [{ status: 200, body: {} }]);
    h.server.script('/bad', [{ status: 500, body: {} }]);
    const good = await publish({
      name: 'Good',
      default_retry: { total: 0 },
      steps: [{ name: 'a', apispec: { url: h.server.url('/ok') } }],
    });
    const bad = await publish({
      name: 'Bad',
      default_retry: { total: 0 },
      steps: [{ name: 'a', apispec: { url: h.server.url('/bad') } }],
    });
    const timed = await publish({
      name: 'Timed',
      default_retry: { total: 0 },
      trigger: { schedule: { cron: '0 * * * *' } },
      steps: [{ name: 'a', apispec: { url: h.server.url('/ok') } }],
    });
    const apiRun = await runAt(good, '2026-12-07T09:00:00Z');
    const cliRun = await runAt(good, '2026-12-07T09:10:00Z', {}, { 'x-sluice-origin': 'cli' });
    const failed = await runAt(bad, '2026-12-07T09:20:00Z');
    clock = Date.parse('2026-12-07T10:00:00Z');
    await internalsOf(h.engine).tickTriggers();
    const scheduled = (await h.call(h.keys.acmeAdmin, 'GET', `/v1/runs?workflow=${timed}`)).body.runs as {
      id: string;
    }[];
    expect(scheduled).toHaveLength(1);
    const scheduledRun = scheduled[0]?.id as string;
    await h.engine.waitForRun(scheduledRun, 10_000);

    await signIn(page, base(), h.keys.acmeAdmin);
    await page.goto(`${base()}/#/runs`);
    await expect.poll(() => listed(page)).toEqual([scheduledRun, failed, cliRun, apiRun]);
    // What started each run.
    const origins = await page
      .locator('table[aria-label="runs"] [data-origin]')
      .evaluateAll((elements) =>
        elements.map((element) => (element as unknown as { dataset: { origin: string } }).dataset.origin),
      );
    expect(origins).toEqual(['schedule', 'api', 'cli', 'api']);
    expect(await page.locator(`tr[data-run="${cliRun}"] [data-origin]`).textContent()).toBe('CLI');
    // The created time: relative on the page, the full date, time and zone on hover.
    const title = await page.locator(`tr[data-run="${apiRun}"] time`).getAttribute('title');
    expect(title).toContain('2026');
    expect(title).toContain('2026-12-07T09:00:00.000Z');
    expect(title).toMatch(/\(UTC\)|\([A-Za-z_]+\/[A-Za-z_]+\)/);

    // Status, then origin: each in the address, the list narrowed.
    await page.getByLabel('status filter').selectOption('succeeded');
    await expect.poll(() => listed(page)).toEqual([scheduledRun, cliRun, apiRun]);
    expect(hash(page)).toBe('#/runs?status=succeeded');
    await page.getByLabel('origin filter').selectOption('schedule');
    await expect.poll(() => listed(page)).toEqual([scheduledRun]);
    expect(hash(page)).toBe('#/runs?status=succeeded&origin=schedule');
    await shot(page, '20-runs-search');

    // Workflow and a time range, from a shared address: 09:05 to 09:30 UTC holds the CLI run and the failed one.
    await page.goto(
      `${base()}/#/runs?since=${encodeURIComponent('2026-12-07T09:05:00.000Z')}&until=${encodeURIComponent('2026-12-07T09:30:00.000Z')}`,
    );
    await expect.poll(() => listed(page)).toEqual([failed, cliRun]);
    expect(await page.getByLabel('from filter').inputValue()).not.toBe('');
    await page.getByLabel('workflow filter').selectOption(good);
    await expect.poll(() => listed(page)).toEqual([cliRun]);

    // A run id: exactly that run, whatever else was chosen before is cleared first.
    await page.getByRole('link', { name: 'Clear' }).click();
    await expect.poll(() => listed(page)).toHaveLength(4);
    await page.getByLabel('run id filter').fill(failed);
    await page.getByLabel('run id filter').press('Enter');
    await expect.poll(() => listed(page)).toEqual([failed]);
    expect(hash(page)).toBe(`#/runs?id=${failed}`);
    await page.getByLabel('run id filter').fill('00000000-0000-4000-8000-000000000000');
    await page.getByLabel('run id filter').press('Enter');
    await expect.poll(() => page.locator('.empty').textContent()).toBe('No runs match this search.');
  });

  it('runs again with the same input from a run page, as a console run', async () => {
    const { page } = b;
    h.server.script('/echo', [{ status: 200, body: { ok: true } }]);
    const uid = await publish({
      name: 'Echo',
      default_retry: { total: 0 },
      steps: [{ name: 'a', apispec: { url: h.server.url('/echo'), params: { q: '{{ INPUT.q }}' } } }],
    });
    const first = await runAt(uid, '2026-12-07T11:00:00Z', { q: 'hello' });
    await signIn(page, base(), h.keys.acmeAdmin);
    await page.goto(`${base()}/#/runs/${first}`);
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('succeeded');
    expect(await page.locator('dl.facts [data-origin]').textContent()).toBe('API');
    const created = await page.locator('dl.facts time').first().getAttribute('title');
    expect(created).toContain('2026-12-07T11:00:00.000Z');

    await page.getByRole('button', { name: 'Run again with this input' }).click();
    await expect.poll(() => idInHash(page)).not.toBe(first);
    const second = idInHash(page);
    await expect.poll(() => page.locator('h1 .status').textContent(), { timeout: 10_000 }).toBe('succeeded');
    const again = await h.call(h.keys.acmeAdmin, 'GET', `/v1/runs/${second}`);
    expect(again.body).toMatchObject({ workflow_uid: uid, input: { q: 'hello' }, origin: 'console' });
    expect(await page.locator('dl.facts [data-origin]').textContent()).toBe('console');
    expect(h.server.requests('/echo').map((request) => request.query.get('q'))).toEqual(['hello', 'hello']);
  });
});
