/**
 * The SDK runtime pieces the executor sends with, in one place: the retry loop, the undici transport
 * and the encoders, all from `@sluice/sdk/internal`. The executor never re-implements them.
 *
 * @internal
 * @module
 */
export type {
  AttemptRecord,
  HttpTransport,
  SendResult,
  SendWithRetryOptions,
  WireRequest,
  WireResponse,
} from '@sluice/sdk/internal';
export {
  classifyError,
  createUndiciTransport,
  decodeJson,
  defaultTransport,
  encodeForm,
  encodeJson,
  encodeQuery,
  flattenParams,
  sendWithRetry,
} from '@sluice/sdk/internal';
