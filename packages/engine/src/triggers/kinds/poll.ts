/**
 * The `poll` trigger kind: a connector's polling trigger, run through the SDK runtime (ascending or
 * paging_desc semantics) each `interval` seconds. One firing is one poll cycle; the trigger loop commits
 * its new state (cursor and dedup ledger), `next_at`, `last_polled_at` and one `pending` run per new record
 * (`INPUT` = the record) in one transaction. A cycle that crashes before its commit leaves nothing behind,
 * so the next one polls the same records again. A failed poll commits only `last_error` and the next time.
 *
 * The state is stored tagged with a fingerprint of the configuration it was polled with (`connector`,
 * `trigger`, `connection`, `input`): a state whose fingerprint differs is not used, and the trigger starts
 * over. The interval is not part of it, so changing only how often to poll keeps the cursor.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { isWebhookTrigger } from '@sluice/sdk';
import { createConnectorRuntime, type TriggerState } from '@sluice/sdk/internal';
import { EngineError } from '../../errors.js';
import { createRedactor } from '../../secrets/redactor.js';
import type { StoredWorkflow } from '../../store/service-store.js';
import { lastErrorText } from '../last-error.js';
import type { OpenedTriggerConnection } from '../trigger-connections.js';
import type { TriggerContext, TriggerKind } from '../trigger-kind.js';
import { connectorTriggerProperties } from './connector-trigger-schema.js';

/** `trigger.poll`: a connector's polling trigger; each new record starts one run with it as `INPUT`. */
export interface PollTrigger {
  /** The connector's name, as `GET /v1/connectors` lists it. */
  connector: string;
  /** The trigger's name in the connector. */
  trigger: string;
  /** The stored connection to poll with. */
  connection?: string;
  /** The trigger's input. @default {} */
  input?: unknown;
  /** Seconds between poll cycles. @default 60 */
  interval?: number;
}

declare module '../../model/workflow.js' {
  interface TriggerTypes {
    poll: PollTrigger;
  }
}

/** The shortest poll interval, in seconds. */
export const MIN_POLL_INTERVAL = 1;

/** The `poll` trigger kind. */
export const pollTrigger: TriggerKind<PollTrigger> = {
  key: 'poll',
  summary: "a connector's polling trigger",
  schema: {
    description: "Poll a connector's trigger; each new record starts one run, with the record as `INPUT`.",
    type: 'object',
    errorMessage: 'must be an object naming a connector trigger (connector, trigger, connection, ...)',
    additionalProperties: false,
    required: ['connector', 'trigger'],
    properties: {
      ...connectorTriggerProperties({
        triggerDescription: "The trigger's name in the connector.",
        triggerExample: 'new_customers',
        uses: 'poll with',
      }),
      interval: {
        description: `Seconds between poll cycles, at least ${MIN_POLL_INTERVAL}. Default: 60.`,
        type: 'number',
        minimum: MIN_POLL_INTERVAL,
        default: 60,
        examples: [60, 300],
        errorMessage: `must be a number of seconds, at least ${MIN_POLL_INTERVAL}`,
      },
    },
  },
  async checkEnable(ctx, workspaceId, poll) {
    const trigger = ctx.connectors.get(poll.connector)?.triggers?.[poll.trigger];
    if (trigger !== undefined && isWebhookTrigger(trigger)) {
      throw new EngineError(
        'SLUICE_CONNECTOR_UNKNOWN',
        `trigger.poll.trigger: ${poll.connector}.${poll.trigger} is a webhook trigger, it does not poll`,
        { hint: 'use trigger.connector_webhook for it' },
      );
    }
    const name = poll.connection;
    if (name === undefined) return;
    if (ctx.connections === undefined) {
      throw new EngineError('SLUICE_CONNECTION', `trigger.poll.connection: no connection ${name} here`, {
        hint: 'this engine has no connection service; start it with createEngine({ secretKey, connectors })',
      });
    }
    await ctx.connections.check(workspaceId, [name]);
  },
  isStale: (state, poll) => isStaleState(state, poll),
  firstDue(poll, due) {
    const fresh = due.resetState || resumableState(due.row?.state, poll) === undefined;
    if (due.kept === null || fresh || due.why === 'enable') return new Date(due.now).toISOString();
    // Keep the planned poll, but never later than one interval from now (the interval may have shrunk).
    const soonest = due.now + pollIntervalMs(poll);
    return Date.parse(due.kept) <= soonest ? due.kept : new Date(soonest).toISOString();
  },
  nextDue: (poll, now) => new Date(now + pollIntervalMs(poll)).toISOString(),
  async fire(ctx, row, stored, poll) {
    let secrets: string[] = [];
    try {
      const connection = await connectionOf(ctx, stored, poll);
      const runtime = createConnectorRuntime(connection.connector, {
        connection: connection.values,
        signal: ctx.signal,
        logger: ctx.logger.child({ workflow: stored.uid, trigger: poll.trigger }),
        transport: ctx.transport,
        // Refreshed tokens outlive the cycle: the next poll and the runs' action steps start from them.
        ...(connection.onConnectionChange === undefined
          ? {}
          : { onConnectionChange: connection.onConnectionChange }),
      });
      secrets = runtime.secrets();
      const result = await runtime.pollTrigger(poll.trigger, {
        input: poll.input ?? {},
        state: resumableState(row.state, poll),
      });
      if (ctx.signal.aborted) return undefined;
      const now = ctx.now();
      const state: StoredPollState = { config: pollFingerprint(poll), trigger: result.state };
      const at = new Date(now).toISOString();
      const next_at = new Date(now + pollIntervalMs(poll)).toISOString();
      // A record may hold the poll's own (refreshed) tokens.
      return {
        patch: { state, next_at, last_polled_at: at, last_error: null },
        events: result.events,
        secrets: runtime.secrets(),
      };
    } catch (err) {
      if (ctx.signal.aborted) return undefined; // closing: abandoned, nothing committed
      const message = createRedactor({ values: secrets }).text(lastErrorText(err));
      return {
        patch: { last_error: message, next_at: new Date(ctx.now() + pollIntervalMs(poll)).toISOString() },
        events: [],
      };
    }
  },
};

/** The connection to poll with: the stored one named by `connection`, or the connector without values. */
async function connectionOf(
  ctx: TriggerContext,
  stored: StoredWorkflow,
  poll: PollTrigger,
): Promise<Pick<OpenedTriggerConnection, 'connector' | 'values' | 'onConnectionChange'>> {
  if (poll.connection !== undefined) {
    if (ctx.connections === undefined) {
      throw new Error(`trigger.poll.connection: no connection ${poll.connection} (no connection service)`);
    }
    const opened = await ctx.connections.open(stored.workspace_id, poll.connection);
    if (opened.connectorName !== poll.connector) {
      throw new Error(
        `trigger.poll.connection: connection ${poll.connection} is for connector ${opened.connectorName}, not ${poll.connector}`,
      );
    }
    return opened;
  }
  const connector = ctx.connectors.get(poll.connector);
  if (connector === undefined) {
    throw new Error(`trigger.poll.connector: connector ${poll.connector} is not registered here`);
  }
  return { connector, values: {} };
}

/** The stored form of a poll trigger's state. */
export interface StoredPollState {
  /** {@link pollFingerprint} of the configuration the state belongs to. */
  config: string;
  /** The SDK state, as `pollTrigger` returned it. */
  trigger: TriggerState;
}

/** The default poll interval, in seconds. */
export const DEFAULT_POLL_INTERVAL = 60;

/** A hash of what the cursor depends on: the connector, its trigger, the connection and the input. */
export function pollFingerprint(poll: PollTrigger): string {
  const config = [poll.connector, poll.trigger, poll.connection ?? null, poll.input ?? {}];
  return createHash('sha256').update(canonicalJson(config)).digest('base64url');
}

/** The SDK state to resume from, or `undefined` (start over) when none was stored for this configuration. */
export function resumableState(stored: unknown, poll: PollTrigger): TriggerState | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { config, trigger } = stored as Partial<StoredPollState>;
  return config === pollFingerprint(poll) && trigger !== undefined ? trigger : undefined;
}

/** Whether `stored` belongs to a different configuration than `poll` (a state of none does not). */
export function isStaleState(stored: unknown, poll: PollTrigger): boolean {
  return stored !== null && stored !== undefined && resumableState(stored, poll) === undefined;
}

/** The poll interval in ms. */
export function pollIntervalMs(poll: PollTrigger): number {
  return (poll.interval ?? DEFAULT_POLL_INTERVAL) * 1000;
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` give the same fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    const entries = keys.map(
      (k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`,
    );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
