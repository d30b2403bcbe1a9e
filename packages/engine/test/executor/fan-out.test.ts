import { describe, expect, it } from 'vitest';
import { fanOut, fanOutItems } from '../../src/executor/fan-out.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('fanOutItems', () => {
  it('runs a list once per item and anything else once', () => {
    expect(fanOutItems([1, 2])).toEqual({ fannedOut: true, items: [1, 2] });
    expect(fanOutItems({ a: 1 })).toEqual({ fannedOut: false, items: [{ a: 1 }] });
    expect(fanOutItems(null)).toEqual({ fannedOut: false, items: [null] });
    expect(fanOutItems([])).toEqual({ fannedOut: true, items: [] });
  });
});

describe('fanOut', () => {
  it('keeps results in item order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await fanOut(
      [30, 10, 20, 5, 1],
      2,
      async (n) => {
        running += 1;
        most = Math.max(most, running);
        for (let i = 0; i < n; i++) await tick();
        running -= 1;
        return n * 2;
      },
      () => false,
    );
    expect(results).toEqual([60, 20, 40, 10, 2]);
    expect(most).toBe(2);
  });

  it('starts no new item after a failure and marks the rest undefined', async () => {
    const started: number[] = [];
    const results = await fanOut(
      [0, 1, 2, 3],
      1,
      async (n) => {
        started.push(n);
        return n === 1 ? 'bad' : 'ok';
      },
      (r) => r === 'bad',
    );
    expect(started).toEqual([0, 1]);
    expect(results).toEqual(['ok', 'bad', undefined, undefined]);
  });

  it('rejects with the first error once the items in flight have settled', async () => {
    let finished = 0;
    const run = fanOut(
      [1, 2],
      2,
      async (n) => {
        await tick();
        if (n === 1) throw new Error('boom');
        await tick();
        finished += 1;
        return n;
      },
      () => false,
    );
    await expect(run).rejects.toThrow('boom');
    expect(finished).toBe(1);
  });

  it('gives one item the outcomes of the shared loop: its result, its rejection, an abort before or during it', async () => {
    const failed = (r: string) => r === 'bad';
    expect(await fanOut(['x'], 4, async (x) => `${x}!`, failed)).toEqual(['x!']);
    expect(await fanOut(['x'], 4, async () => 'bad', failed)).toEqual(['bad']);
    await expect(fanOut(['x'], 1, async () => Promise.reject(new Error('one')), failed)).rejects.toThrow(
      'one',
    );

    const before = new AbortController();
    before.abort(new Error('cancelled first'));
    let ran = false;
    const aborted = fanOut(
      ['x'],
      1,
      async () => {
        ran = true;
        return 'ok';
      },
      failed,
      before.signal,
    );
    await expect(aborted).rejects.toThrow('cancelled first');
    expect(ran).toBe(false);

    const during = new AbortController();
    const cancelled = fanOut(
      ['x'],
      1,
      async () => {
        during.abort(new Error('cancelled during'));
        return 'ok';
      },
      failed,
      during.signal,
    );
    await expect(cancelled).rejects.toThrow('cancelled during');
  });
});
