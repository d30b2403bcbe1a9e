import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consoleFolder } from '../src/console-folder.js';

describe('consoleFolder', () => {
  it('names the dist folder of the @sluice/console workspace package, built or not', () => {
    const expected = realpathSync(fileURLToPath(new URL('../../console', import.meta.url)));
    expect(consoleFolder()).toBe(join(expected, 'dist'));
  });
});
