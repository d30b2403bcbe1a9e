/**
 * `defineConnector` and the types of a connector definition. A connector is one object: its title, how
 * to connect and authorize, a connection test, actions, triggers, pick lists, helper methods and
 * reusable object definitions. Every function the author writes takes one context object; only the
 * record callbacks of triggers (`dedup`, `documentId`, `sortBy`) take the record itself.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import type { Field, InferFields } from '../fields/field.js';
import type { HttpClient } from '../http/request-builder.js';
import type { TriggerRecord } from '../trigger/poll-ascending.js';
import type { Authorization } from './authorization.js';
import type { ConnectionValues } from './connection-values.js';

export type { ConnectionValues, TriggerRecord };

import { validateConnector } from './validate-connector.js';

/** A function type whose parameter is checked bivariantly, so specific connectors fit the general type. */
type Bivariant<A, R> = { bivarianceHack(context: A): R }['bivarianceHack'];

/** A list of fields in the field notation. */
export type Fields = readonly Field[];

/** What every author function that talks to the API receives. */
export interface ApiContext {
  /** The current connection values, tokens included. */
  readonly connection: Readonly<ConnectionValues>;
  /** The HTTP DSL, with the connection's base URI and authorization applied to every request. */
  readonly http: HttpClient;
  /** Calls one of the connector's `methods` with these arguments: `call('format_name', first, last)`. */
  call(method: string, ...args: unknown[]): Promise<unknown>;
}

/** The resolved fields of each object definition, by name. */
export type ObjectDefinitionFields<O extends string = string> = { readonly [K in O]: Fields };

/** The values of an action's or trigger's config fields, by field name. */
export type ConfigFieldValues = Readonly<Record<string, unknown>>;

/** What an `inputFields`/`outputFields` function, or an object definition's `fields`, receives. */
export interface FieldsContext<O extends string = string> extends ApiContext {
  /** The fields of every object definition, already resolved (with the same `configFields`). */
  readonly objectDefinitions: ObjectDefinitionFields<O>;
  /**
   * The values the user chose in the action's or trigger's `configFields` (Workato's `config_fields`),
   * so the fields can depend on them (`{ object: 'customer' }`); `{}` when there are none. While an
   * action or trigger runs, these are its input.
   */
  readonly configFields: ConfigFieldValues;
}

/** A field list, or a function of the context that returns one. */
export type FieldsSpec<O extends string = string> =
  | Fields
  | Bivariant<FieldsContext<O>, Fields | Promise<Fields>>;

/**
 * The `input` type that an `inputFields` value gives: inferred from a literal field list, else
 * `Record<string, unknown>`. With config fields (`C`), their values are part of the input too.
 */
export type InputOf<I, C = unknown> = C extends Fields
  ? string extends C[number]['name']
    ? InputOf<I> & Record<string, unknown>
    : Simplify<InferFields<C> & InputOf<I>>
  : I extends Fields
    ? InferFields<I>
    : Record<string, unknown>;

/** Flattens an intersection into one object type. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The UI-only keys an action or trigger may carry, as Workato's do; the runtime keeps but ignores them. */
export interface OperationUiKeys {
  /** A second line under the title in a recipe editor. */
  readonly subtitle?: string;
  /** Help text for the form: a string, `{ body, learnMoreUrl, learnMoreText }`, or a function returning one. */
  readonly help?: string | Readonly<Record<string, unknown>> | ((...args: never[]) => unknown);
  /** Where it sorts among the connector's actions or triggers (higher first). */
  readonly displayPriority?: number;
  /** Marks it as no longer offered for new recipes. */
  readonly deprecated?: boolean;
}

/** What an action's `execute` receives. */
export interface ExecuteContext<I = Record<string, unknown>> extends ApiContext {
  /** The input, validated against the action's input fields (defaults applied). */
  readonly input: I;
}

/** A sample of what an action or trigger outputs: a value, or a function of the context. */
export type SampleOutput =
  | string
  | number
  | boolean
  | null
  | readonly unknown[]
  | { readonly [key: string]: unknown }
  | Bivariant<ApiContext, unknown>;

/** One action. */
export interface ActionDefinition<I = unknown, O extends string = string, C = unknown>
  extends OperationUiKeys {
  readonly title?: string;
  readonly description?: string;
  /**
   * Fields shown before the input form (Workato's `config_fields`), such as the kind of object to work
   * on; their values reach `inputFields`, `outputFields` and object definitions as `configFields`, and are
   * part of `input`. A static list. @default no fields
   */
  readonly configFields?: C & Fields;
  /** The input form; `input` is checked against it (and the config fields) before `execute` runs. @default no fields */
  readonly inputFields?: I & FieldsSpec<O>;
  /** What `execute` returns; the output is coerced by these fields (`'42'` to `42` for an integer). */
  readonly outputFields?: FieldsSpec<O>;
  /** Runs the action and returns its output. */
  execute(context: ExecuteContext<InputOf<I, C>>): unknown;
  readonly sampleOutput?: SampleOutput;
}

/** What a trigger's `poll` receives. */
export interface PollContext<I = Record<string, unknown>> extends ApiContext {
  readonly input: I;
  /**
   * Ascending triggers: the `nextPoll` of the last poll that gave one (`undefined` at first).
   * paging_desc triggers: the page cursor, `undefined` for the newest page. It went through JSON.
   */
  readonly closure: unknown;
}

/** What an ascending trigger's `poll` returns. */
export interface AscendingPollReturn {
  /** Records in the order they should start runs, oldest first. */
  readonly events: readonly object[];
  /** The cursor for the next poll (must be JSON); kept unchanged when absent. */
  readonly nextPoll?: unknown;
  /** True when more records may be waiting now: the runtime polls again at once. @default false */
  readonly canPollMore?: boolean;
}

/** What a paging_desc trigger's `poll` returns. */
export interface PagingDescPollReturn {
  /** Records newest first. */
  readonly events: readonly object[];
  /** The cursor of the next, older page (must be JSON); absent on the last page. */
  readonly nextPage?: unknown;
}

interface TriggerCommon<I, O extends string, C> extends OperationUiKeys {
  readonly title?: string;
  readonly description?: string;
  /** Fields shown before the trigger's settings, as on actions (`configFields`). @default no fields */
  readonly configFields?: C & Fields;
  /** The trigger's settings; checked (with the config fields) before each poll. @default no fields */
  readonly inputFields?: I & FieldsSpec<O>;
  readonly outputFields?: FieldsSpec<O>;
  readonly sampleOutput?: SampleOutput;
}

/**
 * A trigger over an API that lists records oldest first (the default kind). The runtime remembers each
 * event's `dedup` signature so a record never starts two runs.
 */
export interface AscendingTriggerDefinition<I = unknown, O extends string = string, C = unknown>
  extends TriggerCommon<I, O, C> {
  readonly type?: undefined;
  readonly webhookNotification?: undefined;
  poll(context: PollContext<InputOf<I, C>>): AscendingPollReturn | Promise<AscendingPollReturn>;
  /** The record's identity for deduplication. @default the record's `id` field (any case), else the record as JSON */
  dedup?(record: TriggerRecord): unknown;
}

/**
 * A trigger over an API that lists records newest first: the runtime pages back until it reaches records
 * it has seen, then emits the new ones oldest first.
 */
export interface PagingDescTriggerDefinition<I = unknown, O extends string = string, C = unknown>
  extends TriggerCommon<I, O, C> {
  readonly type: 'paging_desc';
  readonly webhookNotification?: undefined;
  poll(context: PollContext<InputOf<I, C>>): PagingDescPollReturn | Promise<PagingDescPollReturn>;
  /** The record's document id. @default the record's `id` field, matched case-insensitively */
  documentId?(record: TriggerRecord): unknown;
  /** The value the API sorts by (a timestamp string, a number or a Date). */
  sortBy(record: TriggerRecord): unknown;
  /** The record's identity for deduplication. @default `${documentId}@${sortBy}` */
  dedup?(record: TriggerRecord): unknown;
}

/**
 * What `webhookSubscribe` returned (Workato's `webhook_subscribe_output`), after a trip through JSON: the
 * engine stores it with the trigger and hands it to `webhookUnsubscribe` and `webhookNotification`.
 */
export type WebhookSubscribeOutput = unknown;

/** What a webhook trigger's `webhookSubscribe` receives. */
export interface WebhookSubscribeContext<I = Record<string, unknown>> extends ApiContext {
  /** The URL the API must send notifications to (the engine's own hook URL of the workflow). */
  readonly webhookUrl: string;
  /** The trigger's input, validated against its config and input fields. */
  readonly input: I;
  /** The id of what subscribes (the workflow's uid; Workato's `recipe_id`). */
  readonly recipeId: string;
}

/** What a webhook trigger's `webhookUnsubscribe` receives. */
export interface WebhookUnsubscribeContext extends ApiContext {
  /** What `webhookSubscribe` returned for this subscription. */
  readonly webhookSubscribeOutput: WebhookSubscribeOutput;
}

/** What a webhook trigger's `webhookNotification` receives: one delivery. */
export interface WebhookNotificationContext<I = Record<string, unknown>> extends ApiContext {
  readonly input: I;
  /**
   * The delivery's body: parsed (JSON as a value, a form as an object, other text as a string, no body
   * as `null`), or the body text with `webhookPayloadType: 'raw'`.
   */
  readonly payload: unknown;
  /** The delivery's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The delivery URL's query parameters. */
  readonly params: Readonly<Record<string, unknown>>;
  /** What `webhookSubscribe` returned; `undefined` for a static webhook (`webhookKey`). */
  readonly webhookSubscribeOutput: WebhookSubscribeOutput;
}

/** What a webhook trigger's `webhookKey` receives. */
export interface WebhookKeyContext<I = Record<string, unknown>> {
  readonly connection: Readonly<ConnectionValues>;
  readonly input: I;
}

/** What a connector's `webhookKeys` receives: one delivery to the connector's static webhook URL. */
export interface WebhookKeysContext {
  /** The delivery URL's query parameters. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The delivery's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed body, as `webhookNotification` gets it. */
  readonly payload: unknown;
}

/**
 * A trigger the API pushes to (Workato's webhook triggers). Either the engine subscribes a hook URL
 * per workflow (`webhookSubscribe` and `webhookUnsubscribe`), or the API sends every event of the
 * account to the connector's one static URL and `webhookKey` tells which triggers a delivery is for
 * (it must equal the connector's `webhookKeys` of the delivery). Each delivery goes through
 * `webhookNotification`: an object is one event, an array many, `null`/`undefined` none; events are
 * deduplicated by `dedup`.
 */
export interface WebhookTriggerDefinition<I = unknown, O extends string = string, C = unknown>
  extends TriggerCommon<I, O, C> {
  readonly type?: undefined;
  readonly poll?: undefined;
  /** Registers `webhookUrl` at the API; returns what `webhookUnsubscribe` needs (JSON, e.g. `{ id }`). */
  webhookSubscribe?(context: WebhookSubscribeContext<InputOf<I, C>>): unknown;
  /** Removes the subscription `webhookSubscribe` made. */
  webhookUnsubscribe?(context: WebhookUnsubscribeContext): unknown;
  /** Turns one delivery into events: an object (one event), an array (many), `null`/`undefined` (none). */
  webhookNotification(context: WebhookNotificationContext<InputOf<I, C>>): unknown;
  /** Static webhooks: the key of the deliveries this trigger wants (a string or number). */
  webhookKey?(context: WebhookKeyContext<InputOf<I, C>>): unknown;
  /** The event's identity for deduplication. @default the event's `id` field (any case), else the event as JSON */
  dedup?(record: TriggerRecord): unknown;
  /** `'raw'`: `payload` is the body as text instead of parsed. @default 'parsed' */
  readonly webhookPayloadType?: 'parsed' | 'raw';
}

/** One trigger: ascending (the default), paging_desc, or a webhook trigger (`webhookNotification`). */
export type TriggerDefinition<I = unknown, O extends string = string, C = unknown> =
  | AscendingTriggerDefinition<I, O, C>
  | PagingDescTriggerDefinition<I, O, C>
  | WebhookTriggerDefinition<I, O, C>;

/** Whether `trigger` is a webhook trigger (it has `webhookNotification`). */
export function isWebhookTrigger(trigger: TriggerDefinition): trigger is WebhookTriggerDefinition {
  return typeof (trigger as WebhookTriggerDefinition).webhookNotification === 'function';
}

/** What a pick list function receives. */
export interface PickListContext extends ApiContext {
  /** Arguments from the form that asks for the list (for dependent lists). */
  readonly args: Readonly<Record<string, unknown>>;
}

/**
 * Pick list options: `[label, value]` pairs (tree lists add entries to a pair), or one pair, as a
 * dependent Workato pick list may return (`[['A', 'a'], ['B', 'b']][args.index]`).
 */
export type PickListOptions =
  | readonly (readonly unknown[])[]
  | readonly [label: string, value: unknown, ...rest: unknown[]];

/** What a helper method receives. */
export interface MethodContext extends ApiContext {
  /** The arguments given to `call(name, ...args)`. */
  readonly args: readonly unknown[];
}

/** A reusable schema, referenced from field functions as `objectDefinitions.<name>`. */
export interface ObjectDefinition<O extends string = string> {
  readonly fields: FieldsSpec<O>;
}

/** How to connect: the connection fields, the base URI and the authorization. */
export interface ConnectionDefinition {
  /** The fields a user fills in to connect. @default no fields */
  readonly fields?: Fields;
  /** The base of relative URLs: a string, or a function of the connection. */
  readonly baseUri?: string | Bivariant<{ readonly connection: Readonly<ConnectionValues> }, string>;
  /** @default `{ type: 'none' }` */
  readonly authorization?: Authorization;
}

/**
 * A connector definition: what `defineConnector` takes. The type parameters are inferred: `A` and `T`
 * from the input fields of each action and trigger, `O` from the object definition names.
 */
export interface ConnectorDefinition<
  A = Record<string, unknown>,
  T = Record<string, unknown>,
  O extends string = string,
  AC = Record<string, unknown>,
  TC = Record<string, unknown>,
> {
  readonly title: string;
  readonly description?: string;
  readonly connection?: ConnectionDefinition;
  /** Checks that the connection works: the connection is live when this does not throw. */
  test?(context: ApiContext): unknown;
  readonly actions?: { readonly [K in keyof A]: ActionDefinition<A[K], O, ConfigOf<AC, K>> } & {
    readonly [K in keyof AC]: { readonly configFields?: AC[K] };
  };
  readonly triggers?: { readonly [K in keyof T]: TriggerDefinition<T[K], O, ConfigOf<TC, K>> } & {
    readonly [K in keyof TC]: { readonly configFields?: TC[K] };
  };
  readonly pickLists?: Readonly<
    Record<string, Bivariant<PickListContext, PickListOptions | Promise<PickListOptions>>>
  >;
  readonly methods?: Readonly<Record<string, Bivariant<MethodContext, unknown>>>;
  readonly objectDefinitions?: { readonly [K in O]: ObjectDefinition<O> };
  /**
   * Static webhooks (Workato's `webhook_keys`): the key of a delivery to the connector's one webhook
   * URL; the delivery goes to every live trigger whose `webhookKey` equals it.
   */
  webhookKeys?(context: WebhookKeysContext): unknown;
}

/** The config fields type of one action or trigger, `unknown` when it has none. */
type ConfigOf<C, K> = K extends keyof C ? C[K] : unknown;

/** Any map by name (the default of each type parameter of {@link Connector}). */
type ByName = Record<string, unknown>;

/** A checked connector definition, as `defineConnector` returns it. */
export type Connector<
  A = ByName,
  T = ByName,
  O extends string = string,
  AC = ByName,
  TC = ByName,
> = ConnectorDefinition<A, T, O, AC, TC>;

const CONNECTOR_BRAND = Symbol.for('sluice.connector');

/**
 * Checks a connector definition and returns it marked as a connector. The `input` of each action's
 * `execute` and each trigger's `poll` is typed from a literal `inputFields` list.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` naming the path of the first problem
 *   (`actions.get_customer.execute: must be a function`).
 * @throws {FieldValidationError} `SLUICE_FIELD_NOTATION` when a static field list is malformed.
 * @example
 * export default defineConnector({
 *   title: 'My App',
 *   connection: {
 *     fields: [{ name: 'api_token', controlType: 'password' }],
 *     baseUri: () => 'https://api.my-app.com',
 *     authorization: { type: 'api_key', apply: ({ connection, request }) => request.params({ api_token: connection.api_token }) },
 *   },
 *   test: ({ http }) => http.get('/v1/customers.json', { limit: 1 }),
 *   actions: {
 *     get_customer_by_id: {
 *       inputFields: [{ name: 'id', type: 'integer' }],
 *       execute: async ({ input, http }) => (await http.get<{ customer: unknown }>('/v1/customers.json', { id: input.id })).customer,
 *     },
 *   },
 * });
 */
export function defineConnector<
  const A extends Record<string, unknown> = Record<never, never>,
  const T extends Record<string, unknown> = Record<never, never>,
  O extends string = never,
  const AC extends Record<string, unknown> = Record<never, never>,
  const TC extends Record<string, unknown> = Record<never, never>,
>(definition: ConnectorDefinition<A, T, O, AC, TC>): Connector<A, T, O, AC, TC> {
  validateConnector(definition);
  const connector = { ...definition };
  Object.defineProperty(connector, CONNECTOR_BRAND, { value: true });
  return Object.freeze(connector);
}

/** Tells whether `value` was built by `defineConnector` (from any copy of the SDK). */
export function isConnector(value: unknown): value is Connector {
  return typeof value === 'object' && value !== null && CONNECTOR_BRAND in value;
}

/**
 * Works out the base URI of a connection: the definition's `baseUri`, called with the connection when it
 * is a function. `undefined` when the connector has none.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` when `baseUri` throws or gives something other than a string.
 */
export function resolveBaseUri(
  definition: ConnectionDefinition | undefined,
  connection: Readonly<ConnectionValues>,
): string | undefined {
  const baseUri = definition?.baseUri;
  if (baseUri === undefined) return undefined;
  let value: unknown;
  try {
    value = typeof baseUri === 'function' ? baseUri({ connection }) : baseUri;
  } catch (err) {
    throw new SdkError(
      'SLUICE_CONNECTOR_INVALID',
      `connection.baseUri: threw ${(err as Error)?.message ?? String(err)}`,
      {
        hint: 'check the connection fields baseUri reads',
        cause: err,
      },
    );
  }
  if (typeof value !== 'string' || value === '') {
    throw new SdkError(
      'SLUICE_CONNECTOR_INVALID',
      `connection.baseUri: must give a URL string (got ${describeValue(value)})`,
      {
        hint: "return a string such as 'https://api.my-app.com'",
      },
    );
  }
  return value;
}

/**
 * Works out a string option that may be a function of the connection (`tokenUrl`, `clientId`, ...).
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` naming `path` when it gives something other than a non-empty string.
 */
export function resolveConnectionString(
  value: string | ((context: { readonly connection: Readonly<ConnectionValues> }) => string),
  connection: Readonly<ConnectionValues>,
  path: string,
): string {
  const resolved: unknown = typeof value === 'function' ? value({ connection }) : value;
  if (typeof resolved !== 'string' || resolved === '') {
    throw new SdkError(
      'SLUICE_CONNECTOR_INVALID',
      `${path}: must give a non-empty string (got ${describeValue(resolved)})`,
      {
        hint: 'return the value, or read it from a connection field',
      },
    );
  }
  return resolved;
}

/** Names a value's type for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
