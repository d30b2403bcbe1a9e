/**
 * Deliveries of `connector_webhook` triggers: the connector's `webhookNotification` turns one delivery
 * into events, and each event not yet seen (by its dedup key, against a bounded ledger in the trigger's
 * state) becomes one run, committed in the SAME transaction as its ledger entry (`triggers.commit` on
 * the revision read; a delivery that raced another one reads again). A repeated delivery of the same
 * event starts no second run. Static webhooks route a delivery to every live trigger of the connector
 * in the workspace whose `webhookKey` equals the connector's `webhookKeys` of the delivery.
 *
 * @internal
 * @module
 */
import type { WebhookEvent } from '@sluice/sdk/internal';
import { DEDUP_WINDOW, runWebhookKeys } from '@sluice/sdk/internal';
import { actionConnections } from '../connectors/catalog.js';
import { EngineError } from '../errors.js';
import { admitRun } from '../run/admit-run.js';
import { checkRunInput } from '../run/input-rules.js';
import type { StoredWorkflow, TriggeredRun } from '../store/service-store.js';
import {
  CONNECTOR_WEBHOOK_KIND,
  type ConnectorWebhookState,
  type ConnectorWebhookTrigger,
  failureText,
  openRuntime,
  webhookDefinition,
  webhookState,
} from './kinds/connector-webhook.js';
import { pollFingerprint } from './kinds/poll.js';
import type { EventSink } from './trigger-events.js';
import type { TriggerContext } from './trigger-kind.js';

/** One HTTP delivery, as the hook route received it. */
export interface ConnectorHookDelivery {
  /** The body parsed (JSON, a form, text; `null` for none). */
  readonly payload: unknown;
  /** The body as text, for triggers with `webhookPayloadType: 'raw'`. */
  readonly raw: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The URL's query parameters. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** How many times the commit of a delivery's events is retried when another commit came first. */
const COMMIT_ATTEMPTS = 50;

/**
 * Runs a delivery to the hook URL of `stored` (a `connector_webhook` trigger) and starts one run per new
 * event; resolves their ids (none when every event was seen before), or `undefined` when the workflow has
 * no live connector webhook trigger.
 *
 * @throws {EngineError} `SLUICE_HOOK_NOTIFICATION` (422) when the connector's `webhookNotification`
 *   throws or returns something other than events (no run started); as `deliverEvent` for the input and
 *   the connections of its action steps.
 */
export async function deliverConnectorHook(
  sink: EventSink,
  stored: StoredWorkflow,
  delivery: ConnectorHookDelivery,
): Promise<string[] | undefined> {
  const ctx = contextOf(sink);
  const config = stored.document.trigger?.connector_webhook;
  if (config === undefined) return undefined;
  const row = await sink.store.triggers.get(stored.uid);
  if (row === undefined || row.kind !== CONNECTOR_WEBHOOK_KIND || !row.enabled) return undefined;
  const events = await notify(ctx, stored, config, delivery, webhookState(row.state)?.subscription);
  return commitEvents(sink, stored, config, events);
}

/**
 * Runs a delivery to the static webhook of connector `connectorName` in workspace `workspaceId`: resolves
 * the ids of the runs it started, or `undefined` when the connector has no static webhooks here. Every
 * matching trigger gets the delivery; when one of them fails, the others' runs are still committed and
 * the first failure is thrown (a retried delivery starts no run twice).
 *
 * @throws {EngineError} `SLUICE_HOOK_NOTIFICATION` (422) when `webhookKeys` or a matching trigger's
 *   `webhookNotification` fails.
 */
export async function deliverStaticHook(
  sink: EventSink,
  workspaceId: string,
  connectorName: string,
  delivery: ConnectorHookDelivery,
): Promise<string[] | undefined> {
  const ctx = contextOf(sink);
  const connector = ctx.connectors.get(connectorName);
  if (connector?.webhookKeys === undefined) return undefined;
  let key: string;
  try {
    key = await runWebhookKeys(connector, delivery);
  } catch (err) {
    throw notificationError(err, [], `${connectorName} webhookKeys`);
  }
  const rows = await sink.store.triggers.list(workspaceId);
  const ids: string[] = [];
  let failure: unknown;
  for (const row of rows) {
    if (row.kind !== CONNECTOR_WEBHOOK_KIND || !row.enabled) continue;
    const stored = await sink.store.workflows.get(row.workflow_uid);
    const config = stored?.deleted === false ? stored.document.trigger?.connector_webhook : undefined;
    if (stored === undefined || config === undefined || config.connector !== connectorName) continue;
    try {
      if (webhookDefinition(ctx.connectors, config).webhookKey === undefined) continue;
      const runtime = await openRuntime(ctx, workspaceId, config, stored.uid);
      const wanted = await runtime.webhookKey(config.trigger, { input: config.input ?? {} });
      if (wanted !== key) continue;
      const events = await notify(ctx, stored, config, delivery, undefined);
      ids.push(...((await commitEvents(sink, stored, config, events)) ?? []));
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined)
    throw failure instanceof EngineError ? failure : notificationError(failure, [], connectorName);
  return ids;
}

function contextOf(sink: EventSink): TriggerContext {
  if (sink.context === undefined) throw new Error('connector webhooks need the engine trigger context');
  return sink.context;
}

/** The events of one delivery, by the trigger's `webhookNotification`. */
async function notify(
  ctx: TriggerContext,
  stored: StoredWorkflow,
  config: ConnectorWebhookTrigger,
  delivery: ConnectorHookDelivery,
  subscription: unknown,
): Promise<WebhookEvent[]> {
  const trigger = webhookDefinition(ctx.connectors, config);
  let secrets: string[] = [];
  try {
    const runtime = await openRuntime(ctx, stored.workspace_id, config, stored.uid);
    secrets = runtime.secrets();
    return await runtime.webhookNotification(config.trigger, {
      input: config.input ?? {},
      payload: trigger.webhookPayloadType === 'raw' ? delivery.raw : delivery.payload,
      headers: delivery.headers,
      params: delivery.params,
      webhookSubscribeOutput: subscription,
    });
  } catch (err) {
    throw notificationError(err, secrets, `${config.connector}.${config.trigger}`);
  }
}

function notificationError(err: unknown, secrets: readonly string[], what: string): EngineError {
  const text = failureText(err, secrets, `trigger.connector_webhook: ${what} failed on this delivery`);
  return new EngineError('SLUICE_HOOK_NOTIFICATION', text, {
    hint: 'no run was started; try the payload locally with sluice exec <connector> triggers.<name> --webhook-payload p.json',
  });
}

/**
 * Commits one run per event whose key the trigger's ledger does not hold, with the keys added to the
 * ledger, in one transaction on the revision read; reads again when another commit came first.
 */
async function commitEvents(
  sink: EventSink,
  stored: StoredWorkflow,
  config: ConnectorWebhookTrigger,
  events: readonly WebhookEvent[],
): Promise<string[] | undefined> {
  if (events.length === 0) return [];
  for (const { event } of events) checkRunInput(stored.document, event, sink.stepKinds);
  await sink.connections?.check(stored.workspace_id, actionConnections(stored.document));
  const secrets = (await sink.connections?.secretsOf(stored.workspace_id)) ?? [];
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt += 1) {
    const row = await sink.store.triggers.get(stored.uid);
    if (row === undefined || row.kind !== CONNECTOR_WEBHOOK_KIND || !row.enabled) return undefined;
    const state = webhookState(row.state) ?? freshState(config);
    const seen = new Set(state.seen);
    const fresh = events.filter(({ key }) => !seen.has(key));
    if (fresh.length === 0) return [];
    const at = new Date(sink.now()).toISOString();
    const runs: TriggeredRun[] = fresh.map(({ event }) => {
      const admitted = admitRun({
        from: 'trigger',
        stored,
        input: event,
        createdAt: at,
        secrets,
        seal: sink.seal,
      });
      return { run: admitted.run, caller: admitted.caller };
    });
    const ledger = [...state.seen, ...fresh.map(({ key }) => key)];
    const next: ConnectorWebhookState = {
      ...state,
      seen: ledger.length > DEDUP_WINDOW ? ledger.slice(ledger.length - DEDUP_WINDOW) : ledger,
    };
    const committed = await sink.store.triggers.commit({
      workflow_uid: stored.uid,
      expectedRevision: row.revision,
      patch: { state: next },
      runs,
      at,
    });
    if (committed) {
      sink.dispatch(runs.map(({ run }) => ({ id: run.id })));
      return runs.map(({ run }) => run.id);
    }
  }
  throw new EngineError('SLUICE_WORKFLOW_CONFLICT', "the trigger's state kept changing under this delivery", {
    hint: 'send the delivery again: events already taken do not start a second run',
  });
}

function freshState(config: ConnectorWebhookTrigger): ConnectorWebhookState {
  return {
    config: pollFingerprint(config),
    connector: config.connector,
    trigger: config.trigger,
    ...(config.connection === undefined ? {} : { connection: config.connection }),
    seen: [],
  };
}
