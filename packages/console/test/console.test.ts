/**
 * The web console in Chromium against the real API (Fastify on a loopback port, a SQLite file, the
 * engine executing runs against a loopback step server): sign-in, publishing from YAML with inline
 * problems, running and watching a run, its waterfall, a failed run retried, connections, triggers,
 * and what another workspace and a member see.
 */
import { randomBytes } from 'node:crypto';
import { type Connector, defineConnector } from '@sluice/sdk';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../../engine/test/api/harness.js';
import {
  CONSOLE_DIR,
  editorText,
  idInHash,
  type PageGlobals,
  pasteInto,
  shot,
  signIn,
  storedKey,
  useBrowser,
} from './console-page.js';

/** A connector with a secret field; its test passes only for the key `good-…`. */
const ledger: Connector = defineConnector({
  title: 'Ledger',
  connection: {
    fields: [
      { name: 'api_key', label: 'API key', controlType: 'password', optional: false, hint: 'Settings → API' },
      { name: 'region', optional: true },
    ],
  },
  test: async ({ connection }) => {
    if (!String(connection.api_key).startsWith('good-')) throw new Error('the ledger refused this API key');
    return { account: 'acme-books' };
  },
});

const h = useApiHarness({
  console: CONSOLE_DIR,
  listen: true,
  waitLimitMs: 10_000,
  engine: { connectors: new Map([['ledger', ledger]]), secretKey: randomBytes(32) },
});
const b = useBrowser();

const base = () => h.baseUrl as string;

/** A two-step workflow's YAML calling the step server. */
function ordersYaml(name: string): string {
  return `name: ${name}
default_retry:
  total: 0
steps:
  - name: orders
    apispec:
      url: ${h.server.url('/orders')}?id={{ INPUT.order }}
      method: GET
  - name: notify
    apispec:
      url: ${h.server.url('/notify')}
      method: POST
      json_body:
        order: "{{ INPUT.order }}"
`;
}

/** Publishes `document` through the API with `key`; resolves its uid. */
async function publish(key: string, document: object): Promise<string> {
  const res = await h.call(key, 'POST', '/v1/workflows', document);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.uid as string;
}

/** Starts a run through the API and waits for it to end; resolves its id. */
async function runToEnd(key: string, uid: string, input: object = {}): Promise<string> {
  const res = await h.call(key, 'POST', `/v1/workflows/${uid}/runs?wait=true`, { input });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id as string;
}

/** A link of the top navigation (pages have their own links named alike). */
const nav = (page: Page, name: string) => page.locator('header nav').getByRole('link', { name });

// A browser test clicks through several pages: more time than the suite's default under a loaded CI.
describe('console', { timeout: 60_000 }, () => {
  it('signs in with a key, says plainly when a key is wrong, keeps the session in the tab and signs out', async () => {
    const { page } = b;
    await page.goto(`${base()}/`);
    await shot(page, '01-sign-in');
    await page.getByLabel('API key').fill('sk_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This key was not accepted');
    await page.getByLabel('API key').fill(h.keys.acmeAdmin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('acme');
    expect(await page.getByTestId('who').textContent()).toContain('ann@acme.test');
    await page.reload();
    await page.getByTestId('who').waitFor();
    expect(await storedKey(page)).toBe(h.keys.acmeAdmin);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await storedKey(page)).toBeNull();

    // A kept key the service no longer takes (revoked, or another service's) signs out on the next load.
    await signIn(page, base(), h.keys.acmeMember);
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).sessionStorage.setItem('sluice.key', 'sk_revoked-meanwhile'),
    );
    await page.reload();
    await page.getByLabel('API key').waitFor();
    expect(await storedKey(page)).toBeNull();
  });

  it('publishes a workflow from YAML (problems shown on their lines), runs it, watches it succeed and opens its waterfall', async () => {
    const { page } = b;
    h.server.script('/orders', [{ status: 200, body: { id: 7, total: 42 } }]);
    h.server.script('/notify', [{ status: 201, body: { sent: true } }]);
    await signIn(page, base(), h.keys.acmeAdmin);
    await page.getByRole('link', { name: 'New workflow' }).first().click();

    // A wrong type on line 9 and a step without a call: both listed, each with its line, and no publish.
    await pasteInto(
      page,
      'workflow YAML',
      `name: Sync orders\nsteps:\n  - name: orders\n    apispec:\n      url: ${h.server.url('/orders')}\n      method: GET\n    retry:\n      backoff_factor: 0.1\n      total: lots\n  - name: empty\n`,
    );
    const problems = page.getByLabel('problems');
    await expect.poll(() => problems.textContent()).toContain('steps[0].retry.total');
    const listed = await problems.textContent();
    expect(listed).toContain('line 9');
    expect(listed).toContain('steps[1]');
    // Marked in the lint gutter and under the text of line 9.
    await expect
      .poll(() => page.locator('.cm-lintRange-error').allTextContents())
      .toContainEqual(expect.stringContaining('lots'));
    expect(await page.locator('.cm-gutter-lint .cm-lint-marker-error').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await shot(page, '02-editor-problems');

    // Broken YAML: the syntax error names its line too.
    await pasteInto(page, 'workflow YAML', 'name: Sync orders\nsteps:\n  - name: [orders\n');
    await expect.poll(() => problems.textContent()).toMatch(/line \d/);

    await pasteInto(page, 'workflow YAML', ordersYaml('Sync orders'));
    await expect.poll(() => page.getByTestId('check').textContent()).toBe('valid · 2 steps');
    expect(await page.locator('.flow-step').count()).toBe(2);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('heading', { name: /Sync orders/ }).waitFor();
    const uid = idInHash(page);
    expect(uid).not.toBe('');
    const flow = page.getByLabel('steps');
    expect(await flow.locator('.flow-step').count()).toBe(2);
    expect(await flow.textContent()).toContain('POST');
    expect(await flow.textContent()).toContain('/notify');
    await shot(page, '03-workflow');

    // Run it with an input, and watch the run page until it succeeds.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('run input').fill('{"order": 7}');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByTestId('waterfall').waitFor();
    await expect.poll(() => page.locator('h1 .status').textContent(), { timeout: 10_000 }).toBe('succeeded');
    const runId = idInHash(page);
    expect(h.server.requests('/orders')[0]?.query.get('id')).toBe('7');
    await expect.poll(() => page.locator('.wf-row').count()).toBe(2);
    const notify = page.locator('.wf-row[data-row="notify"]');
    expect(await notify.getAttribute('data-status')).toBe('succeeded');
    expect(await notify.locator('[data-attempt="1"]').textContent()).toBe('201');
    await notify.click();
    const detail = page.getByTestId('row-detail');
    expect(await detail.textContent()).toContain('HTTP 201');
    expect(await detail.textContent()).toContain('sent');
    await shot(page, '04-run');

    // The runs list has it, and shows a new run progressing without a reload.
    await nav(page, 'Runs').click();
    await page.locator(`tr[data-run="${runId}"][data-status="succeeded"]`).waitFor();
    // Slower than two refreshes of the list (2 s each), so it is seen running before it succeeds.
    h.server.script('/orders', [{ status: 200, body: { id: 8 }, delayMs: 4500 }]);
    const started = await h.call(h.keys.acmeAdmin, 'POST', `/v1/workflows/${uid}/runs`, {
      input: { order: 8 },
    });
    const slowId = started.body.id as string;
    await page.locator(`tr[data-run="${slowId}"][data-status="running"]`).waitFor({ timeout: 8000 });
    await page.locator(`tr[data-run="${slowId}"][data-status="succeeded"]`).waitFor({ timeout: 10_000 });
    await shot(page, '05-runs');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, '05-runs-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The workflows list shows the last run's status.
    await nav(page, 'Workflows').click();
    const row = page.locator(`tr[data-uid="${uid}"]`);
    await expect.poll(() => row.locator('.status').textContent()).toBe('succeeded');
    await shot(page, '06-workflows');
  });

  it('edits a workflow into a new version, shows its versions, and deletes it', async () => {
    const { page } = b;
    const uid = await publish(h.keys.acmeAdmin, {
      name: 'Nightly',
      steps: [{ name: 'ping', apispec: { url: h.server.url('/ping') } }],
    });
    await signIn(page, base(), h.keys.acmeAdmin);
    await page.goto(`${base()}/#/workflows/${uid}/edit`);
    await expect.poll(() => editorText(page)).toContain('name: Nightly');
    expect(await editorText(page)).not.toContain('workspace_id');
    const text = (await editorText(page)).replace('name: ping', 'name: ping_twice');
    await pasteInto(page, 'workflow YAML', text);
    await expect
      .poll(
        async () =>
          `${await page.getByTestId('check').textContent()} ${await page.locator('ul.problems, [role=alert]').allTextContents()}`,
      )
      .toMatch(/^valid · 1 step/);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('.versions li').nth(1).waitFor();
    expect(await page.locator('.versions li').allTextContents()).toEqual([
      expect.stringContaining('v2'),
      expect.stringContaining('v1'),
    ]);
    expect(await page.getByLabel('steps').textContent()).toContain('ping_twice');
    await page.locator('.versions a', { hasText: 'v1' }).click();
    await expect
      .poll(() => page.locator('.notice').textContent())
      .toContain('This is version 1; the latest is 2');
    expect(await page.getByLabel('steps').textContent()).not.toContain('ping_twice');

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
    await page.getByText('No workflows yet').waitFor();
    expect((await h.call(h.keys.acmeAdmin, 'GET', `/v1/workflows/${uid}`)).status).toBe(404);
  });

  it("shows a failed run's error and attempts, and Retry runs it to success", async () => {
    const { page } = b;
    h.server.script('/flaky', [{ status: 503, body: 'upstream down' }]);
    const uid = await publish(h.keys.acmeAdmin, {
      name: 'Flaky sync',
      steps: [
        {
          name: 'call',
          apispec: { url: h.server.url('/flaky') },
          retry: { total: 2, backoff_factor: 0.05, status_forcelist: [503] },
        },
      ],
    });
    const runId = await runToEnd(h.keys.acmeAdmin, uid);
    await signIn(page, base(), h.keys.acmeAdmin);
    await nav(page, 'Runs').click();
    await page.getByLabel('status filter').selectOption('failed');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/runs?status=failed');
    const row = page.locator(`tr[data-run="${runId}"]`);
    expect(await row.locator('.error-cell').textContent()).toMatch(/503|status/);
    await row.locator('a.mono').click();
    await page.getByTestId('waterfall').waitFor();
    expect(await page.locator('h1 .status').textContent()).toBe('failed');
    // The failed row is selected: its error, and three attempts with a wait before each retry.
    const detail = page.getByTestId('row-detail');
    expect(await detail.textContent()).toContain('upstream down');
    expect(await page.getByLabel('attempts').locator('tbody tr').count()).toBe(3);
    const bars = page.locator('.wf-row[data-row="call"] .wf-attempt');
    expect(await bars.allTextContents()).toEqual(['503', '503', '503']);
    // urllib3's backoff: no wait before the first retry, then backoff_factor * 2^(n-1).
    const record = await h.call(h.keys.acmeAdmin, 'GET', `/v1/runs/${runId}`);
    const history = (record.body.steps as { history: { wait_ms: number }[] }[])[0]?.history ?? [];
    const waits = history.filter((attempt) => attempt.wait_ms > 0).length;
    expect(waits).toBeGreaterThan(0);
    expect(await page.locator('.wf-row[data-row="call"] .wf-wait').count()).toBe(waits);
    await shot(page, '07-failed-run');

    h.server.script('/flaky', [{ status: 200, body: { ok: true } }]);
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.locator('h1 .status').textContent(), { timeout: 10_000 }).toBe('succeeded');
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
  });

  it('lists 50 runs, loads the older ones on demand, and filters by workflow', async () => {
    const { page } = b;
    h.server.script('/tick', [{ status: 200, body: {} }]);
    const step = [{ name: 'tick', apispec: { url: h.server.url('/tick') } }];
    const many = await publish(h.keys.acmeAdmin, { name: 'Many', steps: step });
    const other = await publish(h.keys.acmeAdmin, { name: 'Other', steps: step });
    for (let i = 0; i < 60; i++) await h.call(h.keys.acmeAdmin, 'POST', `/v1/workflows/${many}/runs`, {});
    const lone = await runToEnd(h.keys.acmeAdmin, other);
    await signIn(page, base(), h.keys.acmeAdmin);
    await nav(page, 'Runs').click();
    const rows = page.locator('table[aria-label=runs] tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load older runs' }).click();
    await expect.poll(() => rows.count()).toBe(61);
    expect(await page.getByRole('button', { name: 'Load older runs' }).count()).toBe(0);
    await page.getByLabel('workflow filter').selectOption(other);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-run')).toBe(lone);
    expect(new URL(page.url()).hash).toBe(`#/runs?workflow=${other}`);
  });

  it('cancels a running run from its page', async () => {
    const { page } = b;
    h.server.script('/stuck', [{ hang: true }]);
    const uid = await publish(h.keys.acmeMember, {
      name: 'Stuck',
      steps: [{ name: 'wait', apispec: { url: h.server.url('/stuck'), timeout: 60 } }],
    });
    const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, {});
    const runId = started.body.id as string;
    await signIn(page, base(), h.keys.acmeMember);
    await page.goto(`${base()}/#/runs/${runId}`);
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('running');
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    expect((await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${runId}`)).body.status).toBe('cancelled');
  });

  it('draws a fanned-out step as one row per item, and its flow card says so', async () => {
    const { page } = b;
    h.server.script('/item', [{ status: 200, body: { ok: true }, delayMs: 30 }]);
    const uid = await publish(h.keys.acmeAdmin, {
      name: 'Per item',
      steps: [
        {
          name: 'each',
          input: '{{ INPUT.ids }}',
          concurrency: 2,
          apispec: { url: `${h.server.url('/item')}?n={{ CURRENT_STEP.input }}` },
        },
      ],
    });
    const runId = await runToEnd(h.keys.acmeAdmin, uid, { ids: [1, 2, 3] });
    await signIn(page, base(), h.keys.acmeAdmin);
    await page.goto(`${base()}/#/workflows/${uid}`);
    const card = page.locator('.flow-step[data-step="each"]');
    await card.waitFor();
    expect(await card.textContent()).toContain('fan-out: items from a template');
    expect(await card.textContent()).toContain('concurrency 2');
    await page.goto(`${base()}/#/runs/${runId}`);
    await page.getByTestId('waterfall').waitFor();
    expect(
      await page.locator('.wf-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row'))),
    ).toEqual(['each', 'each#0', 'each#1', 'each#2']);
    expect(await page.locator('.wf-row[data-row="each"]').textContent()).toContain('each (3 items)');
    await page.locator('.wf-row[data-row="each#2"]').click();
    expect(await page.getByTestId('row-detail').textContent()).toContain('item 2');
    expect(await page.getByTestId('row-detail').textContent()).toContain('3');
    expect(h.server.maxInFlight('/item')).toBeLessThanOrEqual(2);
  });

  it('creates, tests and deletes connections from the connector fields, never showing a secret back', async () => {
    const { page } = b;
    await signIn(page, base(), h.keys.acmeMember);
    await nav(page, 'Connections').click();
    const form = page.getByRole('form', { name: 'new connection' });
    await form.getByLabel('Name').fill('books');
    const secret = page.getByLabel('API key');
    expect(await secret.getAttribute('type')).toBe('password');
    // A required field left empty is named before anything is sent.
    await form.getByRole('button', { name: 'Create connection' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('fill in API key');
    await secret.fill('good-7d1e0c9b4a');
    await form.getByRole('button', { name: 'Create connection' }).click();
    const books = page.locator('tr[data-connection="books"]');
    await books.waitFor();
    expect(await books.textContent()).toContain('api_key');
    expect(await secret.inputValue()).toBe('');
    await books.getByRole('button', { name: 'Test' }).click();
    await expect.poll(() => books.textContent()).toContain('✓ works');

    await form.getByLabel('Name').fill('broken');
    await secret.fill('bad-0000');
    await form.getByRole('button', { name: 'Create connection' }).click();
    const broken = page.locator('tr[data-connection="broken"]');
    await broken.getByRole('button', { name: 'Test' }).click();
    await expect.poll(() => broken.textContent()).toContain('the ledger refused this API key');
    await shot(page, '08-connections');
    expect(await page.content()).not.toContain('good-7d1e0c9b4a');

    await broken.getByRole('button', { name: 'Delete' }).click();
    await broken.getByRole('button', { name: 'Yes, delete' }).click();
    await broken.waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-connection]').count()).toBe(1);
  });

  it('lists triggers with their state and lets those who may write the workflow disable and enable them', async () => {
    const { page } = b;
    const own = await publish(h.keys.acmeMember, {
      name: 'Hourly report',
      trigger: { schedule: { cron: '0 * * * *', timezone: 'UTC' } },
      steps: [{ name: 'report', apispec: { url: h.server.url('/report') } }],
    });
    const global = await publish(h.keys.acmeAdmin, {
      name: 'Global hook',
      scope: 'global',
      trigger: { webhook: {} },
      steps: [{ name: 'forward', apispec: { url: h.server.url('/forward') } }],
    });

    // A member switches the workspace workflow's trigger, but not the global one's (no button, and the
    // workflow page offers no Edit or Delete).
    await signIn(page, base(), h.keys.acmeMember);
    await nav(page, 'Triggers').click();
    const ownRow = page.locator(`tr[data-trigger="${own}"]`);
    const globalRow = page.locator(`tr[data-trigger="${global}"]`);
    await ownRow.waitFor();
    expect(await ownRow.textContent()).toContain('schedule');
    expect(await ownRow.getAttribute('data-enabled')).toBe('true');
    // The next top of the hour: seconds, minutes or an hour away.
    expect(await ownRow.textContent()).toMatch(/in \d+ (s|min|h)|just now/);
    expect(await globalRow.textContent()).toContain(`/v1/hooks/${global}/`);
    await expect.poll(() => globalRow.getByRole('button').count()).toBe(0);
    await ownRow.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => ownRow.getAttribute('data-enabled')).toBe('false');
    await shot(page, '09-triggers');
    await ownRow.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => ownRow.getAttribute('data-enabled')).toBe('true');

    await page.goto(`${base()}/#/workflows/${global}`);
    await page.getByRole('button', { name: 'Run', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Edit YAML' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    // A member's draft of a global workflow is refused while typing, with the reason.
    await page.goto(`${base()}/#/workflows/new`);
    await pasteInto(
      page,
      'workflow YAML',
      'name: Mine everywhere\nscope: global\nsteps:\n  - name: a\n    apispec:\n      url: http://127.0.0.1:1/\n',
    );
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('only admins write global workflows');

    // The admin may: the global trigger has its switch.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, base(), h.keys.acmeAdmin);
    await nav(page, 'Triggers').click();
    await globalRow.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => globalRow.getAttribute('data-enabled')).toBe('false');
  });

  it("shows a second workspace none of the first one's workflows, runs, connections or triggers", async () => {
    const { page } = b;
    h.server.script('/acme-orders', [{ status: 200, body: { secret: 'acme-data-5521' } }]);
    const uid = await publish(h.keys.acmeAdmin, {
      name: 'Acme private sync',
      trigger: { webhook: {} },
      steps: [{ name: 'orders', apispec: { url: h.server.url('/acme-orders') } }],
    });
    const runId = await runToEnd(h.keys.acmeAdmin, uid);
    const saved = await h.call(h.keys.acmeAdmin, 'POST', '/v1/connections', {
      name: 'acme-books',
      connector: 'ledger',
      values: { api_key: 'good-acme' },
    });
    expect(saved.status).toBe(201);

    await signIn(page, base(), h.keys.globexMember);
    await page.getByText('No workflows yet').waitFor();
    await nav(page, 'Runs').click();
    await page.getByText('No runs yet').waitFor();
    await nav(page, 'Connections').click();
    await page.getByText('No connections yet').waitFor();
    await nav(page, 'Triggers').click();
    await page.getByText('No workflow of this workspace has a trigger').waitFor();
    await page.goto(`${base()}/#/runs/${runId}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(`no run ${runId}`);
    await page.goto(`${base()}/#/workflows/${uid}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(`no workflow ${uid}`);
    await shot(page, '10-other-workspace');
    const html = await page.content();
    for (const text of ['Acme private sync', 'acme-data-5521', 'acme-books'])
      expect(html).not.toContain(text);
  });
});
