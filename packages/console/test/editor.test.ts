/**
 * The workflow editor in Chromium against the real API (issue 17): CodeMirror with completion of keys
 * and values from the workflow JSON Schema, a key's description on hover, completion inside `{{ }}`
 * (steps above, INPUT fields, SYSTEM_APIS keys from `GET /v1/templates/reference`, filters), the
 * service's problems in the lint gutter, and the diff between two versions.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../../engine/test/api/harness.js';
import { CONSOLE_DIR, editorText, pasteInto, shot, signIn, useBrowser } from './console-page.js';

const h = useApiHarness({
  console: CONSOLE_DIR,
  listen: true,
  engine: { systemApis: { billing: 'http://127.0.0.1:4010' } },
});
const b = useBrowser();
const base = () => h.baseUrl as string;
const LABEL = 'workflow YAML';

/** The labels of the open completion list (none when it is closed). */
function completions(page: Page): Promise<string[]> {
  return page.locator('.cm-tooltip-autocomplete .cm-completionLabel').allTextContents();
}

/**
 * Accepts option `label` of the open list with a click (Enter is ignored for the first 75 ms after the
 * list changes, CodeMirror's `interactionDelay`, so a fast typist does not accept by accident).
 */
async function pick(page: Page, label: string): Promise<void> {
  await page
    .locator('.cm-tooltip-autocomplete li')
    .filter({ has: page.locator('.cm-completionLabel', { hasText: new RegExp(`^${label}$`) }) })
    .click();
}

/** Puts the cursor at the end of the document. */
async function toEnd(page: Page): Promise<void> {
  await page.getByLabel(LABEL).press('ControlOrMeta+End');
}

async function openNewEditor(page: Page): Promise<void> {
  await signIn(page, base(), h.keys.acmeAdmin);
  await page.goto(`${base()}/#/workflows/new`);
  await page.getByLabel(LABEL).waitFor();
}

describe('workflow editor', { timeout: 60_000 }, () => {
  it('completes keys from the schema with their descriptions, and enum values, and shows a key on hover', async () => {
    const { page } = b;
    await openNewEditor(page);
    await pasteInto(
      page,
      LABEL,
      'name: Completion\nsteps:\n  - name: fetch\n    apispec:\n      url: https://x.test\n      ',
    );
    await toEnd(page);
    await page.keyboard.type('me');
    await expect.poll(async () => (await completions(page))[0]).toBe('method');
    // The description comes with the option.
    await expect.poll(() => page.locator('.cm-completionInfo').textContent()).toContain('The HTTP method');
    await pick(page, 'method');
    // Its values: the schema's examples, as it has no enum.
    await page.keyboard.type('P');
    await expect.poll(() => completions(page)).toEqual(expect.arrayContaining(['POST', 'PUT', 'PATCH']));
    await pick(page, 'PATCH');
    expect(await editorText(page, LABEL)).toContain('\n      method: PATCH');

    // A step's own keys, without those it already has: `name` and `apispec` are not offered again.
    await pasteInto(
      page,
      LABEL,
      'name: Completion\nsteps:\n  - name: fetch\n    apispec:\n      url: https://x.test\n    ',
    );
    await toEnd(page);
    // Asked for (Ctrl+Space) with nothing typed: every key a step may have, but those it has.
    await page.keyboard.press('Control+Space');
    await expect
      .poll(() => completions(page))
      .toEqual(expect.arrayContaining(['on_error', 'output', 'connection', 'concurrency', 'retry']));
    const stepKeys = await completions(page);
    expect(stepKeys).not.toContain('name');
    expect(stepKeys).not.toContain('apispec');
    await page.keyboard.type('on_e');
    await expect.poll(() => completions(page)).toEqual(['on_error']);
    await pick(page, 'on_error');
    await page.keyboard.type('c');
    await expect.poll(() => completions(page)).toEqual(['continue']);
    await pick(page, 'continue');
    await expect.poll(() => editorText(page, LABEL)).toContain('\n    on_error: continue');
    await shot(page, '10-editor-completion');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, '10-editor-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Hover on a key: its description from the schema.
    await page
      .getByLabel(LABEL)
      .locator('.cm-line', { hasText: 'apispec:' })
      .hover({ position: { x: 55, y: 8 } });
    await expect.poll(() => page.locator('.cm-schema-doc').textContent()).toContain('steps[].apispec');
    expect(await page.locator('.cm-schema-doc').textContent()).toContain('HTTP');
  });

  it('completes STEPS with the steps above, INPUT fields, SYSTEM_APIS keys and filters inside {{ }}', async () => {
    const { page } = b;
    await openNewEditor(page);
    await pasteInto(
      page,
      LABEL,
      [
        'name: Templates',
        'steps:',
        '  - name: first',
        '    apispec:',
        '      url: https://x.test/{{ INPUT.customer_id }}',
        '  - name: second',
        '    apispec:',
        '      url: https://x.test/b',
        '  - name: third',
        '    apispec:',
        '      url: "',
      ].join('\n'),
    );
    await toEnd(page);
    await page.keyboard.type('{{ STEPS.');
    await expect.poll(() => completions(page)).toEqual(['first', 'second']);
    await page.keyboard.type('sec');
    await expect.poll(() => completions(page)).toEqual(['second']);
    await pick(page, 'second');
    await page.keyboard.type('.');
    await expect.poll(() => completions(page)).toEqual(['errors', 'output']);
    await page.keyboard.type('output | ');
    await page.keyboard.type('toj');
    await expect.poll(() => completions(page)).toEqual(['tojson']);
    await pick(page, 'tojson');
    await page.keyboard.type(' }}/{{ SYSTEM_APIS.');
    await expect
      .poll(() => completions(page))
      .toEqual(['billing', 'credentials', 'runs', 'sluice', 'workflows']);
    await page.keyboard.press('Escape');
    await page.keyboard.type('billing }}/{{ INPUT.');
    await expect.poll(() => completions(page)).toEqual(['customer_id']);
    await pick(page, 'customer_id');
    const text = await editorText(page, LABEL);
    expect(text).toContain(
      '{{ STEPS.second.output | tojson }}/{{ SYSTEM_APIS.billing }}/{{ INPUT.customer_id',
    );
  });

  it('marks the service problems in the lint gutter as you type, and clears them when fixed', async () => {
    const { page } = b;
    await openNewEditor(page);
    await pasteInto(
      page,
      LABEL,
      'name: Lint\nsteps:\n  - name: a\n    apispec:\n      url: https://x.test\n    on_error: sometimes\n',
    );
    await expect.poll(() => page.getByLabel('problems').textContent()).toContain('line 6');
    await expect
      .poll(() => page.locator('.cm-lintRange-error').allTextContents())
      .toContainEqual(expect.stringContaining('sometimes'));
    expect(await page.locator('.cm-lint-marker-error').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await shot(page, '11-editor-lint');
    await page.getByLabel(LABEL).locator('.cm-line', { hasText: 'sometimes' }).click();
    await page.keyboard.press('End');
    for (let i = 0; i < 'sometimes'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('fail');
    await expect.poll(() => page.getByTestId('check').textContent()).toBe('valid · 1 step');
    expect(await page.locator('.cm-lint-marker-error').count()).toBe(0);
    expect(await page.getByLabel('problems').count()).toBe(0);
  });

  it('shows the diff between two versions, side by side and unified', async () => {
    const { page } = b;
    const first = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', {
      name: 'Diffed',
      steps: [{ name: 'ping', apispec: { url: 'https://x.test/ping' } }],
    });
    const uid = first.body.uid as string;
    const second = await h.call(h.keys.acmeAdmin, 'PUT', `/v1/workflows/${uid}`, {
      name: 'Diffed',
      steps: [
        { name: 'ping', apispec: { url: 'https://x.test/pong' } },
        { name: 'added', apispec: { url: 'https://x.test/added', method: 'POST' } },
      ],
    });
    expect(second.status).toBe(200);
    await signIn(page, base(), h.keys.acmeAdmin);
    await page.goto(`${base()}/#/workflows/${uid}`);
    await page.getByRole('button', { name: 'Compare versions' }).click();
    const diff = page.getByTestId('version-diff');
    await diff.locator('.cm-mergeView').waitFor();
    expect(await page.getByLabel('From version').inputValue()).toBe('1');
    expect(await page.getByLabel('To version').inputValue()).toBe('2');
    // Side by side: v1 on the left with its removed line, v2 on the right with what it added.
    const deleted = await diff.locator('.cm-merge-a .cm-changedLine').allTextContents();
    const inserted = await diff.locator('.cm-merge-b .cm-changedLine').allTextContents();
    expect(deleted.join('\n')).toContain('https://x.test/ping');
    expect(inserted.join('\n')).toContain('https://x.test/pong');
    expect(inserted.join('\n')).toContain('name: added');
    await shot(page, '12-version-diff');

    // Unified: one column, the removed line shown as deleted above the new one.
    await page.getByLabel('side by side').uncheck();
    await diff.locator('.cm-deletedChunk').first().waitFor();
    expect(await diff.locator('.cm-deletedChunk').allTextContents()).toContainEqual(
      expect.stringContaining('https://x.test/ping'),
    );
    expect(await diff.locator('.cm-mergeView').count()).toBe(0);
    // The same version on both sides: said plainly.
    await page.getByLabel('From version').selectOption('2');
    await expect.poll(() => diff.textContent()).toContain('v2 and v2 hold the same document');
  });
});
