/**
 * A workflow's steps as a flow, top to bottom: what each step calls (method and URL template, or the
 * connector action), and what shapes the call (retry, concurrency, rate limit, fan-out over its input).
 */

import type { RetrySettings, Workflow, WorkflowStep } from '@sluice/engine/api-types';
import { cut, pretty } from '../format.js';

/** `3 tries, backoff 0.5 s, on 429/503` from urllib3-style settings. */
export function retryText(retry: RetrySettings | undefined): string {
  if (retry === undefined) return 'default retry';
  if (retry.total === 0 || retry.total === false) return 'no retry';
  const parts = [retry.total === null ? 'retries: unlimited' : `${retry.total ?? 10} retries`];
  if (retry.backoff_factor !== undefined) parts.push(`backoff ×${retry.backoff_factor}`);
  const forcelist = retry.status_forcelist ?? [];
  if (forcelist.length > 0) parts.push(`on ${forcelist.join('/')}`);
  return parts.join(', ');
}

/** Whether a step's input is a list of items (one call each), as far as the document says. */
function fanOut(step: WorkflowStep): string | undefined {
  if (step.input === undefined) return undefined;
  if (Array.isArray(step.input)) return `${step.input.length} items`;
  if (typeof step.input === 'string' && step.input.includes('{{')) return 'items from a template';
  return undefined;
}

function StepCard({
  step,
  index,
  retry,
}: {
  step: WorkflowStep;
  index: number;
  retry: RetrySettings | undefined;
}) {
  const items = fanOut(step);
  const merged = step.retry === undefined && retry === undefined ? undefined : { ...retry, ...step.retry };
  const tags: string[] = [retryText(merged)];
  if (step.concurrency !== undefined) tags.push(`concurrency ${step.concurrency}`);
  if (step.rate_limit !== undefined)
    tags.push(`${step.rate_limit.requests}/${step.rate_limit.per_seconds} s`);
  if ('apispec' in step && step.apispec.timeout !== undefined) tags.push(`timeout ${step.apispec.timeout} s`);
  if (step.when !== undefined)
    tags.push(`when ${typeof step.when === 'string' ? cut(step.when, 60) : step.when}`);
  if (step.on_error === 'continue') tags.push('on error: continue');
  if ('paginate' in step && step.paginate !== undefined)
    tags.push(`paginate: up to ${step.paginate.max_pages ?? 100} pages`);
  return (
    <li class="flow-step" data-step={step.name}>
      <div class="flow-head">
        <span class="flow-index">{index + 1}</span>
        <strong>{step.name}</strong>
        {items !== undefined && <span class="fan-out">fan-out: {items}</span>}
      </div>
      {'apispec' in step ? (
        <div class="flow-call">
          <span class="method">{(step.apispec.method ?? 'GET').toUpperCase()}</span>
          <code title={step.apispec.url}>{cut(step.apispec.url, 90)}</code>
        </div>
      ) : 'wait' in step ? (
        <div class="flow-call">
          <span class="method action">wait</span>
          <code>
            {step.wait.seconds !== undefined ? `${step.wait.seconds} s` : `until ${step.wait.until ?? ''}`}
          </code>
        </div>
      ) : 'workflow' in step ? (
        <div class="flow-call">
          <span class="method action">workflow</span>
          <code>{step.workflow}</code>
          <span class="muted"> as a child run{items === undefined ? '' : ' per item'}</span>
        </div>
      ) : (
        <div class="flow-call">
          <span class="method action">action</span>
          <code>{step.action}</code>
          {step.connection !== undefined && <span class="muted"> with {step.connection}</span>}
        </div>
      )}
      <div class="flow-tags">
        {tags.map((tag) => (
          <span class="tag" key={tag}>
            {tag}
          </span>
        ))}
      </div>
      {typeof step.input === 'string' && (
        <div class="flow-input" title={step.input}>
          input: <code>{cut(step.input, 90)}</code>
        </div>
      )}
      {step.input !== undefined && typeof step.input !== 'string' && (
        <details class="flow-input">
          <summary>input</summary>
          <pre>{pretty(step.input)}</pre>
        </details>
      )}
    </li>
  );
}

function triggerText(workflow: Workflow): string | undefined {
  const trigger = workflow.trigger;
  if (trigger?.schedule !== undefined) {
    return `schedule ${trigger.schedule.cron}${trigger.schedule.timezone ? ` (${trigger.schedule.timezone})` : ''}`;
  }
  if (trigger?.webhook !== undefined) return 'webhook';
  if (trigger?.poll !== undefined) return `poll ${trigger.poll.connector}.${trigger.poll.trigger}`;
  return undefined;
}

export function Flow({ workflow }: { workflow: Workflow }) {
  const trigger = triggerText(workflow);
  return (
    <ol class="flow" aria-label="steps">
      <li class="flow-start">{trigger === undefined ? 'started by hand or API' : `started by ${trigger}`}</li>
      {workflow.steps.map((step, index) => (
        <StepCard step={step} index={index} retry={workflow.default_retry} key={step.name} />
      ))}
      {workflow.on_failure !== undefined && (
        <li class="flow-start" data-on-failure>
          on failure: starts <code>{workflow.on_failure.workflow}</code>
        </li>
      )}
    </ol>
  );
}
