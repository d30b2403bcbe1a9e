import type { Logger } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { redactingLogger } from '../../src/secrets/redacting-logger.js';
import { createRedactor, REDACTED, type Redactor } from '../../src/secrets/redactor.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Level[] = ['debug', 'info', 'warn', 'error'];

/** A logger writing lines of `level` and above into `lines`, as pino does; its level can change. */
function recordingLogger(start: Level, withLevelCheck = true) {
  const lines: unknown[][] = [];
  const state = { level: start };
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: Level) =>
      (...args: unknown[]) => {
        if (ORDER.indexOf(level) >= ORDER.indexOf(state.level)) lines.push([level, bindings, ...args]);
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (more) => make({ ...bindings, ...more }),
      ...(withLevelCheck
        ? { isLevelEnabled: (level: Level) => ORDER.indexOf(level) >= ORDER.indexOf(state.level) }
        : {}),
    };
  };
  return { logger: make({}), lines, state };
}

/** A redactor that counts how often the wrapper asks for it. */
function countedRedactor() {
  const redactor = createRedactor({ values: ['s3cr3t'], names: ['password'] });
  const asked = { count: 0 };
  const get = (): Redactor => {
    asked.count++;
    return redactor;
  };
  return { get, asked };
}

describe('redactingLogger', () => {
  it('redacts the lines the logger writes: fields, message and child bindings', () => {
    const { logger, lines } = recordingLogger('info');
    const { get } = countedRedactor();
    const log = redactingLogger(logger, get).child({ step: 'fetch', password: 'pw' });
    log.info({ url: 'http://h/?t=s3cr3t', headers: { password: 'x' } }, 'sent s3cr3t');
    log.warn('token s3cr3t');
    expect(lines).toEqual([
      [
        'info',
        { step: 'fetch', password: REDACTED },
        { url: `http://h/?t=${REDACTED}`, headers: { password: REDACTED } },
        `sent ${REDACTED}`,
      ],
      ['warn', { step: 'fetch', password: REDACTED }, `token ${REDACTED}`],
    ]);
  });

  it('drops a line of a level the logger does not write without redacting it', () => {
    const { logger, lines } = recordingLogger('info');
    const { get, asked } = countedRedactor();
    const log = redactingLogger(logger, get);
    for (let i = 0; i < 100; i++) log.debug({ headers: { password: 's3cr3t' } }, 'request');
    expect(lines).toEqual([]);
    expect(asked.count).toBe(0);
    log.error({ password: 's3cr3t' }, 'failed');
    expect(asked.count).toBe(1);
    expect(lines).toEqual([['error', {}, { password: REDACTED }, 'failed']]);
  });

  it('asks the level at each line, so a level changed at run time applies at once', () => {
    const { logger, lines, state } = recordingLogger('info');
    const log = redactingLogger(logger, countedRedactor().get);
    expect(log.isLevelEnabled?.('debug')).toBe(false);
    log.debug('before s3cr3t');
    state.level = 'debug';
    expect(log.isLevelEnabled?.('debug')).toBe(true);
    log.debug('after s3cr3t');
    expect(lines).toEqual([['debug', {}, `after ${REDACTED}`]]);
  });

  it('redacts every line for a logger that cannot tell its level', () => {
    const { logger, lines } = recordingLogger('info', false);
    const { get, asked } = countedRedactor();
    const log = redactingLogger(logger, get);
    expect(log.isLevelEnabled?.('debug')).toBe(true);
    log.debug('s3cr3t');
    log.info('s3cr3t');
    expect(asked.count).toBe(2);
    // The logger itself drops the debug line, as it would have anyway.
    expect(lines).toEqual([['info', {}, REDACTED]]);
  });
});
