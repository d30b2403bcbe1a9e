import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fillSnippets, readRegion } from '../scripts/snippets.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README.md snippets', () => {
  it('show the marked regions of the example files as they are (npm run docs:snippets refreshes them)', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    expect(readme).toContain('<!-- snippet: ');
    expect(fillSnippets(root, readme)).toBe(readme);
  });

  it('name the file and the region when a region is missing', () => {
    expect(() => readRegion(root, 'examples/my-app/src/connector.ts', 'nope')).toThrow(
      'examples/my-app/src/connector.ts: no region "nope"',
    );
  });
});
