import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_ERROR_CODES } from '../src/errors.js';

/** The codes listed in the first column of the tables of `section` in a docs page. */
function documentedCodes(page: string, heading: string): string[] {
  const doc = readFileSync(new URL(`../../../docs/${page}`, import.meta.url), 'utf8');
  const start = doc.indexOf(heading);
  expect(start, `${page} has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `(SLUICE_CLI_[A-Z_]+)`\s*\|/gm)].map((m) => m[1] ?? '');
}

describe('CLI error codes', () => {
  it('are all documented in docs/errors.md and docs/cli.md, and nothing else is', () => {
    const codes = Object.keys(CLI_ERROR_CODES).sort();
    expect(documentedCodes('errors.md', '## sluice (CLI)').sort()).toEqual(codes);
    expect(documentedCodes('cli.md', '## Output, errors and exit codes').sort()).toEqual(codes);
  });
});
