import { FieldValidationError, SdkError } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { formatError } from '../src/print-error.js';

describe('formatError', () => {
  it('prints a Sluice error as one line with its code, then its hint', () => {
    const err = new FieldValidationError('input.id', 'is required', {
      code: 'SLUICE_FIELD_REQUIRED',
      hint: 'send it',
    });
    expect(formatError(err)).toBe('error SLUICE_FIELD_REQUIRED: input.id: is required\nhint: send it\n');
  });

  it('keeps a multi-line message on one line, and omits an absent hint', () => {
    const err = new SdkError('SLUICE_CONNECTOR_LOAD', 'cannot load x.ts:\n  boom\n');
    expect(formatError(err)).toBe('error SLUICE_CONNECTOR_LOAD: cannot load x.ts: boom\n');
  });

  it('prints other errors by class name with a hint to use --debug, and non-errors as text', () => {
    expect(formatError(new TypeError('x is not a function'))).toBe(
      'error TypeError: x is not a function\nhint: run again with --debug to see where it was thrown\n',
    );
    expect(formatError('plain')).toBe('error: plain\n');
  });

  it('appends the stack and each cause under debug', () => {
    const cause = new Error('socket hang up');
    const err = new SdkError('SLUICE_HTTP_READ', 'read failed', { cause, hint: 'retry' });
    const text = formatError(err, { debug: true });
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'error SLUICE_HTTP_READ: read failed',
      'hint: retry',
      'SdkError: read failed',
    ]);
    expect(text).toMatch(/^\s+at .*print-error\.test\.ts/m);
    expect(text).toContain('caused by: Error: socket hang up');
  });
});
