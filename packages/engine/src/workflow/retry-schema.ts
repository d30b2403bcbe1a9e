/**
 * The JSON Schema of a retry block (`default_retry`, `steps[].retry`): urllib3 2.x `Retry` fields, with
 * the SDK's rules (`resolveRetryOptions` in `@sluice/sdk/internal`) and defaults ({@link RETRY_DEFAULTS}).
 * The error texts are the SDK's, so a retry block reads the same whichever layer rejects it.
 *
 * @internal
 * @module
 */
import { RETRY_DEFAULTS } from '@sluice/sdk';
import type { JsonSchemaNode } from '../model/json-schema-node.js';

const COUNT_FALSE = 'must be a non-negative integer, null or false';
const COUNT = 'must be a non-negative integer or null';
const SECONDS = 'must be a non-negative number of seconds';
const FLAG = 'must be true or false';

// Each `anyOf` branch repeats its parent's message: editors report the best-matching branch.
function counter(description: string, allowFalse: boolean, allowTrue = false): JsonSchemaNode {
  const errorMessage = allowTrue
    ? 'must be a non-negative integer, null, true or false'
    : allowFalse
      ? COUNT_FALSE
      : COUNT;
  const branches: JsonSchemaNode[] = [
    { type: 'integer', minimum: 0, errorMessage },
    { type: 'null', errorMessage },
  ];
  if (allowFalse) branches.push({ const: false, errorMessage });
  if (allowTrue) branches.push({ const: true, errorMessage });
  return { description, anyOf: branches, errorMessage };
}

function seconds(description: string, fallback: number): JsonSchemaNode {
  return { description, type: 'number', minimum: 0, default: fallback, errorMessage: SECONDS };
}

function flag(description: string, fallback: boolean): JsonSchemaNode {
  return { description, type: 'boolean', default: fallback, errorMessage: FLAG };
}

function nameList(
  description: string,
  what: string,
  item: JsonSchemaNode,
  withFalse: boolean,
): JsonSchemaNode {
  const errorMessage = `must be a list of ${what}, or null`;
  const branches: JsonSchemaNode[] = [
    { type: 'array', items: item, errorMessage },
    { type: 'null', errorMessage },
  ];
  if (withFalse) branches.push({ const: false, errorMessage });
  return { description, anyOf: branches, errorMessage };
}

/**
 * The retry block's schema. `description` says where it sits (workflow default or step override).
 * Property order follows urllib3's `Retry` signature.
 */
export function retrySchema(description: string): JsonSchemaNode {
  return {
    description,
    type: 'object',
    errorMessage: 'must be an object of retry options (urllib3 Retry fields)',
    additionalProperties: false,
    properties: {
      total: counter(
        'Retries of any kind, redirects included; takes precedence over the other counters. `null`: no ' +
          'limit from this counter. `false`: no retries, errors raised as they are and redirects returned. ' +
          'Default 10 when any retry setting is given (urllib3 `Retry()`); a workflow without any retry ' +
          'settings uses urllib3 `Retry(3)`.',
        true,
      ),
      connect: counter(
        'Retries after connect errors (the request never reached the server), for any method. `null`: no ' +
          'limit from this counter (default). `false`: raise connect errors as they are.',
        true,
      ),
      read: counter(
        'Retries after read errors (the request may have reached the server), only for `allowed_methods`. ' +
          '`null`: no limit from this counter (default). `false`: raise read errors as they are.',
        true,
      ),
      redirect: counter(
        'Redirects to follow. `null` or `true`: no limit from this counter (default). `false`: return the ' +
          'first redirect response instead of following it.',
        true,
        true,
      ),
      status: counter(
        'Retries on bad statuses (`status_forcelist`, or 413/429/503 with Retry-After). `null`: no limit ' +
          'from this counter (default).',
        false,
      ),
      other: counter(
        'Retries after errors that are neither connect nor read errors (TLS, ...). `null`: no limit from ' +
          'this counter (default).',
        false,
      ),
      allowed_methods: nameList(
        'Methods retried after read errors and bad statuses, case-insensitive. `null`, `false` or `[]`: ' +
          `any method. Default: ${RETRY_DEFAULTS.allowed_methods?.join(', ')}.`,
        'method names',
        {
          type: 'string',
          minLength: 1,
          examples: ['GET', 'PUT', 'DELETE', 'POST'],
          errorMessage: 'must be a method name',
        },
        true,
      ),
      status_forcelist: nameList(
        'HTTP statuses always retried (for `allowed_methods`), e.g. `[429, 502, 503]`. Default: none.',
        'HTTP statuses',
        {
          type: 'integer',
          minimum: 100,
          maximum: 599,
          errorMessage: 'must be an HTTP status from 100 to 599',
        },
        false,
      ),
      backoff_factor: seconds(
        'Backoff base in seconds: after the n-th consecutive failed attempt the wait is ' +
          '`backoff_factor * 2^(n-1)`; no wait before the first retry.',
        RETRY_DEFAULTS.backoff_factor,
      ),
      backoff_max: seconds('Longest backoff wait in seconds, jitter included.', RETRY_DEFAULTS.backoff_max),
      backoff_jitter: seconds(
        'Up to this many random seconds are added to each backoff wait.',
        RETRY_DEFAULTS.backoff_jitter,
      ),
      raise_on_redirect: flag(
        'When redirects run out: `true` fails the step (error class `redirect`), `false` returns the 3xx ' +
          'response.',
        RETRY_DEFAULTS.raise_on_redirect,
      ),
      raise_on_status: flag(
        'When status retries run out: `true` fails with a retry error (class `status`), `false` returns ' +
          'the last response, as urllib3 does, and the step succeeds with it (`CURRENT_STEP.response.status`). ' +
          'Any other final status of 400 or more fails the step.',
        RETRY_DEFAULTS.raise_on_status,
      ),
      respect_retry_after_header: flag(
        'Wait as the `Retry-After` header says (seconds or an HTTP date), and retry 413, 429 and 503 ' +
          'carrying it even outside `status_forcelist` while `total` is a positive number.',
        RETRY_DEFAULTS.respect_retry_after_header,
      ),
      remove_headers_on_redirect: {
        description:
          'Headers dropped when a redirect leaves the origin (scheme, host, port), case-insensitive. ' +
          'Default: Cookie, Authorization, Proxy-Authorization.',
        type: 'array',
        items: { type: 'string', minLength: 1, errorMessage: 'must be a header name' },
        errorMessage: 'must be a list of header names',
      },
      retry_after_max: seconds(
        'Longest `Retry-After` wait honoured, in seconds; longer values are cut to it (6 hours).',
        RETRY_DEFAULTS.retry_after_max,
      ),
    },
  };
}
