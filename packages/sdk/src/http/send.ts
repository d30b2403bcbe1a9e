/**
 * The default {@link HttpTransport}: one HTTP exchange over undici with pooled keep-alive
 * connections. It never follows redirects and never retries (the retry loop does both); it reads
 * the whole body, decompresses it, and sorts every failure into urllib3's classes (connect, read,
 * other) as an {@link HttpTransportError}.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';
import { Agent } from 'undici';
import { HttpTransportError, type ResponseHeaders } from '../errors.js';
import { EGRESS_DENIED, guardedConnector } from './egress-guard.js';
import type { HttpTransport, WireOptions, WireRequest, WireResponse } from './transport.js';

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /** Most sockets kept open per origin. @default unlimited (undici's default) */
  connections?: number;
  /** How long an idle keep-alive socket stays open, in milliseconds. @default 4000 */
  keepAliveTimeoutMs?: number;
  /**
   * Refuse connections to loopback, private, link-local and unspecified addresses (IPv4, IPv6,
   * IPv4-mapped), checked on the address each socket connects to, after DNS. A refused request fails
   * as a connect error whose message starts with `SLUICE_EGRESS_DENIED` and names the host and address.
   * @default false
   */
  denyPrivateNetworks?: boolean;
  /**
   * With `denyPrivateNetworks`: the origins (`host:port`) reached anyway, read at each connect (the
   * engine allows its own API this way). @default none
   */
  allowedOrigins?: () => Iterable<string>;
}

/**
 * Creates a transport that sends each request once over undici. Agents (connection pools) are
 * created on the first request, one per distinct connect timeout, and kept until `close()`.
 * Sending after `close()` opens fresh pools.
 *
 * @example
 * const transport = createUndiciTransport({ connections: 16 });
 * const res = await transport.send({ method: 'GET', url: 'http://127.0.0.1:8080/health', headers: {} }, {});
 * await transport.close?.();
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): HttpTransport {
  const agents = new Map<number | undefined, Agent>();

  const agentFor = (connectTimeoutMs: number | undefined): Agent => {
    let agent = agents.get(connectTimeoutMs);
    if (agent === undefined) {
      agent = new Agent({
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
        ...(options.connections === undefined ? {} : { connections: options.connections }),
        ...(options.denyPrivateNetworks === true
          ? {
              connect: guardedConnector(
                connectTimeoutMs === undefined ? {} : { timeout: connectTimeoutMs },
                options.allowedOrigins === undefined ? {} : { allowed: options.allowedOrigins },
              ),
            }
          : connectTimeoutMs === undefined
            ? {}
            : { connect: { timeout: connectTimeoutMs } }),
      });
      agents.set(connectTimeoutMs, agent);
    }
    return agent;
  };

  return {
    send: (req, opts) => sendOnce(req, opts, agentFor),
    async close() {
      const open = [...agents.values()];
      agents.clear();
      await Promise.all(open.map((agent) => agent.close()));
    },
  };
}

/** The transport shared by every client that does not bring its own; its pools open on first use. */
export const defaultTransport: HttpTransport = createUndiciTransport();

async function sendOnce(
  req: WireRequest,
  opts: WireOptions,
  agentFor: (connectTimeoutMs: number | undefined) => Agent,
): Promise<WireResponse> {
  const { signal } = opts;
  signal?.throwIfAborted();
  let target: URL;
  try {
    target = new URL(req.url);
  } catch (err) {
    throw new HttpTransportError('other', {
      method: req.method,
      url: req.url,
      message: 'invalid URL',
      cause: err,
      hint: 'use an absolute http:// or https:// URL',
    });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new HttpTransportError('other', {
      method: req.method,
      url: req.url,
      message: `unsupported URL scheme ${target.protocol}`,
      hint: 'use an http:// or https:// URL',
    });
  }

  let stage: 'headers' | 'body' = 'headers';
  try {
    // The agent's own `request` with the parts of the URL parsed above: undici's top-level `request`
    // would parse the URL again and copy the options.
    const res = await agentFor(opts.connectTimeoutMs).request({
      origin: target.origin,
      path: target.search === '' ? target.pathname : `${target.pathname}${target.search}`,
      method: req.method as 'GET',
      headers: req.headers,
      body: req.body ?? null,
      signal: signal ?? null,
      ...(opts.readTimeoutMs === undefined
        ? {}
        : { headersTimeout: opts.readTimeoutMs, bodyTimeout: opts.readTimeoutMs }),
    });
    stage = 'body';
    const raw = await res.body.bytes();
    const headers = normalizeHeaders(res.headers);
    const encoding = headers['content-encoding'];
    let body: Uint8Array = raw;
    if (encoding !== undefined && raw.byteLength > 0) {
      try {
        body = await decodeBody(raw, encoding);
      } catch (err) {
        throw new HttpTransportError('other', {
          method: req.method,
          url: req.url,
          message: `cannot decode the ${String(encoding)} response body`,
          cause: err,
          hint: 'the server sent a corrupt compressed body; ask for identity encoding or fix the server',
        });
      }
    }
    return { status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? '', headers, body };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof HttpTransportError) throw err;
    throw classifyTransportError(err, {
      method: req.method,
      url: req.url,
      target,
      stage,
      connectTimeoutMs: opts.connectTimeoutMs,
      readTimeoutMs: opts.readTimeoutMs,
    });
  }
}

/** Lower-case names; repeated headers joined with `, `, except `set-cookie`, which stays a list. */
function normalizeHeaders(raw: Record<string, string | string[] | undefined>): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'set-cookie') out[key] = Array.isArray(value) ? [...value] : [value];
    else out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const brotliAsync = promisify(brotliDecompress);

/**
 * Undoes `content-encoding` (gzip, deflate with or without the zlib wrapper, br), last applied first.
 * Unknown codings are left as they are, as urllib3 does.
 */
async function decodeBody(body: Uint8Array, encoding: string | string[]): Promise<Uint8Array> {
  const codings = String(encoding)
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  let out: Uint8Array = body;
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') out = await gunzipAsync(out);
    else if (coding === 'br') out = await brotliAsync(out);
    else if (coding === 'deflate') out = await inflateAsync(out).catch(() => inflateRawAsync(out));
    else return out;
  }
  return out;
}

interface FailureContext {
  method: string;
  url: string;
  target: URL;
  stage: 'headers' | 'body';
  connectTimeoutMs: number | undefined;
  readTimeoutMs: number | undefined;
}

/** undici's defaults, named in timeout messages when the caller set none. */
const UNDICI_CONNECT_TIMEOUT_MS = 10_000;
const UNDICI_READ_TIMEOUT_MS = 300_000;

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH)/;

/**
 * Sorts an undici or socket error into urllib3's classes: `connect` when the server never got the
 * request (refused, DNS, connect timeout, reset before a byte was written), `read` when the exchange
 * broke after it was sent (reset, read timeout, truncated or malformed response: urllib3 wraps those
 * in `ProtocolError`/`ReadTimeoutError`), `other` for TLS failures and invalid requests.
 */
function classifyTransportError(err: unknown, ctx: FailureContext): HttpTransportError {
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const port = ctx.target.port || (ctx.target.protocol === 'https:' ? '443' : '80');
  const hostPort = `${ctx.target.hostname}:${port}`;
  const make = (kind: 'connect' | 'read' | 'other', message: string, timedOut = false, hint?: string) =>
    new HttpTransportError(kind, { method: ctx.method, url: ctx.url, message, timedOut, cause: err, hint });

  if (code === EGRESS_DENIED) {
    let denied: unknown = err;
    while (errorCode(denied) === EGRESS_DENIED && (denied as { code?: unknown }).code !== EGRESS_DENIED) {
      denied = (denied as { cause?: unknown }).cause;
    }
    const message = denied instanceof Error ? denied.message : detail;
    return make('connect', message, false, 'call a public address, or turn the private network guard off');
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || (code === 'ETIMEDOUT' && ctx.stage === 'headers')) {
    const ms = ctx.connectTimeoutMs ?? UNDICI_CONNECT_TIMEOUT_MS;
    return make(
      'connect',
      `connect to ${hostPort} timed out after ${ms} ms`,
      true,
      'check the host and port, or raise the timeout',
    );
  }
  if (code === 'ECONNREFUSED')
    return make(
      'connect',
      `connection refused by ${hostPort}`,
      false,
      'check that the server is running and the port is right',
    );
  if (code !== undefined && CONNECT_CODES.has(code))
    return make('connect', `cannot reach ${hostPort} (${code})`);
  if (code !== undefined && DNS_CODES.has(code)) {
    return make(
      'connect',
      `cannot resolve host ${ctx.target.hostname} (${code})`,
      false,
      'check the host name in the URL',
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const ms = ctx.readTimeoutMs ?? UNDICI_READ_TIMEOUT_MS;
    return make(
      'read',
      `read timed out after ${ms} ms`,
      true,
      'the server is slow to answer; raise the timeout',
    );
  }
  if (code !== undefined && RESET_CODES.has(code)) {
    if (bytesWritten(err) === 0)
      return make('connect', `connection to ${hostPort} closed before the request was sent`);
    const what =
      code === 'ECONNRESET' ? `connection reset by ${hostPort}` : `connection to ${hostPort} closed`;
    return make(
      'read',
      `${what} ${ctx.stage === 'body' ? 'while reading the response body' : 'before the response arrived'}`,
    );
  }
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')
    return make('read', `response body from ${hostPort} ended before its Content-Length`);
  // undici's HTTPParserError has no code for some malformed answers (an invalid status line).
  if (code?.startsWith('HPE_') || (err instanceof Error && err.name === 'HTTPParserError'))
    return make('read', `invalid HTTP response from ${hostPort}: ${detail}`);
  if (code !== undefined && TLS_CODE.test(code)) {
    return make(
      'other',
      `TLS with ${hostPort} failed: ${detail}`,
      false,
      'check the server certificate and the URL scheme',
    );
  }
  if (code === 'UND_ERR_INVALID_ARG')
    return make('other', `invalid request: ${detail}`, false, 'check the method and header names and values');
  return make('other', `request to ${hostPort} failed: ${detail}`);
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown }).cause;
  return cause === err ? undefined : errorCode(cause);
}

/** undici's `SocketError` records how many bytes went out before the socket closed. */
function bytesWritten(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const socket = (err as { socket?: { bytesWritten?: unknown } }).socket;
  return typeof socket?.bytesWritten === 'number' ? socket.bytesWritten : undefined;
}
