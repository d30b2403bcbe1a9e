/**
 * `sluice serve --public-url` (and `SLUICE_PUBLIC_URL`): the URL connector webhook triggers subscribe
 * with must be an absolute http(s) URL; anything else is refused before the store is opened.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-public-url-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `sluice serve <args>` in this process, on this file's data folder. */
const serve = (args: readonly string[]) => runCliInProcess(['serve', ...args, '--data-dir', dir]);

describe('sluice serve --public-url', () => {
  it.each(['ftp://sluice.example.com', 'sluice.example.com', '/v1'])('refuses %s', async (value) => {
    const res = await serve(['--public-url', value]);
    expect([res.code, res.stderr]).toEqual([
      1,
      expect.stringContaining(
        `error SLUICE_CLI_OPTION: --public-url ${JSON.stringify(value)} is not an absolute http(s) URL`,
      ),
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
