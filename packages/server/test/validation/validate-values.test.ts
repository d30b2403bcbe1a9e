import {
  ManagedError,
  parseJsonString,
  Request,
  validateAndParseJson,
  validateArray,
  validateDict,
  validateObject,
  validateRequest,
  validateString,
} from '@sluice/server';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';

/** The 400 ManagedError `fn` throws, as [status, error, data]. */
function rejection(fn: () => unknown): [number, string, unknown] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ManagedError) return [err.statusCode, err.message, err.data];
    throw err;
  }
  throw new Error('did not throw');
}

describe('the validate* helpers (workflows-cdk validate_*)', () => {
  it('return the value, parsed from JSON text when it is a string', () => {
    expect(validateArray('[1, 2]', 'ids')).toEqual([1, 2]);
    expect(validateObject({ a: 1 }, 'o')).toEqual({ a: 1 });
    expect(validateAndParseJson('{"a": [1]}', 'j')).toEqual({ a: [1] });
    expect(validateString('x', 's')).toBe('x');
    expect(validateDict({}, 'd')).toEqual({});
    expect(parseJsonString('3')).toBe(3);
  });

  it('throw a 400 naming the field', () => {
    expect(rejection(() => validateArray('{}', 'ids'))).toEqual([
      400,
      'ids must be an array',
      { field: 'ids' },
    ]);
    expect(rejection(() => validateObject('nope', 'o'))).toEqual([
      400,
      'o is not valid JSON',
      { field: 'o' },
    ]);
    expect(rejection(() => validateDict('{}', 'd'))).toEqual([400, 'd must be an object', { field: 'd' }]);
    expect(rejection(() => validateString(1, 's'))).toEqual([400, 's must be a string', { field: 's' }]);
    expect(rejection(() => validateAndParseJson(5, 'j'))[1]).toBe('j must be a JSON string, object or array');
  });

  it('validateRequest names data, credentials and the required top-level fields that are missing', () => {
    const request = (body: unknown) => new Request({ body } as FastifyRequest);
    expect(() =>
      validateRequest(request({ data: {}, credentials: {}, closure: 1 }), ['closure']),
    ).not.toThrow();
    expect(rejection(() => validateRequest(request({ data: {} }), ['closure']))).toEqual([
      400,
      'Missing required fields: credentials, closure',
      { missing: ['credentials', 'closure'] },
    ]);
  });
});
