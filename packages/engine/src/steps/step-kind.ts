/**
 * What a step kind is: everything the engine needs to know about one kind of step (an HTTP call, a
 * connector action, ...) in one object. The validator, the JSON Schema generator, the API's input
 * rules and the executor read kinds through a {@link StepKinds} registry, so adding a kind is one file
 * under `steps/` and one line in `step-kinds.ts` (docs/architecture.md, "Add a step kind").
 *
 * A kind is found by its {@link StepKind.key}: the one step property that only its steps have
 * (`apispec`, `action`). The document format has no `kind:` field, so a step is of the kind whose key
 * it holds, and holding two keys is a problem of the document.
 *
 * @module
 */
import type { Logger, RetryPolicy } from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import type { SharedSlots, StepLimits } from '../limits/step-limits.js';
import type { JsonSchemaNode } from '../model/json-schema-node.js';
import type { RunState } from '../model/run-state.js';
import type { RateLimit, StepBase } from '../model/workflow.js';
import type { Redactor } from '../secrets/redactor.js';
import type { AttemptEntry, StepItemRow } from '../store/store.js';
import type { TemplateRenderer } from '../template/render.js';
import type { ActionSource } from './action-source.js';
import type { ChildRuns } from './child-runs.js';
import type { Sleep } from './waits.js';

/** A problem a kind finds in a step that its schema fragment cannot say. `path` is below the step. */
export interface StepProblem {
  /** Path segments below the step, e.g. `['apispec', 'url']`. */
  path: readonly (string | number)[];
  message: string;
}

/** A check of one step of the kind, on the document as written (before defaults). */
export type StepCheck = (step: Readonly<Record<string, unknown>>) => StepProblem[];

/** The part of the template renderer a step uses. */
export type StepRenderer = Pick<TemplateRenderer, 'render'>;

/** What one item of a step may read about its run. */
export interface StepScope {
  readonly runId: string;
  /** The workspace whose rate-limit counts the run's requests go under. */
  readonly workspaceId: string;
  /** The state so far (`STEPS` grows as steps finish). */
  readonly state: RunState;
  /** Bound to the run, redacting. */
  readonly logger: Logger;
  /** The redactor with every secret known so far. */
  redactor(): Redactor;
  /** Adds secret values found during the run (a connection's tokens, say). */
  addSecrets(values: readonly string[]): void;
  /**
   * Whether attempts keep the HTTP requests and responses they made (`AttemptEntry.exchanges`): false
   * for a run of a workspace that keeps none, so a kind builds none.
   */
  readonly recordsExchanges: boolean;
}

/** What one item of a step may use: no store (the executor commits items), no events. */
export interface StepPorts {
  readonly renderer: StepRenderer;
  readonly transport: HttpTransport;
  /** Step concurrency and rate limits shared with other runs (and, on Redis, other workers). */
  readonly limits: StepLimits;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly random: (() => number) | undefined;
  readonly longWaitMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** The connectors and connections of action steps; without it, action steps fail. */
  readonly actions?: ActionSource | undefined;
  /** Where `workflow:` steps start child runs; without it, they fail. */
  readonly children?: ChildRuns | undefined;
  /** Stores (or clears) the time a long wait ends, as the run's `resume_at`; may throw `RunSuspended`. */
  onLongWait(resumeAt: Date | undefined): Promise<void>;
  /**
   * Commits an unfinished item (status `running`): its attempts so far, and `progress`, what it must
   * not do again (the pages of a paginated call). A resumed run gives both back in the item's task
   * (`previousAttempts`, `previousProgress`). Redacted like any row; sealed when redaction changed it.
   */
  saveProgress(task: ItemTask, progress: unknown, history: readonly AttemptEntry[]): Promise<void>;
}

/** What a kind's {@link StepKind.runItem} receives about the run. */
export type ItemContext = StepScope & StepPorts;

/** One item to run: the step, where it is, its rendered input and what the executor decided for it. */
export interface ItemTask<S extends StepBase = StepBase> {
  step: S;
  stepIndex: number;
  itemIndex: number;
  /** The item (fan-out) or the whole rendered input. */
  input: unknown;
  /** The step's retry policy (`retry` over `default_retry`). */
  policy: RetryPolicy;
  /** Held around each call; `undefined` when the step has no `concurrency`. */
  slots: SharedSlots | undefined;
  /** The step's `rate_limit`, else the workflow's `default_rate_limit`. */
  rateLimit: RateLimit | undefined;
  /** The idempotency key of the item, the same across retries and re-executions. */
  idempotencyKey: string;
  /** When the item first started (its first committed attempt, when it resumes), epoch ms. */
  startedAt: number;
  /**
   * The attempts the item committed before it stopped at a stored wait, when the run resumes it: they
   * count against its retry budget. `undefined` for an item that runs for the first time.
   */
  previousAttempts: readonly AttemptEntry[] | undefined;
  /**
   * What the item committed as its progress before it stopped ({@link StepPorts.saveProgress}, or a
   * `RunSuspended` with progress), unredacted, when the run resumes it; `undefined` otherwise.
   */
  previousProgress: unknown;
}

/** A finished item: its row (redacted) and its raw output. */
export interface ItemResult {
  row: StepItemRow;
  /** The output before redaction, for `STEPS.<name>.output`. */
  output: unknown;
}

/**
 * One kind of step. `S` is the kind's step type (the document's step, after defaults), which the kind
 * adds to the workflow model's {@link StepBase} union through `StepTypes` (see `workflow/model.ts`).
 */
export interface StepKind<S extends StepBase = StepBase> {
  /** The kind's name in docs and logs: `http`, `action`. */
  readonly name: string;
  /** The step property that makes a step of this kind: `apispec`, `action`. */
  readonly key: string;
  /** What a step of the kind is, for messages: `an HTTP call`. */
  readonly summary: string;
  /** What to write under {@link key}, for the message of a step with no kind: `a connector action, <connector>.<action>`. */
  readonly keyHint: string;
  /** The JSON Schema of the kind's own step properties ({@link key} and its companions). */
  readonly properties: Readonly<Record<string, JsonSchemaNode>>;
  /** Properties that need another one (JSON Schema `dependencies`), e.g. `connection` needs `action`. */
  readonly dependencies?: Readonly<Record<string, readonly string[]>>;
  /** Editor completion snippets of a step of the kind. */
  readonly snippets: readonly JsonSchemaNode[];
  /**
   * The kind's fields that hold templates, as paths below the step (every step's `input` and `output`
   * are the executor's). They are syntax-checked at publish, read for the API's input rules and,
   * for the kind itself, rendered per item.
   */
  readonly templatedFields: readonly (readonly string[])[];
  /** Checks the schema cannot say, each run over every step of the kind, in this order. */
  readonly checks?: readonly StepCheck[];
  /** The step as the engine holds it: defaults applied (the HTTP method upper-cased, say). */
  normalize?(step: Readonly<Record<string, unknown>>): S;
  /**
   * Runs one item. Never throws for a failure of the item itself (a template error, a failed call):
   * the row says `failed`. Throws `ctx.signal.reason` when the run is aborted, and `RunSuspended`
   * (with the attempts so far) when a long wait suspends the run: the executor commits the item
   * unfinished and resumes it later.
   */
  runItem(ctx: ItemContext, task: ItemTask<S>): Promise<ItemResult>;
}
