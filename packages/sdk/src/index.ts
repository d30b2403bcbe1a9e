/**
 * `@sluice/sdk`: write connectors to SaaS APIs in TypeScript.
 *
 * @module
 */
export type {
  AcquireContext,
  ApiKeyAuthorization,
  ApplyContext,
  ApplyResult,
  Authorization,
  AuthorizationType,
  BasicAuthorization,
  ConnectionString,
  CustomAuthorization,
  NoneAuthorization,
  OAuth2Authorization,
  RefreshContext,
} from './connector/authorization.js';
export type {
  ActionDefinition,
  ApiContext,
  AscendingPollReturn,
  AscendingTriggerDefinition,
  ConfigFieldValues,
  ConnectionDefinition,
  ConnectionValues,
  Connector,
  ConnectorDefinition,
  ExecuteContext,
  Fields,
  FieldsContext,
  FieldsSpec,
  InputOf,
  MethodContext,
  ObjectDefinition,
  ObjectDefinitionFields,
  OperationUiKeys,
  PagingDescPollReturn,
  PagingDescTriggerDefinition,
  PickListContext,
  PickListOptions,
  PollContext,
  SampleOutput,
  TriggerDefinition,
  TriggerRecord,
  WebhookKeyContext,
  WebhookKeysContext,
  WebhookNotificationContext,
  WebhookSubscribeContext,
  WebhookSubscribeOutput,
  WebhookTriggerDefinition,
  WebhookUnsubscribeContext,
} from './connector/define-connector.js';
export { defineConnector, isConnector, isWebhookTrigger } from './connector/define-connector.js';
export type { ExchangeAuthorizationCodeOptions } from './connector/oauth2.js';
export { exchangeAuthorizationCode } from './connector/oauth2.js';
export type {
  ResponseHeaders,
  RetryFailureReason,
  SdkErrorCode,
  SluiceErrorOptions,
  TransportErrorKind,
} from './errors.js';
export {
  FieldValidationError,
  HttpTransportError,
  isSluiceError,
  MaxRetryError,
  RequestFailedError,
  SDK_ERROR_CODES,
  SdkError,
  SluiceError,
} from './errors.js';
export { coerceOutput } from './fields/coerce.js';
export type {
  Field,
  FieldOptionValue,
  FieldType,
  InferField,
  InferFields,
  InlinePickList,
} from './fields/field.js';
export { defineFields } from './fields/field.js';
export type { FieldJsonSchema, FieldsToJsonSchemaOptions } from './fields/to-json-schema.js';
export { fieldsToJsonSchema } from './fields/to-json-schema.js';
export type { ValidateFieldsOptions } from './fields/validate.js';
export { validateFields } from './fields/validate.js';
export type { ErrorMatcher } from './http/error-matcher.js';
export type { HttpClientOptions } from './http/http-client.js';
export { createHttpClient } from './http/http-client.js';
export type { HttpClient, RequestBuilder } from './http/request-builder.js';
export type { HttpMethod, RequestFormat, RequestSpec, ResponseFormat } from './http/request-spec.js';
export type { ErrorResponseContext, ResponseContext } from './http/response-context.js';
export type { LogFn, Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { parseRetryAfter } from './retry/retry-after.js';
export type {
  AttemptErrorClass,
  ResolvedRetryOptions,
  RetryHistoryEntry,
  RetryIncrement,
  RetryOptions,
  RetryResponse,
} from './retry/retry-policy.js';
export { RETRY_DEFAULTS, RetryPolicy } from './retry/retry-policy.js';
