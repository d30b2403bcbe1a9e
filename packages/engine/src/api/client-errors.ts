/**
 * Answers for requests Node's HTTP server refuses before Fastify sees them, in the API's error shape
 * `{"error": {"code", "message", "details"}}`: headers over the parser's limit (431), headers or body
 * too slow (408), an `Expect` header other than `100-continue` (417), requests that do not parse (400)
 * and HTTP/1.1 requests without `Host` (400: Node's own check is turned off for this one). Node and
 * Fastify answer these in shapes of their own, or with an empty body, otherwise.
 *
 * @internal
 * @module
 */
import { type IncomingMessage, maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { EngineError, type EngineErrorCode } from '../errors.js';
import { API_STATUS_BY_CODE, type ApiErrorBody } from './errors.js';

interface ClientError {
  code: EngineErrorCode;
  message: string;
  hint: string;
}

/** What a `clientError` of Node's parser means, by its `code`. */
function describe(parserCode: unknown): ClientError {
  if (parserCode === 'HPE_HEADER_OVERFLOW') {
    return {
      code: 'SLUICE_API_HEADERS_TOO_LARGE',
      message: `the request line and headers are larger than the server takes (${maxHeaderSize} bytes)`,
      hint: 'send shorter headers and URLs; large data goes in the body',
    };
  }
  if (parserCode === 'ERR_HTTP_REQUEST_TIMEOUT' || parserCode === 'ERR_HTTP_HEADERS_TIMEOUT') {
    return {
      code: 'SLUICE_API_TIMEOUT',
      message: 'the request did not arrive in time',
      hint: 'send the whole request at once',
    };
  }
  return {
    code: 'SLUICE_API_BAD_REQUEST',
    message: 'the request is not valid HTTP/1.1',
    hint: 'check the request line, the headers and Content-Length',
  };
}

function bodyOf(error: ClientError): string {
  const body: ApiErrorBody = {
    error: { code: error.code, message: error.message, details: { hint: error.hint } },
  };
  return JSON.stringify(body);
}

/**
 * Fastify's `clientErrorHandler`: writes the answer on the socket and closes it (the parser cannot go
 * on after an error). Resets need no answer; nor does a socket already answering a request.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && answering?.headersSent !== true) {
    const error = describe(err.code);
    const status = API_STATUS_BY_CODE[error.code] ?? 400;
    const body = bodyOf(error);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** The server's `checkExpectation` listener: an `Expect` other than `100-continue` answers 417. */
export function answerExpectation(_request: IncomingMessage, response: ServerResponse): void {
  const body = bodyOf({
    code: 'SLUICE_API_EXPECTATION',
    message: 'the Expect header must be 100-continue, or absent',
    hint: 'drop the Expect header',
  });
  response.writeHead(API_STATUS_BY_CODE.SLUICE_API_EXPECTATION ?? 417, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  response.end(body);
}

/**
 * An `onRequest` hook refusing an HTTP/1.1 request without `Host`, as RFC 9112 asks; the server is
 * created with `requireHostHeader: false` so that this answer has the API's shape.
 *
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST`.
 */
export async function requireHostHeader(request: FastifyRequest): Promise<void> {
  if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return;
  throw new EngineError('SLUICE_API_BAD_REQUEST', 'an HTTP/1.1 request needs a Host header', {
    hint: 'send Host: <host>:<port>',
  });
}
