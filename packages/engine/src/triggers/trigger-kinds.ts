/**
 * The registry of trigger kinds. The built-in kinds are listed once, in {@link TRIGGER_KINDS}; a registry
 * with more is `TRIGGER_KINDS.with(kind)`, passed to `createEngine({ triggerKinds })`,
 * `validateWorkflow(doc, { triggerKinds })` and `workflowJsonSchema(stepKinds, triggerKinds)`.
 *
 * @module
 */
import type { WorkflowTrigger } from '../model/workflow.js';
import { connectorWebhookTrigger } from './kinds/connector-webhook.js';
import { pollTrigger } from './kinds/poll.js';
import { scheduleTrigger } from './kinds/schedule.js';
import { webhookTrigger } from './kinds/webhook.js';
import type { TriggerKind } from './trigger-kind.js';

/** An ordered set of trigger kinds, found by their key under `trigger:`. */
export class TriggerKinds {
  readonly #kinds: readonly TriggerKind[];

  /**
   * @throws {TypeError} when two kinds share a key, or a pulled kind (`fire`) has no `nextDue` (a
   * programming error, found when the registry is built).
   */
  constructor(kinds: readonly TriggerKind[]) {
    const keys = new Set<string>();
    for (const kind of kinds) {
      if (keys.has(kind.key)) throw new TypeError(`trigger kind ${kind.key} is registered twice`);
      if (kind.fire !== undefined && kind.nextDue === undefined) {
        throw new TypeError(
          `trigger kind ${kind.key} fires but has no nextDue: when is it due after a refusal?`,
        );
      }
      keys.add(kind.key);
    }
    this.#kinds = kinds;
  }

  /** The kinds, in registration order (the order of the schema and of messages). */
  get list(): readonly TriggerKind[] {
    return this.#kinds;
  }

  /** A registry with these kinds and `more` after them. */
  with(...more: readonly TriggerKind[]): TriggerKinds {
    return new TriggerKinds([...this.#kinds, ...more]);
  }

  /** The kind named `key`. */
  get(key: string): TriggerKind | undefined {
    return this.#kinds.find((kind) => kind.key === key);
  }

  /**
   * The kind of a workflow's `trigger` and its configuration (defaults applied), or `undefined` for a
   * workflow that only runs through the API (or whose trigger no kind here knows).
   */
  of(
    trigger: WorkflowTrigger | Readonly<Record<string, unknown>> | undefined,
  ): { kind: TriggerKind; config: unknown } | undefined {
    if (trigger === undefined) return undefined;
    const fields = trigger as Readonly<Record<string, unknown>>;
    for (const kind of this.#kinds) {
      const raw = fields[kind.key];
      // A webhook written `webhook:` with nothing after it is null: still that kind.
      if (raw === undefined) continue;
      return { kind, config: kind.normalize === undefined ? raw : kind.normalize(raw) };
    }
    return undefined;
  }
}

/** The built-in trigger kinds: `schedule`, `webhook`, `poll` and `connector_webhook`. */
export const TRIGGER_KINDS: TriggerKinds = new TriggerKinds([
  scheduleTrigger,
  webhookTrigger,
  pollTrigger,
  connectorWebhookTrigger,
] as readonly TriggerKind[]);
