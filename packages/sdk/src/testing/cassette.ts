/**
 * Record and replay HTTP exchanges at the transport seam, so connector tests run without the real API.
 * Secrets are masked (`[secret]`) in everything recorded; a replay masks each request the same way
 * before looking it up, so it matches a recording made with other (or real) secret values.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { HttpTransportError, isSluiceError, SdkError } from '../errors.js';
import { createMasker, type Masker, maskHeaders } from '../http/mask-secrets.js';
import type { HttpTransport, WireOptions, WireRequest, WireResponse } from '../http/transport.js';
import {
  CASSETTE_VERSION,
  type Cassette,
  type CassetteExchange,
  type CassetteRequest,
  decodeBody,
  encodeBody,
  parseCassette,
  readCassetteFile,
  writeCassetteFile,
} from './cassette-format.js';

/** Secrets as a list, or a function read each time a value is masked (for tokens acquired later). */
export type SecretSource = readonly string[] | (() => readonly string[]);

/** Options of {@link recordingTransport} and {@link replayTransport}. */
export interface CassetteOptions {
  /**
   * Values to mask as `[secret]`: a list, or a function read when masking (so tokens acquired during the
   * run are masked too). @default no secrets
   */
  secrets?: SecretSource | undefined;
}

/** A transport that passes each request on and remembers the exchange. */
export interface RecordingTransport extends HttpTransport {
  /** Everything recorded so far, with the secrets (as they are now) masked. */
  cassette(): Cassette;
  /**
   * Writes {@link RecordingTransport.cassette} to `file` as JSON, creating missing folders.
   *
   * @throws {SdkError} `SLUICE_CASSETTE_FILE` when the file cannot be written.
   */
  save(file: string): Promise<void>;
}

/** A transport that answers from a cassette and never touches the network. */
export interface ReplayTransport extends HttpTransport {
  /** The recorded exchanges no request has used yet, in recorded order. */
  unused(): CassetteExchange[];
}

interface RawExchange {
  request: WireRequest;
  response?: WireResponse;
  error?: HttpTransportError;
}

/**
 * Wraps `inner` so that every exchange it carries is recorded: method, URL, request headers and body,
 * status, response headers and body (text, or base64 when not UTF-8), or the transport error.
 *
 * @example
 * const recorder = recordingTransport(defaultTransport, { secrets: ['my-app-secret-token'] });
 * const runtime = createConnectorRuntime(connector, { connection, transport: recorder });
 * await runtime.runAction('get_customer', { id: 1 });
 * await recorder.save('test/cassettes/get-customer.cassette.json');
 */
export function recordingTransport(inner: HttpTransport, options: CassetteOptions = {}): RecordingTransport {
  const raw: RawExchange[] = [];
  const cassette = (): Cassette => {
    const secrets = readSecrets(options.secrets);
    const exchanges = raw.map((exchange) =>
      maskExchange(exchange, createMasker([...secrets, ...credentialsOf(exchange.request.headers)])),
    );
    return { version: CASSETTE_VERSION, exchanges };
  };
  return {
    async send(request: WireRequest, wireOptions: WireOptions): Promise<WireResponse> {
      const copy: WireRequest = { ...request, headers: { ...request.headers } };
      try {
        const response = await inner.send(request, wireOptions);
        raw.push({ request: copy, response });
        return response;
      } catch (err) {
        if (isTransportError(err)) raw.push({ request: copy, error: err });
        throw err;
      }
    },
    cassette,
    async save(file: string): Promise<void> {
      writeCassetteFile(file, cassette());
    },
    async close(): Promise<void> {
      await inner.close?.();
    },
  };
}

/**
 * Creates a transport that answers each request from `source` (a cassette or a cassette file). A request
 * matches an exchange with the same method, URL and body once secrets are masked; identical requests
 * get their recorded exchanges in order, each used once.
 *
 * @throws {SdkError} `SLUICE_CASSETTE_FILE` at once when the file cannot be read or is not a cassette;
 * from `send`, `SLUICE_CASSETTE_MISS` when no unused exchange matches the request.
 * @example
 * const transport = replayTransport('test/cassettes/get-customer.cassette.json');
 * const runtime = createConnectorRuntime(connector, { connection, transport });
 */
export function replayTransport(source: Cassette | string, options: CassetteOptions = {}): ReplayTransport {
  const { exchanges } =
    typeof source === 'string' ? readCassetteFile(source) : parseCassette(source, 'cassette');
  const used = new Set<number>();
  return {
    async send(request: WireRequest, wireOptions: WireOptions): Promise<WireResponse> {
      wireOptions.signal?.throwIfAborted();
      const mask = createMasker([...readSecrets(options.secrets), ...credentialsOf(request.headers)]);
      const wanted = maskRequest(request, mask);
      const index = exchanges.findIndex((e, i) => !used.has(i) && sameRequest(e.request, wanted));
      const exchange = exchanges[index];
      if (exchange === undefined) throw missError(wanted, exchanges, used);
      used.add(index);
      if (exchange.error !== undefined) {
        throw new HttpTransportError(exchange.error.kind, {
          method: request.method,
          url: request.url,
          message: exchange.error.message,
          timedOut: exchange.error.timedOut ?? false,
          hint: 'this failure was recorded in the cassette',
        });
      }
      const response = exchange.response;
      if (response === undefined) throw missError(wanted, exchanges, used);
      return {
        status: response.status,
        statusText: response.statusText ?? STATUS_CODES[response.status] ?? '',
        headers: { ...(response.headers ?? {}) },
        body: decodeBody(response.body, response.bodyEncoding),
      };
    },
    unused: () => exchanges.filter((_, i) => !used.has(i)),
    async close(): Promise<void> {},
  };
}

function readSecrets(source: SecretSource | undefined): readonly string[] {
  if (source === undefined) return [];
  return typeof source === 'function' ? source() : source;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * The credentials a request carries in its headers (`Basic dXNlcjpwdw==` and its `dXNlcjpwdw==`), masked
 * as secrets too, so a server that echoes them does not leak them into the cassette.
 */
function credentialsOf(headers: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    out.push(value);
    const space = value.indexOf(' ');
    if (space > 0) out.push(value.slice(space + 1));
  }
  return out;
}

function maskRequest(request: WireRequest, mask: Masker): CassetteRequest {
  const out: CassetteRequest = {
    method: request.method.toUpperCase(),
    url: mask(request.url),
    headers: maskHeaders(request.headers, mask) as Record<string, string>,
  };
  if (request.body !== undefined) {
    const { body, bodyEncoding } = encodeBody(request.body);
    out.body = bodyEncoding === 'utf8' ? mask(body) : body;
    if (bodyEncoding !== 'utf8') out.bodyEncoding = bodyEncoding;
  }
  return out;
}

function maskExchange(exchange: RawExchange, mask: Masker): CassetteExchange {
  const out: CassetteExchange = { request: maskRequest(exchange.request, mask) };
  if (exchange.response !== undefined) {
    const { status, statusText, headers } = exchange.response;
    const { body, bodyEncoding } = encodeBody(exchange.response.body);
    out.response = {
      status,
      statusText,
      headers: maskHeaders(headers, mask),
      body: bodyEncoding === 'utf8' ? mask(body) : body,
      bodyEncoding,
    };
  }
  if (exchange.error !== undefined) {
    const { kind, timedOut, method, url, message } = exchange.error;
    const suffix = ` (${method} ${url})`;
    const bare = message.endsWith(suffix) ? message.slice(0, -suffix.length) : message;
    out.error = { kind, message: mask(bare), timedOut };
  }
  return out;
}

/** Transport errors by shape, so an error from another copy of the SDK is recorded too. */
function isTransportError(err: unknown): err is HttpTransportError {
  if (!isSluiceError(err)) return false;
  const { kind, method, url } = err as Partial<HttpTransportError>;
  return (
    (kind === 'connect' || kind === 'read' || kind === 'other') &&
    typeof method === 'string' &&
    typeof url === 'string'
  );
}

function sameRequest(recorded: CassetteRequest, wanted: CassetteRequest): boolean {
  return (
    recorded.method.toUpperCase() === wanted.method &&
    recorded.url === wanted.url &&
    (recorded.body ?? '') === (wanted.body ?? '') &&
    (recorded.bodyEncoding ?? 'utf8') === (wanted.bodyEncoding ?? 'utf8')
  );
}

const LISTED_EXCHANGES = 10;

function missError(
  wanted: CassetteRequest,
  exchanges: readonly CassetteExchange[],
  used: Set<number>,
): SdkError {
  const line = (r: CassetteRequest): string => `${r.method.toUpperCase()} ${r.url}`;
  const sameTarget = exchanges.map((e, i) => ({ e, i })).filter(({ e }) => line(e.request) === line(wanted));
  let why = '';
  if (sameTarget.length > 0) {
    const unusedSame = sameTarget.filter(({ i }) => !used.has(i));
    why =
      unusedSame.length > 0
        ? ` (the ${unusedSame.length} unused recording(s) of it have a different body)`
        : ` (all ${sameTarget.length} recording(s) of it were already replayed)`;
  }
  const counts = new Map<string, number>();
  for (const e of exchanges) counts.set(line(e.request), (counts.get(line(e.request)) ?? 0) + 1);
  const listed = [...counts].slice(0, LISTED_EXCHANGES).map(([l, n]) => (n > 1 ? `${l} (x${n})` : l));
  const more = counts.size > LISTED_EXCHANGES ? `, and ${counts.size - LISTED_EXCHANGES} more` : '';
  const recorded = listed.length === 0 ? 'nothing' : `${listed.join(', ')}${more}`;
  return new SdkError(
    'SLUICE_CASSETTE_MISS',
    `no recorded exchange for ${line(wanted)}${why}; recorded: ${recorded}`,
    {
      hint: 'record the cassette again (sluice exec --record FILE, or useCassette mode "record"), since the requests changed',
    },
  );
}
