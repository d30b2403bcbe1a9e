/**
 * The `connector_webhook` trigger kind: a connector's webhook trigger (`webhookNotification`, Workato's
 * `webhook_notification`). A pushed kind: never due.
 *
 * - Subscribing triggers (`webhookSubscribe`/`webhookUnsubscribe`): when the trigger goes live the engine
 *   calls `webhookSubscribe` with the workflow's own hook URL (`<publicUrl>/v1/hooks/{uid}/{secret}`) and
 *   keeps what it returns in the trigger's state; when it stops (disabled, deleted, its configuration or
 *   kind changed by a publish) it calls `webhookUnsubscribe` with it. A failure of either is the trigger's
 *   `last_error` (connection secrets redacted); the publish itself is not refused by it (its version is
 *   written by then): enabling the trigger again retries the subscription.
 * - Static triggers (`webhookKey`): the API sends every event to the connector's one URL per workspace
 *   (`/v1/hooks/connectors/{workspace}/{connector}/{secret}`, shown as `hook_path`); a delivery goes to
 *   every live trigger whose `webhookKey` equals the connector's `webhookKeys` of the delivery.
 *
 * Before a publish or an enable writes anything, `checkEnable` refuses (422 `SLUICE_HOOK_SUBSCRIBE`) a
 * trigger that is not a webhook trigger, or that subscribes while the engine knows no public URL, and
 * tests the connection (422 `SLUICE_CONNECTION_TEST`). Deliveries: `connector-hook-delivery.ts`.
 *
 * @module
 */
import type { Connector, WebhookTriggerDefinition } from '@sluice/sdk';
import { type ConnectorRuntime, createConnectorRuntime } from '@sluice/sdk/internal';
import { EngineError } from '../../errors.js';
import { createRedactor } from '../../secrets/redactor.js';
import type { StoredWorkflow, TriggerStateRow } from '../../store/service-store.js';
import { hookSecret } from '../hook-secret.js';
import { lastErrorText } from '../last-error.js';
import type { TriggerContext, TriggerKind } from '../trigger-kind.js';
import { connectorTriggerProperties } from './connector-trigger-schema.js';
import { pollFingerprint } from './poll.js';
import { HOOK_KEY_PURPOSE, hookPath } from './webhook.js';

/** `trigger.connector_webhook`: a connector's webhook trigger; each new event starts one run with it as `INPUT`. */
export interface ConnectorWebhookTrigger {
  /** The connector's name, as `GET /v1/connectors` lists it. */
  connector: string;
  /** The webhook trigger's name in the connector. */
  trigger: string;
  /** The stored connection to subscribe and receive with. */
  connection?: string;
  /** The trigger's input. @default {} */
  input?: unknown;
}

declare module '../../model/workflow.js' {
  interface TriggerTypes {
    connector_webhook: ConnectorWebhookTrigger;
  }
}

/** What a connector webhook keeps in its trigger row's `state`. */
export interface ConnectorWebhookState {
  /** The fingerprint of the configuration (connector, trigger, connection, input) the state belongs to. */
  config: string;
  /** The configuration itself, so an unsubscribe works from the state alone (after a delete). */
  connector: string;
  trigger: string;
  connection?: string;
  /** What `webhookSubscribe` returned; absent when not subscribed (static, disabled, or it failed). */
  subscription?: unknown;
  /** The dedup keys of the latest events that started a run, oldest first (bounded). */
  seen: string[];
}

/** The kind's key under `trigger:`. */
export const CONNECTOR_WEBHOOK_KIND = 'connector_webhook';

/** The path of a connector's static webhook in a workspace, secret included. */
export function staticHookPath(workspaceId: string, connector: string, secret: string): string {
  return `/v1/hooks/connectors/${encodeURIComponent(workspaceId)}/${encodeURIComponent(connector)}/${secret}`;
}

/** What the secret of a static webhook URL is derived from (no workflow uid can be it: it has a `:`). */
export function staticHookName(workspaceId: string, connector: string): string {
  return `connector:${workspaceId}/${connector}`;
}

/** The `connector_webhook` trigger kind. */
export const connectorWebhookTrigger: TriggerKind<ConnectorWebhookTrigger> = {
  key: CONNECTOR_WEBHOOK_KIND,
  summary: "a connector's webhook trigger",
  schema: {
    description:
      "A connector's webhook trigger (`webhookNotification`): the engine subscribes its hook URL (or the " +
      "connector's static URL receives the events); each new event starts one run, with the event as `INPUT`.",
    type: 'object',
    errorMessage:
      'must be an object naming a connector webhook trigger (connector, trigger, connection, input)',
    additionalProperties: false,
    required: ['connector', 'trigger'],
    properties: {
      ...connectorTriggerProperties({
        triggerDescription: "The webhook trigger's name in the connector.",
        triggerExample: 'new_order',
        uses: 'subscribe and receive with',
      }),
    },
  },
  async checkEnable(ctx, workspaceId, config) {
    const trigger = webhookDefinition(ctx.connectors, config);
    if (trigger.webhookSubscribe !== undefined && ctx.publicUrl() === undefined) {
      throw new EngineError(
        'SLUICE_HOOK_SUBSCRIBE',
        `trigger.connector_webhook: ${config.connector}.${config.trigger} subscribes a hook URL, but the engine has no public URL`,
        {
          hint: 'start sluice serve with --public-url https://... (or SLUICE_PUBLIC_URL), or createEngine({ publicUrl })',
        },
      );
    }
    if (config.connection === undefined) return;
    if (ctx.connections === undefined) {
      throw new EngineError(
        'SLUICE_CONNECTION',
        `trigger.connector_webhook.connection: no connection ${config.connection} here`,
        {
          hint: 'this engine has no connection service; start it with createEngine({ secretKey, connectors })',
        },
      );
    }
    await ctx.connections.check(workspaceId, [config.connection]);
  },
  firstDue: () => null,
  async subscribe(ctx, stored, config) {
    await subscribeTrigger(ctx, stored, config);
  },
  async unsubscribe(ctx, workflowUid, before) {
    await unsubscribeTrigger(ctx, workflowUid, before);
  },
  extras(ctx, stored, config) {
    const trigger = ctx.connectors.get(config.connector)?.triggers?.[config.trigger] as
      | WebhookTriggerDefinition
      | undefined;
    const key = ctx.deriveKey(HOOK_KEY_PURPOSE);
    if (trigger?.webhookSubscribe === undefined && trigger?.webhookKey !== undefined) {
      const name = staticHookName(stored.workspace_id, config.connector);
      return { hook_path: staticHookPath(stored.workspace_id, config.connector, hookSecret(key, name)) };
    }
    return { hook_path: hookPath(stored.uid, hookSecret(key, stored.uid)) };
  },
};

/**
 * The connector's webhook trigger that `config` names.
 *
 * @throws {EngineError} `SLUICE_CONNECTOR_UNKNOWN` for an unknown connector or trigger;
 *   `SLUICE_HOOK_SUBSCRIBE` for a polling trigger.
 */
export function webhookDefinition(
  connectors: ReadonlyMap<string, Connector>,
  config: Pick<ConnectorWebhookTrigger, 'connector' | 'trigger'>,
): WebhookTriggerDefinition {
  const connector = connectors.get(config.connector);
  if (connector === undefined) {
    throw new EngineError(
      'SLUICE_CONNECTOR_UNKNOWN',
      `trigger.connector_webhook.connector: connector ${JSON.stringify(config.connector)} is not registered`,
      { hint: 'GET /v1/connectors lists the registered connectors' },
    );
  }
  const triggers = (connector.triggers ?? {}) as Readonly<Record<string, unknown>>;
  const trigger = Object.hasOwn(triggers, config.trigger)
    ? (triggers[config.trigger] as WebhookTriggerDefinition)
    : undefined;
  if (trigger === undefined) {
    throw new EngineError(
      'SLUICE_CONNECTOR_UNKNOWN',
      `trigger.connector_webhook.trigger: connector ${config.connector} has no trigger ${JSON.stringify(config.trigger)} (triggers: ${Object.keys(triggers).sort().join(', ') || 'none'})`,
      { hint: 'name one of the connector webhook triggers' },
    );
  }
  if (typeof trigger.webhookNotification !== 'function') {
    throw new EngineError(
      'SLUICE_HOOK_SUBSCRIBE',
      `trigger.connector_webhook.trigger: ${config.connector}.${config.trigger} is a polling trigger, not a webhook trigger`,
      { hint: `use trigger.poll for it, or name a trigger with webhookNotification` },
    );
  }
  return trigger;
}

/** A runtime of the trigger's connector on its connection (none: the connector without values). */
export async function openRuntime(
  ctx: TriggerContext,
  workspaceId: string,
  config: Pick<ConnectorWebhookTrigger, 'connector' | 'trigger' | 'connection'>,
  workflowUid: string,
): Promise<ConnectorRuntime> {
  const logger = ctx.logger.child({ workflow: workflowUid, trigger: config.trigger });
  const common = { signal: ctx.signal, logger, transport: ctx.transport };
  if (config.connection === undefined) {
    const connector = ctx.connectors.get(config.connector);
    if (connector === undefined) throw new Error(`connector ${config.connector} is not registered here`);
    return createConnectorRuntime(connector, common);
  }
  if (ctx.connections === undefined)
    throw new Error(`no connection ${config.connection} (no connection service)`);
  const opened = await ctx.connections.open(workspaceId, config.connection);
  if (opened.connectorName !== config.connector) {
    throw new Error(
      `connection ${config.connection} is for connector ${opened.connectorName}, not ${config.connector}`,
    );
  }
  return createConnectorRuntime(opened.connector, {
    ...common,
    connection: opened.values,
    ...(opened.onConnectionChange === undefined ? {} : { onConnectionChange: opened.onConnectionChange }),
  });
}

/** The stored state, when it is one of ours. */
export function webhookState(state: unknown): ConnectorWebhookState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const value = state as Partial<ConnectorWebhookState>;
  return typeof value.config === 'string' && Array.isArray(value.seen)
    ? (value as ConnectorWebhookState)
    : undefined;
}

/** The text of a failure for `last_error`, the connection's secrets redacted. */
export function failureText(err: unknown, secrets: readonly string[], prefix: string): string {
  return createRedactor({ values: [...secrets] }).text(`${prefix}: ${lastErrorText(err)}`);
}

/** How many times a state commit is retried when a delivery committed first. */
const COMMIT_ATTEMPTS = 20;

/**
 * Commits `update(row)` on the revision read, again on a fresh read when another commit came first.
 * Resolves `false` when the row is gone (or `update` gives nothing to commit).
 */
async function commitState(
  ctx: TriggerContext,
  workflowUid: string,
  update: (row: TriggerStateRow) => { state?: unknown; last_error?: string | null } | undefined,
): Promise<boolean> {
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt += 1) {
    const row = await ctx.triggerStates.get(workflowUid);
    if (row === undefined || row.kind !== CONNECTOR_WEBHOOK_KIND) return false;
    const patch = update(row);
    if (patch === undefined) return false;
    const at = new Date(ctx.now()).toISOString();
    const committed = await ctx.triggerStates.commit({
      workflow_uid: workflowUid,
      expectedRevision: row.revision,
      patch,
      runs: [],
      at,
    });
    if (committed) return true;
  }
  return false;
}

/**
 * Subscribes the trigger of `stored` unless its state already holds a subscription of this
 * configuration; a subscription of another configuration is removed first. Never rejects: a failure is
 * the trigger's `last_error`.
 */
async function subscribeTrigger(
  ctx: TriggerContext,
  stored: StoredWorkflow,
  config: ConnectorWebhookTrigger,
): Promise<void> {
  const fingerprint = pollFingerprint(config);
  const row = await ctx.triggerStates.get(stored.uid);
  const previous = webhookState(row?.state);
  if (previous?.config === fingerprint && (previous.subscription !== undefined || !subscribes(ctx, config)))
    return;
  if (previous?.subscription !== undefined && row !== undefined) {
    // Another configuration's subscription: removed before the new one is made.
    await unsubscribeTrigger(ctx, stored.uid, row);
  }
  const seen = previous?.config === fingerprint ? previous.seen : [];
  const base: ConnectorWebhookState = {
    config: fingerprint,
    connector: config.connector,
    trigger: config.trigger,
    ...(config.connection === undefined ? {} : { connection: config.connection }),
    seen,
  };
  if (!subscribes(ctx, config)) {
    await commitState(ctx, stored.uid, () => ({ state: base, last_error: null }));
    return;
  }
  let secrets: string[] = [];
  try {
    const runtime = await openRuntime(ctx, stored.workspace_id, config, stored.uid);
    secrets = runtime.secrets();
    const url = hookUrl(ctx, stored.uid);
    const subscription = await runtime.webhookSubscribe(config.trigger, {
      webhookUrl: url,
      input: config.input ?? {},
      recipeId: stored.uid,
    });
    const committed = await commitState(ctx, stored.uid, () => ({
      state: { ...base, subscription },
      last_error: null,
    }));
    // The trigger went away while it subscribed (deleted, disabled): the subscription must not outlive it.
    if (!committed) await runtime.webhookUnsubscribe(config.trigger, subscription);
  } catch (err) {
    const text = failureText(
      err,
      secrets,
      `SLUICE_HOOK_SUBSCRIBE: triggers.${config.trigger}.webhookSubscribe`,
    );
    ctx.logger.warn(
      { workflow: stored.uid, trigger: config.trigger, error: text },
      'webhook subscribe failed',
    );
    await commitState(ctx, stored.uid, () => ({ state: base, last_error: text }));
  }
}

/**
 * Calls `webhookUnsubscribe` with the subscription kept in `before` (the row before the change), then
 * drops it from the row when the row is still there. Never rejects: a failure is logged and, when the
 * row is still there, its `last_error`.
 */
async function unsubscribeTrigger(
  ctx: TriggerContext,
  workflowUid: string,
  before: TriggerStateRow | undefined,
): Promise<void> {
  const state = webhookState(before?.state);
  if (before === undefined || state?.subscription === undefined) return;
  let secrets: string[] = [];
  let lastError: string | null = null;
  try {
    const runtime = await openRuntime(ctx, before.workspace_id, state, workflowUid);
    secrets = runtime.secrets();
    await runtime.webhookUnsubscribe(state.trigger, state.subscription);
  } catch (err) {
    lastError = failureText(
      err,
      secrets,
      `SLUICE_HOOK_SUBSCRIBE: triggers.${state.trigger}.webhookUnsubscribe`,
    );
    ctx.logger.warn(
      { workflow: workflowUid, trigger: state.trigger, error: lastError },
      'webhook unsubscribe failed',
    );
  }
  await commitState(ctx, workflowUid, (row) => {
    const current = webhookState(row.state);
    if (current?.subscription === undefined)
      return lastError === null ? undefined : { last_error: lastError };
    const { subscription: _gone, ...rest } = current;
    return { state: rest, last_error: lastError };
  });
}

/** Whether the trigger `config` names subscribes (else it is a static webhook). */
function subscribes(ctx: TriggerContext, config: ConnectorWebhookTrigger): boolean {
  const trigger = ctx.connectors.get(config.connector)?.triggers?.[config.trigger] as
    | WebhookTriggerDefinition
    | undefined;
  return trigger?.webhookSubscribe !== undefined;
}

/** The absolute hook URL of workflow `uid`. */
function hookUrl(ctx: TriggerContext, uid: string): string {
  const base = ctx.publicUrl();
  if (base === undefined) throw new Error('the engine has no public URL (sluice serve --public-url)');
  return `${base.replace(/\/+$/, '')}${hookPath(uid, hookSecret(ctx.deriveKey(HOOK_KEY_PURPOSE), uid))}`;
}
