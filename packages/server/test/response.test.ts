import { Response } from '@sluice/server';
import { describe, expect, it } from 'vitest';

describe('Response', () => {
  it('is a plain object of its three fields, branded through its prototype', () => {
    const success = Response.success({ data: { id: 1 } });
    const error = Response.error({ error: 'Bad thing' });
    for (const response of [success, error]) {
      expect(Object.getOwnPropertySymbols(response)).toEqual([]);
      expect(Object.keys(response).sort()).toEqual(['body', 'errorInit', 'statusCode']);
      expect(response instanceof Response).toBe(true);
    }
    expect([success.statusCode, success.body]).toEqual([200, { data: { id: 1 } }]);
    expect(error.statusCode).toBe(400);
  });

  it('recognises a Response of another copy of the package, and nothing else', () => {
    class OtherCopy {
      readonly statusCode = 200;
    }
    Object.defineProperty(OtherCopy.prototype, Symbol.for('sluice.server.response'), { value: true });
    expect(new OtherCopy() instanceof Response).toBe(true);
    expect({ statusCode: 200, body: { data: 1 } } instanceof Response).toBe(false);
    expect((null as unknown as object) instanceof Response).toBe(false);
  });
});
