/**
 * Times a page in Chromium until the first row of `table[aria-label="runs"] tbody tr` is visible: a
 * cold load (a new browser context, so an empty cache) and then a warm one (a reload in the same
 * context). Each load gives two figures: the wall time in this process from before `goto`/`reload` to
 * Playwright seeing the row, and the page's own `performance.now()` when the row appeared (it counts
 * from the navigation's start).
 *
 * @module
 */
import type { Browser } from 'playwright-core';

/** The figures of one page, in ms, one entry per load. */
export interface PageLoads {
  coldWall: number[];
  coldInPage: number[];
  warmWall: number[];
  warmInPage: number[];
}

/**
 * Runs before any script of each document: keeps the key where the console looks for it, and records
 * in `__firstRowAt` the `performance.now()` of the first DOM change after which a runs row is visible
 * (a MutationObserver, so the figure does not depend on how often Playwright polls).
 */
const initScript = (key: string) => `
try { sessionStorage.setItem('sluice.key', ${JSON.stringify(key)}); } catch {}
new MutationObserver((_changes, observer) => {
  const row = document.querySelector('table[aria-label="runs"] tbody tr');
  if (row !== null && row.checkVisibility()) {
    window.__firstRowAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
`;

/**
 * Runs in the page (a function, not a string: the console's CSP forbids eval, and Playwright calls
 * functions through the DevTools protocol): the recorded time, once there is one.
 */
const firstRowAt = () => (globalThis as { __firstRowAt?: number }).__firstRowAt;

export function emptyLoads(): PageLoads {
  return { coldWall: [], coldInPage: [], warmWall: [], warmInPage: [] };
}

/** One cold and one warm load of `url`, appended to `into` (when given; a warm-up passes none). */
export async function loadTwice(browser: Browser, url: string, key: string, into?: PageLoads): Promise<void> {
  const context = await browser.newContext();
  try {
    await context.addInitScript({ content: initScript(key) });
    const page = await context.newPage();
    const firstRow = async () => {
      const handle = await page.waitForFunction(firstRowAt, undefined, { polling: 'raf', timeout: 30_000 });
      return Number(await handle.jsonValue());
    };

    let start = performance.now();
    // 'commit': measure to the row, not to the load event.
    await page.goto(url, { waitUntil: 'commit' });
    const coldInPage = await firstRow();
    const coldWall = performance.now() - start;

    start = performance.now();
    await page.reload({ waitUntil: 'commit' });
    const warmInPage = await firstRow();
    const warmWall = performance.now() - start;

    into?.coldWall.push(coldWall);
    into?.coldInPage.push(coldInPage);
    into?.warmWall.push(warmWall);
    into?.warmInPage.push(warmInPage);
  } finally {
    await context.close();
  }
}
