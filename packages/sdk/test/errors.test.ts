import { FieldValidationError, isSluiceError, RequestFailedError, SluiceError } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';

describe('isSluiceError', () => {
  it('recognises Sluice errors by brand and by code', () => {
    const err = new FieldValidationError('input.email', 'is required', { code: 'SLUICE_FIELD_REQUIRED' });
    expect(isSluiceError(err)).toBe(true);
    expect(isSluiceError(err, 'SLUICE_FIELD_REQUIRED')).toBe(true);
    expect(isSluiceError(err, 'SLUICE_HTTP_STATUS')).toBe(false);
    expect(isSluiceError(new Error('x'))).toBe(false);
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.message).toBe('input.email: is required');
    expect(err.name).toBe('FieldValidationError');
  });

  it('recognises an error branded by another copy of the SDK', () => {
    const foreign = Object.assign(new Error('404 Not Found'), { code: 'SLUICE_HTTP_STATUS' });
    Object.defineProperty(foreign, Symbol.for('sluice.error'), { value: true });
    expect(isSluiceError(foreign, 'SLUICE_HTTP_STATUS')).toBe(true);
    expect(foreign instanceof SluiceError).toBe(true);
  });

  it('names the status line, method and URL of a failed request', () => {
    const err = new RequestFailedError({
      status: 404,
      statusText: 'Not Found',
      headers: {},
      body: { error: 'no such customer' },
      method: 'GET',
      url: 'http://127.0.0.1/v1/customers.json',
    });
    expect(err.message).toBe('404 Not Found (GET http://127.0.0.1/v1/customers.json)');
    expect(err.code).toBe('SLUICE_HTTP_STATUS');
  });
});
