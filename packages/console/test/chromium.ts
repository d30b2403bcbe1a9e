/**
 * Debian's Chromium, driven by playwright-core (no browser download: `apt-get install -y chromium`).
 * Flags keep it off the network it cannot reach here: no background requests, no QUIC, no first-run,
 * component update or sync. Playwright gives each launch a fresh, empty profile of its own (it refuses
 * `--user-data-dir` with `launch`).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Chromium is: `SLUICE_CHROMIUM`, else Debian's. */
export const CHROMIUM_PATH = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (.ci/run does), or set SLUICE_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
