/**
 * What a run reports while it executes, for progress displays (`sluice run` on a terminal) and
 * metrics. Events carry no secrets: values are redacted before they are emitted.
 *
 * @module
 */
import type { AttemptEntry, RunStatus, StepErrorRecord, StepStatus } from '../store/store.js';

/** One event of a run. */
export type RunEvent =
  | { type: 'run-started'; runId: string; workflow: string; steps: number }
  | {
      type: 'step-started';
      runId: string;
      step: string;
      stepIndex: number;
      items: number;
      fannedOut: boolean;
    }
  | {
      type: 'item-finished';
      runId: string;
      step: string;
      stepIndex: number;
      itemIndex: number;
      status: StepStatus;
      attempts: number;
      /** From the item's first attempt (before a resume, too) to its end, in ms. */
      durationMs?: number;
      /** Each HTTP attempt: its status or error class and timings (no URLs, headers or bodies). */
      history?: readonly AttemptEntry[];
    }
  | {
      type: 'step-finished';
      runId: string;
      step: string;
      stepIndex: number;
      status: StepStatus;
      attempts: number;
      durationMs: number;
      error: StepErrorRecord | null;
    }
  | {
      /**
       * A run executing alone (`runWorkflow`, `sluice run`) starts sleeping through a long wait (a wait
       * step, a long Retry-After) until `until` (ISO), or (`until: null`) has slept through it.
       */
      type: 'run-waiting';
      runId: string;
      until: string | null;
    }
  | {
      type: 'run-finished';
      runId: string;
      status: RunStatus;
      durationMs: number;
      error: StepErrorRecord | null;
    };
