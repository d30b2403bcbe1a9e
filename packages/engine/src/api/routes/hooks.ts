/**
 * `POST /v1/hooks/{uid}/{secret}`: a webhook delivery starts a run of the workflow's latest version
 * with the body as `INPUT` (JSON parsed, a form as an object, anything else as text; no body is
 * `null`), answering 202 `{ run_id }` at once. No API key: the secret in the URL is the credential. A
 * wrong secret, an unknown or deleted workflow, one without a webhook trigger, or a disabled trigger all
 * answer the same 404. With `hmac_header`, that header must hold the hex HMAC-SHA256 of the raw body
 * keyed with the hook secret (`sha256=` prefix allowed), else 401 `SLUICE_HOOK_SIGNATURE`.
 *
 * A workflow with a `connector_webhook` trigger gets its deliveries at the same URL: the connector's
 * `webhookNotification` turns each into events (headers and query parameters passed through), and each
 * new event starts one run, `202 { run_ids }` (`[]` when every event was seen before; 422
 * `SLUICE_HOOK_NOTIFICATION` when the connector fails on it). A connector's static webhook is
 * `POST /v1/hooks/connectors/{workspace}/{connector}/{secret}`: routed by `webhookKeys` to the live triggers
 * whose `webhookKey` matches (`triggers/connector-hook-delivery.ts`).
 *
 * @internal
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { internalsOf } from '../../engine-internals.js';
import type { Engine } from '../../engine-options.js';
import { EngineError } from '../../errors.js';
import {
  type ConnectorHookDelivery,
  deliverConnectorHook,
  deliverStaticHook,
} from '../../triggers/connector-hook-delivery.js';
import { isHookSecret, signatureMatches } from '../../triggers/hook-secret.js';
import { staticHookName } from '../../triggers/kinds/connector-webhook.js';
import { deliverWebhook, HOOK_KEY_PURPOSE } from '../../triggers/kinds/webhook.js';
import { ERROR_SCHEMA, UID_PATTERN } from '../schemas.js';

const PARAMS = {
  type: 'object',
  properties: {
    uid: { type: 'string', pattern: UID_PATTERN },
    secret: { type: 'string', minLength: 1, maxLength: 128 },
  },
  required: ['uid', 'secret'],
} as const;

function noHook(): EngineError {
  return new EngineError('SLUICE_API_NOT_FOUND', 'no webhook at this URL', {
    hint: 'copy the hook URL from GET /v1/workflows/{uid}/trigger; check that the trigger is enabled',
  });
}

/** Registers the hook route in its own scope (it reads every body as raw bytes, for the signature). */
export async function hookRoutes(app: FastifyInstance, engine: Engine, now: () => number): Promise<void> {
  const { store, events } = internalsOf(engine);
  // Runs are created with the API's clock, as every run it starts.
  const sink = { ...events, now };
  const hookKey = internalsOf(engine).deriveKey(HOOK_KEY_PURPOSE);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { uid: string; secret: string } }>(
      '/v1/hooks/:uid/:secret',
      {
        schema: {
          summary:
            "Deliver a webhook: starts a run with the body as INPUT (202); the URL's secret is the credential",
          tags: ['triggers'],
          params: PARAMS,
          response: {
            202: {
              description: '`run_id` for a webhook; `run_ids` (one per new event) for a connector webhook',
              type: 'object',
              properties: {
                run_id: { type: 'string' },
                run_ids: { type: 'array', items: { type: 'string' } },
              },
            },
            400: ERROR_SCHEMA,
            401: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
            413: ERROR_SCHEMA,
            422: ERROR_SCHEMA,
          },
        },
      },
      async (request, reply) => {
        const { uid, secret } = request.params;
        const stored = await store.workflows.get(uid);
        const trigger = stored?.deleted === false ? stored.document.trigger : undefined;
        const webhook = trigger?.webhook;
        // The secret is compared even for an unknown uid, so both cost the same.
        const secretOk = isHookSecret(hookKey, uid, secret);
        if (stored !== undefined && trigger?.connector_webhook !== undefined && secretOk) {
          const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const ids = await deliverConnectorHook(sink, stored, await deliveryOf(scope, request, raw));
          if (ids === undefined) throw noHook();
          return reply.status(202).send({ run_ids: ids });
        }
        if (stored === undefined || webhook === undefined || !secretOk) throw noHook();
        const row = await store.triggers.get(uid);
        if (row === undefined || row.kind !== 'webhook' || !row.enabled) throw noHook();
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (webhook.hmac_header !== undefined) {
          const header = request.headers[webhook.hmac_header.toLowerCase()];
          const value = Array.isArray(header) ? header[0] : header;
          if (!signatureMatches(secret, raw, value)) {
            throw new EngineError(
              'SLUICE_HOOK_SIGNATURE',
              value === undefined
                ? `the ${webhook.hmac_header} header is missing: this hook needs the HMAC-SHA256 of the body`
                : `the ${webhook.hmac_header} header does not match the HMAC-SHA256 of the body`,
              {
                hint: `send ${webhook.hmac_header}: sha256=<hex HMAC-SHA256 of the raw body, keyed with the hook secret>`,
              },
            );
          }
        }
        const input = await bodyInput(scope, request, raw);
        const id = await deliverWebhook(sink, stored, input);
        if (id === undefined) throw noHook();
        return reply.status(202).send({ run_id: id });
      },
    );

    scope.post<{ Params: { workspace: string; connector: string; secret: string } }>(
      '/v1/hooks/connectors/:workspace/:connector/:secret',
      {
        schema: {
          summary:
            "Deliver to a connector's static webhook: routed by the connector's webhookKeys to the live triggers whose webhookKey matches; one run per new event (202)",
          tags: ['triggers'],
          params: STATIC_PARAMS,
          response: {
            202: {
              type: 'object',
              properties: { run_ids: { type: 'array', items: { type: 'string' } } },
              required: ['run_ids'],
            },
            400: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
            413: ERROR_SCHEMA,
            422: ERROR_SCHEMA,
          },
        },
      },
      async (request, reply) => {
        const { workspace, connector, secret } = request.params;
        if (!isHookSecret(hookKey, staticHookName(workspace, connector), secret)) throw noHook();
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const ids = await deliverStaticHook(
          sink,
          workspace,
          connector,
          await deliveryOf(scope, request, raw),
        );
        if (ids === undefined) throw noHook();
        return reply.status(202).send({ run_ids: ids });
      },
    );
  });
}

const STATIC_PARAMS = {
  type: 'object',
  properties: {
    workspace: { type: 'string', minLength: 1, maxLength: 128 },
    connector: { type: 'string', minLength: 1, maxLength: 128 },
    secret: { type: 'string', minLength: 1, maxLength: 128 },
  },
  required: ['workspace', 'connector', 'secret'],
} as const;

/** A delivery for a connector: the parsed body, its text, the headers (lower case) and the query. */
async function deliveryOf(
  scope: FastifyInstance,
  request: FastifyRequest,
  raw: Buffer,
): Promise<ConnectorHookDelivery> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const query = request.query;
  const params = typeof query === 'object' && query !== null ? { ...(query as Record<string, unknown>) } : {};
  return { payload: await bodyInput(scope, request, raw), raw: raw.toString('utf8'), headers, params };
}

/** The body as `INPUT`: JSON parsed, a form as an object (repeated keys as lists), else text; none is `null`. */
async function bodyInput(scope: FastifyInstance, request: FastifyRequest, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return null;
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    // Fastify's own parser: it refuses __proto__ and constructor poisoning.
    const parse = scope.getDefaultJsonParser('error', 'error');
    return new Promise((resolve, reject) => {
      void parse(request, text, (err, value) =>
        err === null
          ? resolve(value)
          : reject(
              new EngineError('SLUICE_API_BAD_REQUEST', `the body is not valid JSON: ${err.message}`, {
                cause: err,
              }),
            ),
      );
    });
  }
  if (type === 'application/x-www-form-urlencoded') {
    // A Map, then own properties: a key named __proto__ stays a plain field.
    const form = new Map<string, string | string[]>();
    for (const [key, value] of new URLSearchParams(text)) {
      const seen = form.get(key);
      form.set(key, seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]);
    }
    return Object.fromEntries(form);
  }
  return text;
}
