/**
 * The retry policy of a step: `default_retry` overridden field by field by the step's `retry`, with
 * urllib3 `Retry` semantics from the SDK. A workflow without any retry settings gets urllib3's
 * `Retry(3)`; settings given in either place start from `Retry()`'s defaults, as
 * `Retry(**settings)` would.
 *
 * @module
 */
import { RetryPolicy } from '@sluice/sdk';
import type { RetrySettings, Workflow } from '../model/workflow.js';

/**
 * Merges `default_retry` and a step's `retry` field by field (the step wins; lists are replaced, not
 * concatenated). `undefined` when neither has settings.
 */
export function mergeRetrySettings(
  defaults: RetrySettings | undefined,
  step: RetrySettings | undefined,
): RetrySettings | undefined {
  if (defaults === undefined && step === undefined) return undefined;
  return { ...defaults, ...step };
}

/**
 * The policy of step `stepIndex`: the merged settings, or `Retry(3)` when there are none.
 *
 * @throws {SdkError} `SLUICE_RETRY_OPTION` naming `steps[i].retry.<field>` when a merged field is invalid
 * (the parser normally catches it first).
 */
export function stepRetryPolicy(workflow: Workflow, stepIndex: number): RetryPolicy {
  // A published version is frozen and a policy immutable: its runs share one per step.
  const kept = Object.isFrozen(workflow) ? POLICIES.get(workflow)?.[stepIndex] : undefined;
  if (kept !== undefined) return kept;
  const policy = policyOf(workflow, stepIndex);
  if (Object.isFrozen(workflow)) {
    let policies = POLICIES.get(workflow);
    if (policies === undefined) {
      policies = [];
      POLICIES.set(workflow, policies);
    }
    policies[stepIndex] = policy;
  }
  return policy;
}

/** The policies of the steps of frozen workflows, by step index. */
const POLICIES = new WeakMap<Workflow, RetryPolicy[]>();

function policyOf(workflow: Workflow, stepIndex: number): RetryPolicy {
  const step = workflow.steps[stepIndex];
  const merged = mergeRetrySettings(workflow.default_retry, step?.retry);
  if (merged === undefined) return RetryPolicy.urllib3Default();
  return RetryPolicy.from(merged, `steps[${stepIndex}].retry`);
}
