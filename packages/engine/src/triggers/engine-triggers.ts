/**
 * The trigger parts of an engine, wired: the context kinds work with, the sync that keeps trigger rows
 * in step with publishes, the loop that fires pulled kinds (and runs the listeners of pushed ones) under
 * the `triggers` lease, and the sink where events of pushed kinds become runs.
 *
 * @internal
 * @module
 */
import type { Connector, Logger } from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { StepKinds } from '../steps/step-kinds.js';
import type { ServiceStore } from '../store/service-store.js';
import { TriggerSync } from './sync-triggers.js';
import type { TriggerConnections } from './trigger-connections.js';
import { type DispatchedRun, deliverEventTo, type EventSink } from './trigger-events.js';
import type { TriggerContext } from './trigger-kind.js';
import type { TriggerKinds } from './trigger-kinds.js';
import { TriggerLoop } from './trigger-loop.js';

/** What {@link createEngineTriggers} wires. */
export interface EngineTriggersOptions {
  store: ServiceStore;
  kinds: TriggerKinds;
  connectors: ReadonlyMap<string, Connector>;
  connections: TriggerConnections;
  now: () => number;
  logger: Logger;
  transport: HttpTransport | undefined;
  deriveKey(purpose: string): Buffer;
  seal: RunValueSealer;
  /** The step kinds (the input rules of pushed events read their templated fields). */
  stepKinds: StepKinds;
  /** Queues runs a commit created. */
  dispatch(runs: readonly DispatchedRun[]): void;
  /** This process's lease owner name. */
  owner: string;
  tickMs: number;
  leaseMs: number;
  /** Aborted when the engine closes. */
  signal: AbortSignal;
  /** The base URL third parties reach the API at (connector webhooks subscribe with it). */
  publicUrl(): string | undefined;
}

/** The trigger parts of one engine. */
export interface EngineTriggers {
  sync: TriggerSync;
  loop: TriggerLoop;
  events: EventSink;
}

export function createEngineTriggers(options: EngineTriggersOptions): EngineTriggers {
  const { store, kinds, connections, now, seal } = options;
  const dispatch = (runs: readonly DispatchedRun[]) => options.dispatch(runs);
  const events: EventSink = { store, connections, seal, now, stepKinds: options.stepKinds, dispatch };
  const context: Omit<TriggerContext, 'signal'> = {
    connectors: options.connectors,
    connections,
    now,
    logger: options.logger,
    transport: options.transport,
    deriveKey: (purpose) => options.deriveKey(purpose),
    deliver: (kind, uid, input) => deliverEventTo(events, kind, uid, input),
    publicUrl: () => options.publicUrl(),
    triggerStates: store.triggers,
  };
  const syncContext: TriggerContext = { ...context, signal: options.signal };
  events.context = syncContext;
  const sync = new TriggerSync({ store, kinds, context: syncContext });
  const loop = new TriggerLoop({
    store,
    kinds,
    context,
    owner: options.owner,
    dispatch: options.dispatch,
    seal,
    tickMs: options.tickMs,
    leaseMs: options.leaseMs,
  });
  return { sync, loop, events };
}
