import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the demo the way `npm start` does, with tsx loaded into plain node. */
function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', 'examples/my-app/src/demo.ts'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start (examples/my-app/src/demo.ts)', () => {
  it('runs the connector end to end against the API and exits 0', async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^my-app API on http:\/\/127\.0\.0\.1:\d+ with 250 customers$/);
    expect(lines.slice(1)).toEqual([
      'test: connection OK',
      'actions.get_customer_by_id {id: 42}: Diego Müller <diego.muller.42@example.com>, Lyon',
      'triggers.new_customer cycle 1: 250 events (first id 1, last id 250)',
      'triggers.new_customer cycle 2 (state from cycle 1, through JSON): 0 events',
      expect.stringMatching(/^added customer 251 \(Ada Lovelace, created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/),
      'triggers.new_customer cycle 3: 1 event (first id 251, last id 251)',
      'triggers.new_customer_descending cycle 1: 251 events (first id 1, last id 251)',
      expect.stringMatching(/^\d+ requests served; done$/),
    ]);
  });
});
