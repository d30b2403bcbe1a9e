/**
 * The connector runtime: runs a connector's parts against one connection. It owns the current
 * connection (tokens that authorization acquires or refreshes are merged in), builds the `http` the
 * author's code receives (base URI, authorization, `detectOn`, secrets masked, cancellation), checks
 * inputs, runs actions and trigger poll cycles, and resolves fields, pick lists and methods.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { validateFields } from '../fields/validate.js';
import { createHttpClient } from '../http/http-client.js';
import type { HttpClient } from '../http/request-builder.js';
import type { HttpTransport } from '../http/transport.js';
import type { Logger } from '../logger.js';
import { checkAscendingResult } from '../trigger/poll-ascending.js';
import { checkPagingDescResult } from '../trigger/poll-paging-desc.js';
import type { TriggerState } from '../trigger/trigger-state.js';
import { createAuthorization } from './authorization-controller.js';
import { holdLogger } from './authorization-log.js';
import {
  type ApiContext,
  type ConnectionValues,
  type Connector,
  type Fields,
  type FieldsSpec,
  isConnector,
  isWebhookTrigger,
  resolveBaseUri,
  resolveConnectionString,
  type TriggerDefinition,
  type WebhookTriggerDefinition,
} from './define-connector.js';
import { FieldsResolver } from './resolve-fields.js';
import { runAction, validateOperationInput, withConfigFields } from './run-action.js';
import { runTriggerCycle } from './run-trigger.js';
import {
  runWebhookKey,
  runWebhookNotification,
  runWebhookSubscribe,
  runWebhookUnsubscribe,
  type WebhookDelivery,
  type WebhookEvent,
} from './run-webhook.js';
import { validateConnector } from './validate-connector.js';

/** Options of {@link createConnectorRuntime}. */
export interface ConnectorRuntimeOptions {
  /** The connection values (fields the user filled in, stored tokens). @default {} */
  readonly connection?: Readonly<ConnectionValues> | undefined;
  /** Gets a debug line per request and response, secrets masked. @default silent */
  readonly logger?: Logger | undefined;
  /** @default the shared undici transport */
  readonly transport?: HttpTransport | undefined;
  /** Cancels every request the runtime makes. */
  readonly signal?: AbortSignal | undefined;
  /** Called with the whole connection after authorization acquired or refreshed tokens, to store it. */
  readonly onConnectionChange?:
    | ((connection: Readonly<ConnectionValues>) => void | Promise<void>)
    | undefined;
}

/**
 * The values of an action's or trigger's config fields (Workato's `config_fields`), given apart from the
 * input, as `sluice exec --config-fields` reads them.
 */
export interface ConfigFieldsOption {
  /**
   * For field lists: the values field functions and object definitions get as `configFields`. For runs
   * and polls: values merged under the input (the input's own values win; as in Workato, config field
   * values are otherwise read from the input). @default none
   */
  readonly configFields?: Readonly<Record<string, unknown>> | undefined;
}

/** Options of {@link ConnectorRuntime.pollTrigger}. */
export interface PollTriggerOptions extends ConfigFieldsOption {
  readonly input?: unknown;
  /** The state the previous cycle returned (it may have gone through JSON). @default a fresh state */
  readonly state?: TriggerState | undefined;
  /** Polls (ascending) or pages (paging_desc) per cycle at most. @default 100 */
  readonly maxPolls?: number | undefined;
}

/** Options of {@link ConnectorRuntime.webhookSubscribe}. */
export interface WebhookSubscribeOptions extends ConfigFieldsOption {
  /** The URL the API must send notifications to. */
  readonly webhookUrl: string;
  readonly input?: unknown;
  /** What subscribes (Workato's `recipe_id`). @default 'local' */
  readonly recipeId?: string | undefined;
}

/** Options of {@link ConnectorRuntime.webhookNotification}: one delivery. */
export interface WebhookNotificationOptions extends WebhookDelivery, ConfigFieldsOption {
  readonly input?: unknown;
  /** What `webhookSubscribe` returned; absent for static webhooks. */
  readonly webhookSubscribeOutput?: unknown;
}

/** A connector bound to one connection. */
export interface ConnectorRuntime {
  /** The current connection values, tokens acquired or refreshed included. */
  readonly connection: Readonly<ConnectionValues>;
  /**
   * The connection values to mask in logs and records: fields with `controlType: 'password'`, keys
   * that look secret (`token`, `secret`, `password`, `api_key`; not `token_type` or `expires_in`), and
   * an oauth2 client secret.
   */
  secrets(): string[];
  /** Runs the connector's `test`; resolves to what it returned, `undefined` when it has none. */
  test(): Promise<unknown>;
  /** Validates the input (config fields first), runs the action, coerces the output by its output fields. */
  runAction(name: string, input: unknown, options?: ConfigFieldsOption): Promise<unknown>;
  /** An action's config, input or output fields, resolved with the given config field values. */
  actionFields(
    name: string,
    which: 'configFields' | 'inputFields' | 'outputFields',
    options?: ConfigFieldsOption,
  ): Promise<Fields>;
  /** A trigger's config, input or output fields, resolved with the given config field values. */
  triggerFields(
    name: string,
    which: 'configFields' | 'inputFields' | 'outputFields',
    options?: ConfigFieldsOption,
  ): Promise<Fields>;
  /** An action's sample output (or a trigger's, with `kind: 'trigger'`). */
  sampleOutput(name: string, kind?: 'action' | 'trigger'): Promise<unknown>;
  pickList(name: string, args?: Record<string, unknown>): Promise<unknown>;
  callMethod(name: string, args: readonly unknown[]): Promise<unknown>;
  /** Runs one full poll cycle; returns the new events, oldest first, and the state for the next cycle. */
  pollTrigger(
    name: string,
    options?: PollTriggerOptions,
  ): Promise<{ events: unknown[]; state: TriggerState }>;
  /** Calls the trigger's `poll` once and returns its checked, raw result. */
  pollTriggerOnce(
    name: string,
    options?: { input?: unknown; closure?: unknown } & ConfigFieldsOption,
  ): Promise<unknown>;
  /** Whether trigger `name` is a webhook trigger (`webhookNotification`) rather than a polling one. */
  isWebhookTrigger(name: string): boolean;
  /** Webhook triggers: validates the input, calls `webhookSubscribe`; resolves its output as JSON. */
  webhookSubscribe(name: string, options: WebhookSubscribeOptions): Promise<unknown>;
  /** Webhook triggers: calls `webhookUnsubscribe` with what `webhookSubscribe` returned. */
  webhookUnsubscribe(name: string, webhookSubscribeOutput: unknown): Promise<void>;
  /**
   * Webhook triggers: validates the input, runs `webhookNotification` on one delivery; resolves its
   * events, each with its dedup key (an object gives one, an array many, `null` none).
   */
  webhookNotification(name: string, options?: WebhookNotificationOptions): Promise<WebhookEvent[]>;
  /** Static webhooks: the trigger's `webhookKey` for this input; `undefined` when it has none. */
  webhookKey(name: string, options?: { input?: unknown } & ConfigFieldsOption): Promise<string | undefined>;
  /** Acquires (custom_auth) or refreshes (oauth2) credentials now. */
  acquire(): Promise<void>;
}

const SECRET_KEY = /token|secret|password|api_?key/i;
const NOT_SECRET_KEY = /_type$|expires/i;

const KINDS = {
  actions: 'action',
  triggers: 'trigger',
  pickLists: 'pick list',
  methods: 'method',
} as const;

/**
 * Binds a connector to a connection. Nothing is sent until a method is called; the connection is
 * checked against the connection fields on first use.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` when `connector` is not a valid definition.
 */
export function createConnectorRuntime(
  connector: Connector,
  options: ConnectorRuntimeOptions = {},
): ConnectorRuntime {
  if (!isConnector(connector)) validateConnector(connector);
  let connection: Readonly<ConnectionValues> = Object.freeze({ ...(options.connection ?? {}) });
  let checked = false;
  let version = 0;
  let clients: { version: number; http: HttpClient; bare: HttpClient } | undefined;

  const current = (): Readonly<ConnectionValues> => {
    if (!checked) {
      const fields = connector.connection?.fields ?? [];
      const given = Object.fromEntries(
        fields.filter((f) => f.name in connection).map((f) => [f.name, connection[f.name]]),
      );
      const valid = validateFields(fields, given, { path: 'connection', fieldsPath: 'connection.fields' });
      connection = Object.freeze({ ...connection, ...(valid as ConnectionValues) });
      checked = true;
    }
    return connection;
  };

  // Reads the values as they are (no check), so masking works even for a connection that fails its check.
  const secrets = (): string[] => {
    const values = connection;
    const passwords = new Set(
      (connector.connection?.fields ?? []).filter((f) => f.controlType === 'password').map((f) => f.name),
    );
    const found = new Set<string>();
    for (const [key, value] of Object.entries(values)) {
      const secret = passwords.has(key) || (SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key));
      if (secret && (typeof value === 'string' || typeof value === 'number') && String(value) !== '')
        found.add(String(value));
    }
    // What acquire or refresh returned is a credential whatever its key (a session id).
    for (const key of acquiredKeys) {
      const value = values[key];
      if (typeof value === 'string' && value !== '' && !NOT_SECRET_KEY.test(key)) found.add(value);
    }
    const auth = connector.connection?.authorization;
    if (auth?.type === 'oauth2') {
      try {
        found.add(
          resolveConnectionString(auth.clientSecret, values, 'connection.authorization.clientSecret'),
        );
      } catch {
        // A client secret that cannot be worked out is reported where it is used.
      }
    }
    return [...found];
  };

  const acquiredKeys = new Set<string>();
  const heldLog = holdLogger(options.logger);
  const authorization = createAuthorization(connector.connection?.authorization, {
    connection: current,
    bareHttp: () => client().bare,
    settled: heldLog.release,
    async update(values) {
      for (const key of Object.keys(values)) acquiredKeys.add(key);
      connection = Object.freeze({ ...current(), ...values });
      version += 1;
      // Names only: the values are credentials.
      options.logger?.debug({ keys: Object.keys(values) }, 'authorization updated the connection');
      await options.onConnectionChange?.(connection);
    },
  });

  const client = () => {
    if (clients?.version === version) return clients;
    const common = {
      baseUri: resolveBaseUri(connector.connection, current()),
      logger: options.logger,
      secrets: secrets(),
      transport: options.transport,
      signal: options.signal,
    };
    clients = {
      version,
      http: createHttpClient({
        ...common,
        prepare: authorization.prepare,
        // Only an authorization that refreshes needs to wrap each send.
        around: authorization.renews ? (send) => authorization.around(send) : undefined,
        detectOn: authorization.detectOn,
      }),
      // Its lines wait until acquire or refresh is over, so what they acquired is masked in them.
      bare: createHttpClient({ ...common, logger: heldLog.logger }),
    };
    return clients;
  };

  // Each verb goes to the client of the current connection, so a base URI or secret that changed with a
  // refresh applies from the next request on.
  type Params = Record<string, unknown> | undefined;
  const http: HttpClient = Object.freeze({
    get: <T>(url: string, params?: Params) => client().http.get<T>(url, params),
    head: <T>(url: string, params?: Params) => client().http.head<T>(url, params),
    options: <T>(url: string, params?: Params) => client().http.options<T>(url, params),
    post: <T>(url: string, payload?: unknown) => client().http.post<T>(url, payload),
    put: <T>(url: string, payload?: unknown) => client().http.put<T>(url, payload),
    patch: <T>(url: string, payload?: unknown) => client().http.patch<T>(url, payload),
    delete: <T>(url: string, payload?: unknown) => client().http.delete<T>(url, payload),
  });

  const lookup = <K extends keyof typeof KINDS>(kind: K, name: string): NonNullable<Connector[K]>[string] => {
    const map = (connector[kind] ?? {}) as Readonly<Record<string, NonNullable<Connector[K]>[string]>>;
    if (!Object.hasOwn(map, name)) {
      const names = Object.keys(map);
      throw new SdkError(
        'SLUICE_CONNECTOR_PATH',
        `${kind}.${name}: no such ${KINDS[kind]} (available: ${names.join(', ') || 'none'})`,
        {
          hint: `use one of the names under ${kind} in the connector`,
        },
      );
    }
    return map[name] as NonNullable<Connector[K]>[string];
  };

  const call = async (name: string, ...args: unknown[]): Promise<unknown> => {
    const method = lookup('methods', name);
    // A method checks the connection only when it reads it or sends a request: many format or compute
    // values and need none (as in Workato, where `workato exec methods.x` runs without settings).
    const methodContext = { http, call, args } as ApiContext & { args: unknown[] };
    Object.defineProperty(methodContext, 'connection', { get: current, enumerable: true });
    return method(methodContext);
  };

  // `connection` reads the current values. Shared: the runtime hands author code copies of it (spread,
  // or `extendContext`), never this object itself.
  const base: ApiContext = {
    get connection() {
      return current();
    },
    http,
    call,
  };
  // Checks the connection (once) before any author code runs.
  const context = (): ApiContext => {
    current();
    return base;
  };
  // A context of its own (like `base`), for author code that receives one directly.
  const ownContext = (): ApiContext => {
    current();
    return {
      get connection() {
        return current();
      },
      http,
      call,
    };
  };

  const resolver = new FieldsResolver(connector.objectDefinitions, context);
  const resolveFields = (
    spec: FieldsSpec | undefined,
    path: string,
    configFields?: Readonly<Record<string, unknown>>,
  ) => resolver.resolve(spec, path, configFields);

  const fieldsOf = async (
    kind: 'actions' | 'triggers',
    name: string,
    which: 'configFields' | 'inputFields' | 'outputFields',
    fieldsOptions: ConfigFieldsOption = {},
  ) =>
    (await resolver.resolve(
      lookup(kind, name)[which],
      `${kind}.${name}.${which}`,
      fieldsOptions.configFields,
    )) ?? [];

  const pollingTrigger = (name: string) => {
    const trigger = lookup('triggers', name);
    if (isWebhookTrigger(trigger)) {
      throw new SdkError(
        'SLUICE_CONNECTOR_PATH',
        `triggers.${name}: is a webhook trigger, it does not poll`,
        {
          hint: 'run it with a webhook payload (sluice exec --webhook-payload), or use a connector_webhook trigger',
        },
      );
    }
    return trigger;
  };

  const webhookTrigger = (name: string): WebhookTriggerDefinition => {
    const trigger = lookup('triggers', name);
    if (!isWebhookTrigger(trigger)) {
      throw new SdkError(
        'SLUICE_CONNECTOR_PATH',
        `triggers.${name}: is a polling trigger, not a webhook trigger (it has no webhookNotification)`,
        { hint: 'poll it instead (a poll trigger), or use a trigger with webhookNotification' },
      );
    }
    return trigger;
  };

  const triggerInput = async (
    name: string,
    trigger: TriggerDefinition,
    given: ConfigFieldsOption & { input?: unknown },
  ) =>
    (
      await validateOperationInput(
        trigger,
        withConfigFields(given.input, given.configFields),
        `triggers.${name}`,
        resolveFields,
      )
    ).input;

  return {
    get connection() {
      return current();
    },
    secrets,
    async test() {
      return connector.test === undefined ? undefined : await connector.test(ownContext());
    },
    runAction(name, input, runOptions) {
      // Not an async function: it would add a wait on the promise runAction returns.
      try {
        return runAction({
          name,
          action: lookup('actions', name),
          input,
          configFields: runOptions?.configFields,
          context: context(),
          resolveFields,
        });
      } catch (err) {
        return Promise.reject(err);
      }
    },
    actionFields: (name, which, fieldsOptions) => fieldsOf('actions', name, which, fieldsOptions),
    triggerFields: (name, which, fieldsOptions) => fieldsOf('triggers', name, which, fieldsOptions),
    async sampleOutput(name, kind = 'action') {
      const sample =
        kind === 'action' ? lookup('actions', name).sampleOutput : lookup('triggers', name).sampleOutput;
      return typeof sample === 'function' ? await sample(ownContext()) : sample;
    },
    async pickList(name, args = {}) {
      const options: unknown = await lookup('pickLists', name)({ ...context(), args });
      // A list of [label, value] pairs (tree lists add entries), or one pair, as Workato's dependent lists
      // return (`[['A', 'a'], ['B', 'b']][args.index]`): both pass as they are.
      const isPair = (value: unknown) =>
        Array.isArray(value) && value.length >= 2 && typeof value[0] === 'string';
      const onePair = isPair(options) && !Array.isArray((options as unknown[])[1]);
      const pairs =
        Array.isArray(options) && options.every((option) => Array.isArray(option) && option.length >= 2);
      if (!onePair && !pairs) {
        throw new SdkError(
          'SLUICE_CONNECTOR_INVALID',
          `pickLists.${name}: must return a list of [label, value] pairs, or one pair`,
          {
            hint: "return e.g. [['Active', 'active'], ['Closed', 'closed']]",
          },
        );
      }
      return options;
    },
    callMethod: async (name, args) => call(name, ...args),
    async pollTrigger(name, pollOptions = {}) {
      const trigger = pollingTrigger(name);
      const input = await triggerInput(name, trigger, pollOptions);
      return runTriggerCycle({
        name,
        trigger,
        state: pollOptions.state,
        maxPolls: pollOptions.maxPolls,
        poll: (closure) => trigger.poll({ ...context(), input, closure }),
      });
    },
    async pollTriggerOnce(name, pollOptions = {}) {
      const trigger = pollingTrigger(name);
      const input = await triggerInput(name, trigger, pollOptions);
      const result: unknown = await trigger.poll({ ...context(), input, closure: pollOptions.closure });
      return trigger.type === 'paging_desc'
        ? checkPagingDescResult(result, `triggers.${name}`)
        : checkAscendingResult(result, `triggers.${name}`);
    },
    isWebhookTrigger: (name) => isWebhookTrigger(lookup('triggers', name)),
    async webhookSubscribe(name, subscribeOptions) {
      const trigger = webhookTrigger(name);
      const input = await triggerInput(name, trigger, subscribeOptions);
      return runWebhookSubscribe(name, trigger, context(), {
        webhookUrl: subscribeOptions.webhookUrl,
        input,
        recipeId: subscribeOptions.recipeId ?? 'local',
      });
    },
    async webhookUnsubscribe(name, webhookSubscribeOutput) {
      await runWebhookUnsubscribe(name, webhookTrigger(name), context(), webhookSubscribeOutput);
    },
    async webhookNotification(name, notificationOptions = {}) {
      const trigger = webhookTrigger(name);
      const input = await triggerInput(name, trigger, notificationOptions);
      return runWebhookNotification(name, trigger, context(), {
        input,
        payload: notificationOptions.payload,
        headers: notificationOptions.headers,
        params: notificationOptions.params,
        webhookSubscribeOutput: notificationOptions.webhookSubscribeOutput,
      });
    },
    async webhookKey(name, keyOptions = {}) {
      const trigger = webhookTrigger(name);
      const input = await triggerInput(name, trigger, keyOptions);
      return runWebhookKey(name, trigger, current(), input);
    },
    async acquire() {
      current();
      await authorization.acquire();
    },
  };
}
