/**
 * One log line per request, once it is answered (Fastify's own two lines per request are off): the
 * method, the URL with any webhook secret masked (`masked-url.ts`: also on paths that match no route),
 * the status, how long it took, and the caller's workspace and key id when there is one. Never headers or
 * bodies.
 *
 * @internal
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isHookSecret } from '../triggers/hook-secret.js';
import { callerOf } from './access.js';
import { maskedUrl } from './masked-url.js';

/** `request.url` as logs and error answers show it; `hookKey` derives the hook secrets to mask. */
export function loggedUrl(request: FastifyRequest, hookKey: Buffer): string {
  const { uid, secret } = (request.params ?? {}) as Record<string, unknown>;
  // A delivery with the right secret keeps its uid in the line; any other path under `hooks` keeps
  // nothing, since a secret may stand where the uid should.
  const delivered =
    typeof uid === 'string' && typeof secret === 'string' && isHookSecret(hookKey, uid, secret);
  return maskedUrl(request.url, hookKey, delivered ? uid : undefined);
}

/** The workspace and key id of the request's caller, when it authenticated. */
function callerFields(request: FastifyRequest): { workspace?: string; keyId?: string } {
  try {
    const caller = callerOf(request);
    return {
      workspace: caller.workspace_id,
      ...(caller.key_id === undefined ? {} : { keyId: caller.key_id }),
    };
  } catch {
    return {};
  }
}

/** Adds the `onResponse` hook that writes the request line (at `info`). */
export function logRequests(app: FastifyInstance, hookKey: Buffer): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: loggedUrl(request, hookKey),
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
        ...callerFields(request),
      },
      'request',
    );
  });
}
