/**
 * The `webhook` trigger kind: `POST /v1/hooks/{uid}/{secret}` starts a run with the body as `INPUT`. A
 * pushed kind: never due; the API receives each delivery (`api/routes/hooks.ts`: the secret, the
 * signature, the body) and hands it to {@link deliverWebhook}, which commits the run with the delivery
 * counted. The secret is derived from the engine's secret key and the workflow uid (`hook-secret.ts`).
 *
 * @module
 */

import { HTTP_TOKEN_PATTERN } from '../../steps/http/header-rules.js';
import type { StoredWorkflow } from '../../store/service-store.js';
import { hookSecret } from '../hook-secret.js';
import { deliverEvent, type EventSink } from '../trigger-events.js';
import type { TriggerKind } from '../trigger-kind.js';

/** `trigger.webhook`: `POST /v1/hooks/{uid}/{secret}` starts a run with the body as `INPUT`. */
export interface WebhookTrigger {
  /**
   * When set, the request must carry this header with the HMAC-SHA256 of the raw body, keyed with the
   * workflow's hook secret, as hex (optionally prefixed `sha256=`).
   */
  hmac_header?: string;
}

declare module '../../model/workflow.js' {
  interface TriggerTypes {
    webhook: WebhookTrigger;
  }
}

/** The purpose of the secret key's sub-key that hook secrets are derived from. */
export const HOOK_KEY_PURPOSE = 'webhooks';

/** The path of a workflow's hook, secret included: `/v1/hooks/{uid}/{secret}`. */
export function hookPath(uid: string, secret: string): string {
  return `/v1/hooks/${encodeURIComponent(uid)}/${secret}`;
}

/** The `webhook` trigger kind. */
export const webhookTrigger: TriggerKind<WebhookTrigger> = {
  key: 'webhook',
  summary: 'a webhook',
  schema: {
    description:
      'Start a run for each `POST /v1/hooks/{uid}/{secret}`, with the JSON body as `INPUT`. `{}` (or ' +
      'empty) for no options.',
    type: ['object', 'null'],
    errorMessage: 'must be an object of webhook options (hmac_header), or {} for none',
    additionalProperties: false,
    properties: {
      hmac_header: {
        description:
          "When set, a request must carry this header with the hex HMAC-SHA256 of the raw body, keyed with the workflow's hook secret (optionally prefixed `sha256=`).",
        type: 'string',
        pattern: HTTP_TOKEN_PATTERN,
        examples: ['X-Signature'],
        errorMessage: "must be a header name (letters, digits and !#$%&'*+-.^_`|~ only), e.g. X-Signature",
      },
    },
  },
  // YAML `webhook:` with nothing after it is null: the same as `webhook: {}`.
  normalize: (config) => (config ?? {}) as WebhookTrigger,
  firstDue: () => null,
  extras: (ctx, stored) => ({
    hook_path: hookPath(stored.uid, hookSecret(ctx.deriveKey(HOOK_KEY_PURPOSE), stored.uid)),
  }),
};

/**
 * Commits a run of `stored` for one delivery of its webhook, with the delivery counted (`events_seen`),
 * and queues it; resolves the run's id, or `undefined` when the workflow has no live webhook (deleted,
 * disabled, or another trigger kind now).
 */
export function deliverWebhook(
  sink: EventSink,
  stored: StoredWorkflow,
  input: unknown,
): Promise<string | undefined> {
  return deliverEvent(sink, webhookTrigger.key, stored, input);
}
