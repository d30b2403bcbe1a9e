/**
 * The events of pushed trigger kinds (a webhook delivery, a message a listener receives): each becomes
 * one run of the workflow's latest version, committed with the event counted (`events_seen`) and then
 * queued. An event reads no trigger state, so it commits without a revision check: concurrent events
 * never conflict.
 *
 * @module
 */
import type { Connector } from '@sluice/sdk';
import { actionConnections } from '../connectors/catalog.js';
import { admitRun } from '../run/admit-run.js';
import { checkRunInput } from '../run/input-rules.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { StepKinds } from '../steps/step-kinds.js';
import type { ServiceStore, StoredWorkflow } from '../store/service-store.js';
import type { TriggerConnections } from './trigger-connections.js';
import type { TriggerContext } from './trigger-kind.js';

/** A run a commit created, to execute now (its unredacted input is sealed in its row). */
export interface DispatchedRun {
  id: string;
}

/** Where the events of pushed kinds go. */
export interface EventSink {
  readonly store: ServiceStore;
  readonly connections: TriggerConnections | undefined;
  readonly connectors?: ReadonlyMap<string, Connector>;
  readonly seal: RunValueSealer | undefined;
  /** The step kinds whose templated fields say what `INPUT` must be (`checkRunInput`). */
  readonly stepKinds: StepKinds;
  readonly now: () => number;
  /** Queues runs a commit created. */
  dispatch(runs: readonly DispatchedRun[]): void;
  /** The context of the engine's trigger kinds, for deliveries that run connector code (connector webhooks). */
  context?: TriggerContext;
}

/** {@link deliverEvent} for the latest live version of workflow `workflowUid`. */
export async function deliverEventTo(
  sink: EventSink,
  kind: string,
  workflowUid: string,
  input: unknown,
): Promise<string | undefined> {
  const stored = await sink.store.workflows.get(workflowUid);
  if (stored === undefined || stored.deleted) return undefined;
  return deliverEvent(sink, kind, stored, input);
}

/**
 * Commits one run of `stored` for an event of its `kind` trigger and queues it; resolves the run's id, or
 * `undefined` when the workflow has no live trigger of that kind. As for a run started through the API,
 * the input must fit what the workflow's templates read (`SLUICE_RUN_INPUT`, 422) and the connections
 * of its action steps pass their test first (`SLUICE_CONNECTION_TEST`, 422).
 */
export async function deliverEvent(
  sink: EventSink,
  kind: string,
  stored: StoredWorkflow,
  input: unknown,
): Promise<string | undefined> {
  const row = await sink.store.triggers.get(stored.uid);
  if (row === undefined || row.kind !== kind || !row.enabled) return undefined;
  checkRunInput(stored.document, input, sink.stepKinds);
  await sink.connections?.check(stored.workspace_id, actionConnections(stored.document));
  const at = new Date(sink.now()).toISOString();
  const secrets = (await sink.connections?.secretsOf(stored.workspace_id)) ?? [];
  const admitted = admitRun({ from: 'trigger', stored, input, createdAt: at, secrets, seal: sink.seal });
  const committed = await sink.store.triggers.commit({
    workflow_uid: stored.uid,
    patch: {},
    runs: [{ run: admitted.run, caller: admitted.caller }],
    at,
  });
  // The row went away between the read and the commit (the workflow was deleted).
  if (!committed) return undefined;
  sink.dispatch([{ id: admitted.run.id }]);
  return admitted.run.id;
}
