import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleRelease } from '../../src/store/runs/idle-release.js';

describe('IdleRelease', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('releases once the idle time passed after the last touch, not before', () => {
    let released = 0;
    const idle = new IdleRelease(30_000, () => released++);
    idle.touch();
    vi.advanceTimersByTime(29_999);
    idle.touch();
    vi.advanceTimersByTime(29_999);
    expect(released).toBe(0);
    vi.advanceTimersByTime(1);
    expect(released).toBe(1);
    vi.advanceTimersByTime(120_000);
    expect(released).toBe(1);
  });

  it('arms again when touched after a release, and releases nothing once cancelled', () => {
    let released = 0;
    const idle = new IdleRelease(1000, () => released++);
    idle.touch();
    vi.advanceTimersByTime(1000);
    idle.touch();
    vi.advanceTimersByTime(1000);
    expect(released).toBe(2);
    idle.touch();
    idle.cancel();
    vi.advanceTimersByTime(5000);
    expect(released).toBe(2);
  });

  it('keeps no process alive: its timer is unreferenced', () => {
    const idle = new IdleRelease(1000, () => {});
    const spy = vi.spyOn(globalThis, 'setTimeout');
    idle.touch();
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    spy.mockRestore();
    idle.cancel();
  });
});
