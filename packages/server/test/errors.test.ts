import { readFileSync } from 'node:fs';
import { isSluiceError } from '@sluice/sdk';
import { ManagedError, RouteDiscoveryError, SERVER_ERROR_CODES } from '@sluice/server';
import { describe, expect, it } from 'vitest';

// Like fastify's errors test: the registry and docs/errors.md must list the same codes.
const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const start = doc.indexOf('## @sluice/server');
const section = doc.slice(start, doc.indexOf('\n## ', start + 1) >>> 0);
const documented = [...section.matchAll(/^\|\s*`(SLUICE_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);

describe('docs/errors.md', () => {
  it('documents every server error code, and no code that does not exist', () => {
    expect(start).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual(Object.keys(SERVER_ERROR_CODES).sort());
  });
});

describe('ManagedError', () => {
  it('gives each constructor its status, code, message and data', () => {
    const cases = [
      [
        ManagedError.validationError('Invalid input', { field: 'email' }),
        400,
        'SLUICE_MANAGED_VALIDATION',
        'Invalid input',
        { field: 'email' },
      ],
      [
        ManagedError.notFound('User', '123'),
        404,
        'SLUICE_MANAGED_NOT_FOUND',
        'User not found: 123',
        { resource: 'User', identifier: '123' },
      ],
      [ManagedError.unauthorized(), 401, 'SLUICE_MANAGED_UNAUTHORIZED', 'Unauthorized', undefined],
      [
        ManagedError.unauthorized('Invalid API key'),
        401,
        'SLUICE_MANAGED_UNAUTHORIZED',
        'Invalid API key',
        undefined,
      ],
      [ManagedError.forbidden(), 403, 'SLUICE_MANAGED_FORBIDDEN', 'Forbidden', undefined],
      [
        ManagedError.serverError('Database connection failed'),
        500,
        'SLUICE_MANAGED_SERVER_ERROR',
        'Database connection failed',
        undefined,
      ],
      [
        ManagedError.serviceError('timeout', 'Slack'),
        502,
        'SLUICE_MANAGED_SERVICE_ERROR',
        'Slack service error: timeout',
        { service: 'Slack' },
      ],
    ] as const;
    for (const [err, status, code, message, data] of cases) {
      expect([err.statusCode, err.code, err.message, err.data]).toEqual([status, code, message, data]);
      expect(isSluiceError(err, code)).toBe(true);
      expect(err.name).toBe('ManagedError');
    }
  });

  it('is recognised by instanceof even when built by another copy of the package', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('sluice.server.managed-error'), {
      value: true,
    });
    expect(foreign instanceof ManagedError).toBe(true);
    expect(new Error('x') instanceof ManagedError).toBe(false);
  });

  it('rejects a status code that is not an error status', () => {
    expect(() => new ManagedError({ error: 'x', statusCode: 200 })).toThrow(/400 to 599/);
  });
});

describe('RouteDiscoveryError', () => {
  it('names the file, and both files of a duplicate', () => {
    const err = new RouteDiscoveryError('SLUICE_ROUTE_DUPLICATE', 'b.ts', 'POST /x is defined twice', {
      files: ['a.ts', 'b.ts'],
    });
    expect([err.file, err.files, err.code]).toEqual(['b.ts', ['a.ts', 'b.ts'], 'SLUICE_ROUTE_DUPLICATE']);
    expect(isSluiceError(err, 'SLUICE_ROUTE_DUPLICATE')).toBe(true);
  });
});
