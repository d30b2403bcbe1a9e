/**
 * The SDK runtime pieces the executor sends with, in one place: the retry loop, the undici transport
 * and the encoders, all from `@sluice/sdk/internal`. The executor never re-implements them.
 *
 * @internal
 * @module
 */
export type { AttemptRecord, SendResult, SendWithRetryOptions } from '@sluice/sdk/internal';
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

import type { sendWithRetry } from '@sluice/sdk/internal';

/** The transport interface (`HttpTransport` is not exported by name from the SDK). */
export type HttpTransportLike = Parameters<typeof sendWithRetry>[2]['transport'];
/** A request on the wire (`WireRequest`). */
export type WireRequestLike = Parameters<typeof sendWithRetry>[0];
/** A complete response (`WireResponse`). */
export type WireResponseLike = Awaited<ReturnType<HttpTransportLike['send']>>;
