import { describe, expect, it } from 'vitest';
import { ConcurrencyLimits, stepConcurrency } from '../../src/limits/concurrency-limits.js';
import { Semaphore } from '../../src/limits/semaphore.js';

describe('Semaphore', () => {
  it('lets in at most its capacity, first come first served', async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = semaphore.acquire().then((release) => {
      order.push('d');
      return release;
    });
    await Promise.resolve();
    expect(semaphore.held).toBe(2);
    a();
    a(); // a second release of the same permit is a no-op
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(semaphore.held).toBe(0);
  });

  it('rejects a waiter with the signal reason when aborted, and gives up its place', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    release();
    expect(semaphore.held).toBe(0);
    (await semaphore.acquire())();
  });

  it('lets waiters in when its capacity grows', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const waiting = semaphore.acquire();
    semaphore.capacity = 2;
    await waiting;
    expect(semaphore.held).toBe(2);
  });
});

describe('stepConcurrency', () => {
  it('runs one item at a time per run, with no shared cap, when concurrency is unset', () => {
    expect(stepConcurrency(new ConcurrencyLimits(), 'wf', 'notify', undefined)).toEqual({
      perRun: 1,
      shared: undefined,
    });
  });

  it('shares one semaphore per workflow and step across runs', () => {
    const limits = new ConcurrencyLimits();
    const a = stepConcurrency(limits, 'wf', 'notify', 4);
    const b = stepConcurrency(limits, 'wf', 'notify', 4);
    const other = stepConcurrency(limits, 'wf', 'other', 4);
    expect(a.perRun).toBe(4);
    expect(a.shared).toBe(b.shared);
    expect(other.shared).not.toBe(a.shared);
    expect(stepConcurrency(limits, 'wf', 'notify', 2).shared?.capacity).toBe(2);
  });
});
