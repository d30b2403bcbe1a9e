/**
 * One log line per request, once it is answered (Fastify's own two lines per request are off): the
 * method, the URL with secret path parameters masked (the webhook secret), the status, how long it took,
 * and the caller's workspace and key id when there is one. Never headers or bodies.
 *
 * @internal
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { REDACTED } from '../secrets/redactor.js';
import { callerOf } from './access.js';

/** Path parameters whose values are secrets. */
const SECRET_PARAMS = ['secret', 'token'];

/** `request.url` with the values of secret path parameters replaced. */
export function loggedUrl(request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, unknown>;
  let url = request.url;
  for (const name of SECRET_PARAMS) {
    const value = params[name];
    if (typeof value === 'string' && value !== '') url = url.split(value).join(REDACTED);
  }
  return url;
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
export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: loggedUrl(request),
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
        ...callerFields(request),
      },
      'request',
    );
  });
}
