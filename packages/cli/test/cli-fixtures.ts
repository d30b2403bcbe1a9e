import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliResult, REPO_ROOT } from './run-cli.js';

/** The example connector the CLI tests run, relative to the repository root. */
export const CONNECTOR = 'examples/my-app/src/connector.ts';

/** The token the example API accepts. */
export const TOKEN = 'my-app-secret-token';

/** A scratch folder inside the repository (so `@sluice/sdk` resolves from files written there). */
export function scratchDir(prefix: string): {
  dir: string;
  write(name: string, content: unknown): string;
  remove(): void;
} {
  const dir = join(REPO_ROOT, 'test-output', `${prefix}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    write(name, content) {
      const file = join(dir, name);
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The result printed on stdout, parsed; fails the test with stderr when the run failed. */
export function json(result: CliResult): unknown {
  expect(result.stderr, 'stderr').toBe('');
  expect(result.code, 'exit code').toBe(0);
  return JSON.parse(result.stdout);
}

/**
 * Checks the error contract: exit code 1, nothing on stdout, the error on one line (matching `first`),
 * at most a `hint:` line after it, and no stack trace.
 */
export function expectCleanError(result: CliResult, first: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.replace(/\n$/, '').split('\n');
  expect(lines[0]).toMatch(first);
  expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: \S/);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}
