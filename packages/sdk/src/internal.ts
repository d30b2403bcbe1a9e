/**
 * `@sluice/sdk/internal`: runtime pieces the CLI, the server and the engine need. Not for connectors.
 *
 * @internal
 * @module
 */

export type { AuthorizationController, AuthorizationHost } from './connector/authorization-controller.js';
export { createAuthorization, matchesFailure } from './connector/authorization-controller.js';
export type {
  ConfigFieldsOption,
  ConnectorRuntime,
  ConnectorRuntimeOptions,
  PollTriggerOptions,
  WebhookNotificationOptions,
  WebhookSubscribeOptions,
} from './connector/connector-runtime.js';
export { createConnectorRuntime } from './connector/connector-runtime.js';
export type { BuildAuthorizationUrlOptions } from './connector/oauth2.js';
export { buildAuthorizationUrl, parseTokenAnswer, refreshAccessToken } from './connector/oauth2.js';
export type { RunActionOptions } from './connector/run-action.js';
export { runAction } from './connector/run-action.js';
export type { RunTriggerCycleOptions } from './connector/run-trigger.js';
export { runTriggerCycle } from './connector/run-trigger.js';
export type { WebhookDelivery, WebhookEvent } from './connector/run-webhook.js';
export { runWebhookKeys } from './connector/run-webhook.js';
export { validateConnector } from './connector/validate-connector.js';
export { encodeForm, encodeQuery, flattenParams } from './http/formats/form.js';
export { decodeJson, encodeJson } from './http/formats/json.js';
export type { EncodedMultipart, MultipartFile } from './http/formats/multipart.js';
export { encodeMultipart } from './http/formats/multipart.js';
export { fromWorkatoXml, toWorkatoXml } from './http/formats/xml.js';
export type { UndiciTransportOptions } from './http/send.js';
export { createUndiciTransport, defaultTransport } from './http/send.js';
export type { HttpTransport, WireOptions, WireRequest, WireResponse } from './http/transport.js';
export type { ResolvedRetryOptions } from './retry/retry-options.js';
export { resolveRetryOptions } from './retry/retry-options.js';
export {
  classifyError,
  REDIRECT_STATUS_CODES,
  RETRY_AFTER_STATUS_CODES,
  redirectLocation,
} from './retry/retry-policy.js';
export type { AttemptRecord, SendResult, SendWithRetryOptions } from './retry/send-with-retry.js';
export { sendWithRetry } from './retry/send-with-retry.js';
export type {
  AscendingPollResult,
  AscendingStep,
  PollAscendingOptions,
  PollCycle,
  TriggerRecord,
} from './trigger/poll-ascending.js';
export {
  applyAscendingPoll,
  checkAscendingResult,
  DEFAULT_MAX_POLLS,
  defaultAscendingDedup,
  pollAscending,
} from './trigger/poll-ascending.js';
export type {
  KeyedRecord,
  PagingDescKeys,
  PagingDescPollResult,
  PollPagingDescOptions,
} from './trigger/poll-paging-desc.js';
export {
  checkPagingDescResult,
  compareSortValues,
  finishPagingDesc,
  pollPagingDesc,
  scanPage,
} from './trigger/poll-paging-desc.js';
export type {
  AscendingTriggerState,
  HighWaterMark,
  JsonValue,
  PagingDescTriggerState,
  SortValue,
  TriggerKind,
  TriggerState,
} from './trigger/trigger-state.js';
export { DEDUP_WINDOW, initialTriggerState, parseTriggerState } from './trigger/trigger-state.js';
export { validJsonPrefixLength } from './utils/valid-json-prefix.js';
