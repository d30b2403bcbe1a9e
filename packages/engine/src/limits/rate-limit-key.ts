/**
 * Which rate limit a step's calls go under: the step's `rate_limit`, else the workflow's
 * `default_rate_limit`; counted per workspace and per host (an `apispec` attempt: the host of the URL
 * it is sent to, port included) or per connector (every HTTP request an `action` step's connector
 * sends). Steps and workflows of one workspace that name the same host share its count.
 *
 * @module
 */
import type { HttpTransport } from '@sluice/sdk/internal';
import type { RateLimitSettings, StepLimits } from './step-limits.js';

/** The parts of a workflow and a step the rate limit depends on. */
interface Limited {
  rate_limit?: RateLimitSettings | undefined;
}

/** The rate limit of `step` in `workflow`, if any. */
export function stepRateLimit(
  workflow: { default_rate_limit?: RateLimitSettings | undefined },
  step: Limited,
): RateLimitSettings | undefined {
  return step.rate_limit ?? workflow.default_rate_limit;
}

/** The workspace whose counts a run's requests go under: the caller's (`USER.workspace_id`), else the workflow's. */
export function runWorkspace(
  user: Readonly<Record<string, unknown>>,
  workflow: { workspace_id?: string | undefined },
): string {
  const workspace = user.workspace_id;
  return typeof workspace === 'string' ? workspace : (workflow.workspace_id ?? '');
}

/** The count of requests to `url`'s host in `workspace`. */
export function hostRateKey(workspace: string, url: string): string {
  return `${workspace}:host:${new URL(url).host}`;
}

/** The count of requests of connector `name` in `workspace`. */
export function connectorRateKey(workspace: string, name: string): string {
  return `${workspace}:connector:${name}`;
}

/**
 * `transport`, taking a token of `limit` under `keyOf(request)` before each request it sends. Waiting
 * rejects with `signal.reason` when the run is aborted.
 */
export function rateLimitedTransport(
  transport: HttpTransport,
  limits: StepLimits,
  limit: RateLimitSettings,
  keyOf: (url: string) => string,
  signal: AbortSignal | undefined,
): HttpTransport {
  return {
    async send(request, options) {
      await limits.take(keyOf(request.url), limit, options.signal ?? signal);
      return transport.send(request, options);
    },
    // No `close`: the transport underneath is shared and outlives the run.
  };
}
