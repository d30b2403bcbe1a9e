/**
 * What the browser tests share: the built console (built here when a test runs before `npm run build`),
 * one Chromium per file, a page per test, signing in, and screenshots under `test-output/console/`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchChromium } from './chromium.js';

/** The built console: the folder the tests hand to `createApi({ console })`. */
export const CONSOLE_DIR = fileURLToPath(new URL('../dist/', import.meta.url));
const VITE_CONFIG = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
/** Screenshots of the main pages, for people to look at (CI keeps the folder). */
export const SHOTS_DIR = fileURLToPath(new URL('../../../test-output/console/', import.meta.url));

/** Builds the console when it is not built yet (`npm test` builds it before the tests). */
export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(`${CONSOLE_DIR}index.html`)) return;
  const { build } = await import('vite');
  await build({ configFile: VITE_CONFIG, logLevel: 'warn' });
}

export interface BrowserHarness {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page: a test fails when there are any. */
  pageErrors: string[];
}

/** Declares one browser for the file and a fresh context and page for each test. */
export function useBrowser(): BrowserHarness {
  const b = { pageErrors: [] as string[] } as BrowserHarness;
  beforeAll(async () => {
    mkdirSync(SHOTS_DIR, { recursive: true });
    await ensureConsoleBuilt();
    b.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await b.browser?.close();
  });
  beforeEach(async () => {
    b.context = await b.browser.newContext({ viewport: { width: 1280, height: 860 } });
    b.page = await b.context.newPage();
    b.page.setDefaultTimeout(10_000);
    b.pageErrors = [];
    b.page.on('pageerror', (err) => b.pageErrors.push(err.message));
  });
  afterEach(async () => {
    await b.context.close();
    expect(b.pageErrors).toEqual([]);
  });
  return b;
}

/** Opens the console at `base` and signs in with `key` through the form. */
export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}

/** The id a console address names: `<id>` of `#/runs/<id>` or `#/workflows/<id>`. */
export function idInHash(page: Page): string {
  return decodeURIComponent(new URL(page.url()).hash.split('/')[2]?.split('?')[0] ?? '');
}

/** The page's globals a test reads (tests are type-checked without the DOM library). */
export interface PageGlobals {
  sessionStorage: { getItem(name: string): string | null; setItem(name: string, value: string): void };
}

/** The key the console keeps for the tab, or `null`. */
export function storedKey(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('sluice.key'));
}

/** Saves a full-page screenshot as `test-output/console/<name>.png`. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS_DIR}${name}.png`, fullPage: true });
}

/** The page's DOM classes a paste needs (tests are type-checked without the DOM library). */
interface PasteGlobals {
  DataTransfer: new () => { setData(type: string, value: string): void };
  ClipboardEvent: new (
    type: string,
    init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean },
  ) => unknown;
}

/**
 * Replaces the text of a CodeMirror editor by pasting `text` over all of it, as a person would (typing
 * would indent each new line again and close brackets).
 */
export async function pasteInto(page: Page, label: string, text: string): Promise<void> {
  const editor = page.getByLabel(label);
  await editor.click();
  await editor.press('ControlOrMeta+a');
  await editor.evaluate((element, value) => {
    const g = globalThis as unknown as PasteGlobals;
    const data = new g.DataTransfer();
    data.setData('text/plain', value);
    const event = new g.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
    (element as { dispatchEvent(event: unknown): boolean }).dispatchEvent(event);
  }, text);
}

/** The text of the CodeMirror editor labelled `label` (one element per line; short documents only). */
export async function editorText(page: Page, label = 'workflow YAML'): Promise<string> {
  return (await page.getByLabel(label).locator('.cm-line').allTextContents()).join('\n');
}
