import { readFileSync } from 'node:fs';
import { SDK_ERROR_CODES } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';

// Like fastify's errors test: the registry and docs/errors.md must list the same codes.
const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const section = doc.slice(
  doc.indexOf('## @sluice/sdk'),
  doc.indexOf('\n## ', doc.indexOf('## @sluice/sdk') + 1) >>> 0,
);
const documented = [...section.matchAll(/^\|\s*`(SLUICE_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);

describe('docs/errors.md', () => {
  it('documents every SDK error code, and no code that does not exist', () => {
    expect([...documented].sort()).toEqual(Object.keys(SDK_ERROR_CODES).sort());
  });
});
