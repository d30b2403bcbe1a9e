/**
 * `sluice run`'s progress lines: what a long wait (a wait step, a long Retry-After) shows, on a terminal
 * (a countdown on the step's line, redrawn by the spinner) and elsewhere (one line when it starts).
 */
import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/progress.js';

const step = {
  type: 'step-started',
  runId: 'r1',
  step: 'pause',
  stepIndex: 0,
  items: 1,
  fannedOut: false,
} as const;

describe('progress of a long wait', () => {
  it('prints one line when it starts, elsewhere than a terminal', () => {
    const lines: string[] = [];
    const progress = createProgress({ write: (text) => lines.push(text), tty: false });
    progress.onEvent(step);
    progress.onEvent({ type: 'run-waiting', runId: 'r1', until: '2030-01-01T00:00:30.000Z' });
    progress.onEvent({ type: 'run-waiting', runId: 'r1', until: null });
    progress.stop();
    expect(lines).toEqual(['… waiting until 2030-01-01T00:00:30.000Z\n']);
  });

  it("counts down on the step's line on a terminal, and stops when the wait ends", async () => {
    const lines: string[] = [];
    const progress = createProgress({ write: (text) => lines.push(text), tty: true, intervalMs: 1 });
    progress.onEvent(step);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    progress.onEvent({ type: 'run-waiting', runId: 'r1', until });
    while (!lines.some((line) => line.includes('waiting until'))) await new Promise((r) => setTimeout(r, 2));
    const drawn = lines.find((line) => line.includes('waiting until')) ?? '';
    expect(drawn).toMatch(new RegExp(`pause, waiting until ${until.replace(/[.]/g, '\\.')}: \\d+ s left$`));
    progress.onEvent({ type: 'run-waiting', runId: 'r1', until: null });
    const after = lines.length;
    while (lines.length === after) await new Promise((r) => setTimeout(r, 2));
    expect(lines.at(-1)).not.toContain('waiting');
    progress.stop();
  });
});
