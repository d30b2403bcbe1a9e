/**
 * Running the parts of a webhook trigger (Workato's `webhook_subscribe`, `webhook_unsubscribe`,
 * `webhook_notification`, `webhook_key`, and the connector's `webhook_keys`): the calls, and the checks of
 * what they return. A notification's events come back with their dedup keys; remembering which keys
 * already started a run is the caller's (the engine keeps a ledger in the trigger's state).
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { defaultAscendingDedup, type TriggerRecord } from '../trigger/poll-ascending.js';
import { describe, isRecord, toJsonValue, toKey } from '../trigger/trigger-state.js';
import type {
  ApiContext,
  ConnectionValues,
  Connector,
  WebhookTriggerDefinition,
} from './define-connector.js';

/** One event of a webhook notification, with its dedup key. */
export interface WebhookEvent {
  /** The event, as `webhookNotification` returned it. */
  readonly event: TriggerRecord;
  /** Its identity: `dedup(event)`, by default its `id` (any case), else the event as JSON. */
  readonly key: string;
}

/** One delivery, as `webhookNotification` and `webhookKeys` get it. */
export interface WebhookDelivery {
  /** The body: parsed, or its text for `webhookPayloadType: 'raw'` (the caller picks). @default null */
  readonly payload?: unknown;
  /** Header names in lower case. @default {} */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The URL's query parameters. @default {} */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Calls `webhookSubscribe` and returns what it gave, as JSON (what the caller stores).
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_PATH` when the trigger does not subscribe; `SLUICE_TRIGGER_RESULT`
 *   when the output is not JSON.
 */
export async function runWebhookSubscribe(
  name: string,
  trigger: WebhookTriggerDefinition,
  context: ApiContext,
  options: { webhookUrl: string; input: Record<string, unknown>; recipeId: string },
): Promise<unknown> {
  const subscribe = trigger.webhookSubscribe;
  if (subscribe === undefined) throw noPart(name, 'webhookSubscribe');
  const output: unknown = await subscribe.call(trigger, { ...context, ...options });
  return toJsonValue(output, `triggers.${name}.webhookSubscribe`) ?? null;
}

/**
 * Calls `webhookUnsubscribe` with what `webhookSubscribe` returned.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_PATH` when the trigger does not subscribe.
 */
export async function runWebhookUnsubscribe(
  name: string,
  trigger: WebhookTriggerDefinition,
  context: ApiContext,
  webhookSubscribeOutput: unknown,
): Promise<void> {
  const unsubscribe = trigger.webhookUnsubscribe;
  if (unsubscribe === undefined) throw noPart(name, 'webhookUnsubscribe');
  await unsubscribe.call(trigger, { ...context, webhookSubscribeOutput });
}

/**
 * Calls `webhookNotification` for one delivery and returns its events with their dedup keys: an object
 * is one event, an array is many, `null` or `undefined` none. Keys repeated within the delivery keep
 * their first event.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` naming the trigger when it returns anything else, or an event
 *   is not an object, or `dedup` gives no string or number.
 */
export async function runWebhookNotification(
  name: string,
  trigger: WebhookTriggerDefinition,
  context: ApiContext,
  options: WebhookDelivery & { input: Record<string, unknown>; webhookSubscribeOutput?: unknown },
): Promise<WebhookEvent[]> {
  const path = `triggers.${name}.webhookNotification`;
  const output: unknown = await trigger.webhookNotification.call(trigger, {
    ...context,
    input: options.input,
    payload: options.payload ?? null,
    headers: options.headers ?? {},
    params: options.params ?? {},
    webhookSubscribeOutput: options.webhookSubscribeOutput,
  });
  const events = notificationEvents(output, path);
  const dedup = trigger.dedup === undefined ? defaultAscendingDedup : trigger.dedup.bind(trigger);
  const keys = new Set<string>();
  const found: WebhookEvent[] = [];
  events.forEach((event, index) => {
    const key = toKey(dedup(event), `triggers.${name}.dedup (events[${index}])`);
    if (keys.has(key)) return;
    keys.add(key);
    found.push({ event, key });
  });
  return found;
}

/** The events of a notification's output. */
function notificationEvents(output: unknown, path: string): TriggerRecord[] {
  if (output === null || output === undefined) return [];
  const list = Array.isArray(output) ? output : [output];
  if (!Array.isArray(output) && !isRecord(output)) {
    throw new SdkError(
      'SLUICE_TRIGGER_RESULT',
      `${path}: must return an object, an array of objects, or null (got ${describe(output)})`,
      { hint: 'return the event (an object), a list of events, or null when the delivery has none' },
    );
  }
  list.forEach((event: unknown, index) => {
    if (!isRecord(event)) {
      throw new SdkError(
        'SLUICE_TRIGGER_RESULT',
        `${path}: events[${index}] must be an object (got ${describe(event)})`,
        { hint: 'return one object per event' },
      );
    }
  });
  return list as TriggerRecord[];
}

/**
 * The trigger's static webhook key (`webhookKey`) for this input, as a string; `undefined` when the
 * trigger has none.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` when it gives no string or number.
 */
export async function runWebhookKey(
  name: string,
  trigger: WebhookTriggerDefinition,
  connection: Readonly<ConnectionValues>,
  input: Record<string, unknown>,
): Promise<string | undefined> {
  if (trigger.webhookKey === undefined) return undefined;
  const key: unknown = await trigger.webhookKey.call(trigger, { connection, input });
  return toKey(key, `triggers.${name}.webhookKey`);
}

/**
 * The key of a delivery to the connector's static webhook URL (`webhookKeys`).
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_PATH` when the connector has no `webhookKeys`;
 *   `SLUICE_TRIGGER_RESULT` when it gives no string or number.
 */
export async function runWebhookKeys(connector: Connector, delivery: WebhookDelivery): Promise<string> {
  if (connector.webhookKeys === undefined) {
    throw new SdkError('SLUICE_CONNECTOR_PATH', 'webhookKeys: the connector has no static webhooks', {
      hint: 'add webhookKeys({ params, headers, payload }) to the connector',
    });
  }
  const key: unknown = await connector.webhookKeys({
    payload: delivery.payload ?? null,
    headers: delivery.headers ?? {},
    params: delivery.params ?? {},
  });
  return toKey(key, 'webhookKeys');
}

function noPart(name: string, part: string): SdkError {
  return new SdkError('SLUICE_CONNECTOR_PATH', `triggers.${name}.${part}: the trigger has none`, {
    hint:
      part === 'webhookSubscribe' || part === 'webhookUnsubscribe'
        ? 'this trigger is a static webhook (webhookKey): it does not subscribe'
        : 'give the trigger the function',
  });
}
