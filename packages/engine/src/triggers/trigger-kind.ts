/**
 * What a trigger kind is: everything the engine needs to know about one way of starting runs (a cron
 * schedule, a webhook, a connector's polling trigger, ...) in one object. The validator, the JSON Schema
 * generator, the trigger sync (publish, enable, reconcile), the trigger loop and the API read kinds
 * through a {@link TriggerKinds} registry (`trigger-kinds.ts`), so adding a kind is one file under
 * `triggers/kinds/` and one line there (docs/architecture.md, "Add a trigger kind").
 *
 * A kind is its key under `trigger:` (`schedule`, `webhook`, `poll`). Its lifecycle fits both pulled
 * and pushed events:
 * - publish and enable: `checkEnable` may refuse (a poll's connection test); `subscribe` /
 *   `unsubscribe` tell the source, for kinds that register somewhere (a connector's webhook);
 * - pulled kinds are due at `next_at` (`firstDue`, then `nextDue`), and the trigger loop, holding the
 *   `triggers` lease, `fire`s each due one and commits what it returns in one transaction;
 * - pushed kinds are never due: their events arrive (`POST /v1/hooks/...` for a webhook, or a listener
 *   the kind runs between `start` and `stop` while the loop holds the lease) and are committed by
 *   `deliverEvent` (`trigger-events.ts`).
 *
 * @module
 */
import type { Connector, Logger } from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import type { JsonSchemaNode } from '../model/json-schema-node.js';
import type { StoredWorkflow, TriggerStateRow, TriggerStore } from '../store/service-store.js';
import type { TriggerConnections } from './trigger-connections.js';

/** A problem a kind finds in its configuration that its schema cannot say; `path` is below `trigger.<key>`. */
export interface TriggerProblem {
  path: readonly (string | number)[];
  message: string;
}

/**
 * A check of a kind's configuration as written. `reported(path)` says whether the schema already found a
 * problem at that path below `trigger.<key>` (then the check says nothing more about it).
 */
export type TriggerCheck = (
  config: Readonly<Record<string, unknown>>,
  reported: (path: readonly (string | number)[]) => boolean,
) => TriggerProblem[];

/** What a kind may use when it checks, subscribes, fires or listens. */
export interface TriggerContext {
  readonly connectors: ReadonlyMap<string, Connector>;
  /** The workspaces' connections; absent when the engine has no connection service. */
  readonly connections: TriggerConnections | undefined;
  readonly now: () => number;
  readonly logger: Logger;
  readonly transport: HttpTransport | undefined;
  /** Aborted when the engine closes: a firing in flight is abandoned, uncommitted. */
  readonly signal: AbortSignal;
  /** A sub-key of the engine's secret key (a webhook's secret is derived from `webhooks`). */
  deriveKey(purpose: string): Buffer;
  /**
   * For pushed kinds: one event of the `kind` trigger of workflow `workflowUid` becomes one run of its
   * latest version (committed with the event counted, then queued). Resolves the run's id, or `undefined`
   * when the workflow has no live trigger of that kind (deleted, disabled, another kind now).
   * @throws {EngineError} `SLUICE_CONNECTION_TEST` when a connection its action steps use fails its test.
   */
  deliver(kind: string, workflowUid: string, input: unknown): Promise<string | undefined>;
  /**
   * The absolute base URL third parties reach this engine's API at (`createEngine({ publicUrl })`, else
   * the `baseUrl` given to `start`), for kinds that register a hook URL at their source; `undefined`
   * when neither was given.
   */
  publicUrl(): string | undefined;
  /**
   * The trigger rows, for pushed kinds that keep state of their own (a connector webhook's subscription
   * and dedup ledger): read a row, commit a new state (with runs) on the revision read.
   */
  readonly triggerStates: Pick<TriggerStore, 'get' | 'commit' | 'list'>;
}

/** Why `firstDue` is asked. */
export type DueReason = 'publish' | 'reconcile' | 'enable';

/** What `firstDue` knows of the trigger's row before the change. */
export interface DueContext {
  /** The row as it was; `undefined` for a new one. */
  row: TriggerStateRow | undefined;
  /** The row's enabled `next_at` when it is of this kind and enabled, else `null`. */
  kept: string | null;
  /** Whether the row's state is dropped (another kind, or another configuration). */
  resetState: boolean;
  why: DueReason;
  now: number;
}

/** What one firing of a pulled kind commits. */
export interface Firing {
  /** `next_at`, `state`, `last_polled_at`, `last_error` to write. */
  patch: Partial<Pick<TriggerStateRow, 'state' | 'next_at' | 'last_polled_at' | 'last_error'>>;
  /** One run per event, its `INPUT`; none when the firing failed (`patch.last_error`). */
  events: readonly unknown[];
  /** Secret values the firing met (a connection's refreshed tokens), redacted from the runs' inputs. */
  secrets?: readonly string[];
}

/**
 * What the API shows of a trigger besides its row: a webhook's URL path (`hook_path`), or any other
 * scalar a kind wants its users to see (shown as it is in `GET /v1/workflows/{uid}/trigger`).
 */
export interface TriggerExtras {
  hook_path?: string;
  [field: string]: string | number | boolean | null | undefined;
}

/** One kind of trigger; `C` is its configuration (`trigger.<key>` after defaults). */
export interface TriggerKind<C = unknown> {
  /** The key under `trigger:` and the kind's name in rows, metrics and the API: `schedule`, `webhook`, `poll`. */
  readonly key: string;
  /** What it does, for the schema's description: `Start a run at each time a cron expression matches.` */
  readonly summary: string;
  /** The JSON Schema of `trigger.<key>`. */
  readonly schema: JsonSchemaNode;
  /** Checks the schema cannot say (a cron expression croner runs), in this order. */
  readonly checks?: readonly TriggerCheck[];
  /** `trigger.<key>` as the engine holds it: defaults applied (a webhook's `null` is `{}`). */
  normalize?(config: unknown): C;
  /** Before a publish or an enable makes the trigger live: may refuse (422), e.g. a failing connection test. */
  checkEnable?(ctx: TriggerContext, workspaceId: string, config: C): Promise<void>;
  /** Whether the row's state belongs to another configuration of the kind (then it starts over). */
  isStale?(state: unknown, config: C): boolean;
  /** `next_at` when the trigger goes live (published, enabled, reconciled at start); `null`: never due (pushed). */
  firstDue(config: C, due: DueContext): string | null;
  /** `next_at` after a firing was refused (a connection test failed); required with `fire`. */
  nextDue?(config: C, now: number): string | null;
  /**
   * Pulled kinds: one firing of a due trigger. Resolves what to commit, or `undefined` to commit nothing
   * (the engine is closing: the next process fires it again). Never rejects for a failure of the source:
   * that is `patch.last_error`.
   */
  fire?(
    ctx: TriggerContext,
    row: TriggerStateRow,
    stored: StoredWorkflow,
    config: C,
  ): Promise<Firing | undefined>;
  /** Pushed kinds that listen: start listening while the engine holds the `triggers` lease. */
  start?(ctx: TriggerContext): Promise<void>;
  /** Stop listening (lease lost, engine closing). */
  stop?(): Promise<void>;
  /** Pushed kinds that register at their source: after the trigger goes live. */
  subscribe?(ctx: TriggerContext, stored: StoredWorkflow, config: C): Promise<void>;
  /**
   * After the trigger stops (disabled, removed, workflow deleted, another kind now). `before` is the
   * trigger's row as it was before the change, state included (the row itself may be gone already).
   */
  unsubscribe?(ctx: TriggerContext, workflowUid: string, before?: TriggerStateRow): Promise<void>;
  /** What the API shows besides the row. */
  extras?(ctx: TriggerContext, stored: StoredWorkflow, config: C): TriggerExtras;
}
