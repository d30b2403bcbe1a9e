/**
 * The retry policy of a step item that resumes after a stored wait: the step's policy with the item's
 * committed attempts counted again through the SDK's own `increment`, so the item continues with its
 * **remaining** budget (and the same backoff progression), not a fresh one.
 *
 * A committed attempt keeps its status or error class, not the whole response, so the replay is
 * approximate in two corners: a 301/302/303/307/308 counts as a followed redirect (a redirect status
 * in `status_forcelist` would count against `status` instead), and a timeout counts as a read error
 * (as a connect error when the method does not retry reads, since it was retried).
 *
 * @internal
 * @module
 */
import { HttpTransportError, type RetryPolicy } from '@sluice/sdk';
import { REDIRECT_STATUS_CODES } from '@sluice/sdk/internal';
import type { AttemptEntry } from '../../store/store.js';

/**
 * `policy` after the attempts in `attempts` (each was followed by a retry or a redirect).
 *
 * @throws {MaxRetryError} when the attempts already exhaust the policy (a changed policy).
 */
export function resumePolicy(
  policy: RetryPolicy,
  attempts: readonly AttemptEntry[],
  method: string,
  url: string,
): RetryPolicy {
  let next = policy;
  for (const attempt of attempts) {
    if (attempt.status !== undefined) {
      const headers: Record<string, string> = REDIRECT_STATUS_CODES.includes(attempt.status)
        ? { location: url }
        : {};
      next = next.increment({ method, url, response: { status: attempt.status, headers } });
    } else {
      next = incrementError(next, attempt.error ?? 'other', method, url);
    }
  }
  return next;
}

function incrementError(policy: RetryPolicy, errorClass: string, method: string, url: string): RetryPolicy {
  const error = (kind: 'connect' | 'read' | 'other', timedOut: boolean) =>
    new HttpTransportError(kind, { method, url, message: `replayed ${errorClass} error`, timedOut });
  if (errorClass === 'connect' || errorClass === 'read' || errorClass === 'other') {
    return policy.increment({ method, url, error: error(errorClass, false) });
  }
  // A timeout: a read timeout unless reads are not retried for this method.
  const kind = policy.isMethodRetryable(method) && policy.options.read !== false ? 'read' : 'connect';
  return policy.increment({ method, url, error: error(kind, true) });
}
