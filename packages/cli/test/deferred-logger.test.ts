/** The deferred logger of `sluice serve`: silent until pointed at a logger, children bound late. */
import type { Logger } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { createDeferredLogger } from '../src/deferred-logger.js';

/** A logger that records `[level, fields, message]`. */
function recorder(lines: unknown[][], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (first: Record<string, unknown> | string, message?: string) =>
    lines.push(
      typeof first === 'string' ? [level, bindings, first] : [level, { ...bindings, ...first }, message],
    );
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recorder(lines, { ...bindings, ...more }),
    isLevelEnabled: (level) => level !== 'debug',
  };
}

describe('createDeferredLogger', () => {
  it('drops lines before use, then writes them, with bindings of children made before', () => {
    const lines: unknown[][] = [];
    const deferred = createDeferredLogger();
    const child = deferred.logger.child({ component: 'triggers' }).child({ runId: 'r1' });
    child.info({ n: 1 }, 'early');
    expect(child.isLevelEnabled?.('info')).toBe(false);
    deferred.use(recorder(lines));
    child.info({ n: 2 }, 'late');
    deferred.logger.warn('plain');
    expect(child.isLevelEnabled?.('info')).toBe(true);
    expect(child.isLevelEnabled?.('debug')).toBe(false);
    expect(lines).toEqual([
      ['info', { component: 'triggers', runId: 'r1', n: 2 }, 'late'],
      ['warn', {}, 'plain'],
    ]);
  });
});
