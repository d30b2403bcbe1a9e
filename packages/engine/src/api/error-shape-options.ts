/**
 * The Fastify options every server of the engine shares (the API, and `sluice worker`'s ops server): the
 * router's refusals (a path parameter too long, a path that does not decode) and Node's parser's (headers
 * too large, a request that does not parse) answer in the API's error shape, and a request without a
 * `Host` header is answered by the engine (`requireHostHeader` in `client-errors.ts`), not dropped.
 *
 * @internal
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerClientError } from './client-errors.js';
import { errorReply } from './errors.js';
import { loggedUrl } from './request-log.js';

/** The options; `onServerError` is told of every answer of 500 or more. */
export function errorShapeOptions(onServerError?: (err: Error, request: FastifyRequest) => void) {
  return {
    frameworkErrors: (err: Error, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = errorReply(err, request.id);
      if (status >= 500) onServerError?.(err, request);
      return reply.status(status).send(body);
    },
    clientErrorHandler: answerClientError,
    http: { requireHostHeader: false },
  } as const;
}

/**
 * The answer to a request no route takes: 404 `SLUICE_API_NOT_FOUND`, naming the URL as the log shows it
 * (a hook URL that matches no route, a GET or a trailing `/`, holds a secret: it is masked with `hookKey`).
 */
export function notFoundHandler(hookKey: Buffer) {
  return (request: FastifyRequest, reply: FastifyReply) =>
    reply.status(404).send({
      error: {
        code: 'SLUICE_API_NOT_FOUND',
        message: `no route ${request.method} ${loggedUrl(request, hookKey)}`,
        details: null,
      },
    });
}
