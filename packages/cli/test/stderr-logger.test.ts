import { describe, expect, it } from 'vitest';
import { maskText } from '../src/mask-text.js';
import { createStderrLogger, formatLine } from '../src/stderr-logger.js';

describe('createStderrLogger', () => {
  it('prints requests and responses as > and < lines with every spelling of a secret masked', () => {
    const lines: string[] = [];
    const logger = createStderrLogger({ write: (line) => lines.push(line), secrets: () => ['s3cret value'] });
    logger.debug(
      {
        method: 'POST',
        url: 'http://x/a?key=s3cret%20value',
        headers: { 'X-Key': 's3cret value' },
        body: '{"k":"s3cret value"}',
      },
      'request',
    );
    logger
      .child({ step: 'one' })
      .debug(
        { method: 'POST', url: 'http://x/a', status: 201, durationMs: 7, attempts: 2, body: 'ok' },
        'response',
      );
    logger.warn('plain message');
    logger.info({ n: 1n, err: new Error('boom') }, 'other');
    expect(lines).toEqual([
      '> POST http://x/a?key=[secret]\n>   X-Key: [secret]\n>   {"k":"[secret]"}\n',
      '< 201 POST http://x/a (7 ms, 2 attempts)\n<   ok\n',
      'warn plain message\n',
      'info other {"n":"1","err":"Error: boom"}\n',
    ]);
  });

  it('falls back to level, message and fields for lines it does not know', () => {
    expect(formatLine('debug', 'retrying', { method: 'GET', url: 'u', waitMs: 5 })).toBe(
      'debug retrying {"method":"GET","url":"u","waitMs":5}',
    );
  });
});

describe('maskText', () => {
  it('masks plain, URL-encoded, form-encoded and JSON-escaped spellings, longest first, ignoring empty secrets', () => {
    expect(maskText('a b&a%20b&a+b&"q\\"x"', ['a b', 'q"x', ''])).toBe(
      '[secret]&[secret]&[secret]&"[secret]"',
    );
    expect(maskText('token tok', ['tok', 'token'])).toBe('[secret] [secret]');
  });
});
