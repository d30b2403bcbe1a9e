import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./idle-workers-child.ts', import.meta.url));

describe('template workers at rest', () => {
  it('let a process end on its own, also after a worker was stopped at its deadline and replaced', async () => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', CHILD]);
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    child.stderr.pipe(process.stderr);
    const exited = new Promise<number | null>((done) => child.once('exit', (exit) => done(exit)));
    // A hang detector, not a speed check: a worker left holding the process open never lets it exit.
    const hung = new Promise<'still running'>((done) =>
      setTimeout(() => done('still running'), 45_000).unref(),
    );
    const code = await Promise.race([exited, hung]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(printed.trim()).toBe('SLUICE_TEMPLATE_DEADLINE');
    expect(code).toBe(0);
  }, 60_000);
});
