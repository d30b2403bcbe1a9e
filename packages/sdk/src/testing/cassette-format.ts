/**
 * The cassette file format: recorded HTTP exchanges as JSON, with secrets already masked. Reading
 * validates the file and names the file and the bad entry when it does not fit.
 *
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SdkError, type TransportErrorKind } from '../errors.js';

/** The format version this SDK writes and reads. */
export const CASSETTE_VERSION = 1;

/** How a recorded body is spelled: UTF-8 text as is, anything else as base64. */
export type CassetteBodyEncoding = 'utf8' | 'base64';

/** A recorded request. Secrets in the URL, headers and a text body are masked as `[secret]`. */
export interface CassetteRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Absolute URL with its query string. */
  url: string;
  headers: Record<string, string>;
  /** The body, absent when the request had none. */
  body?: string;
  /** @default 'utf8' */
  bodyEncoding?: CassetteBodyEncoding;
}

/** A recorded response. */
export interface CassetteResponse {
  status: number;
  statusText: string;
  /** Lower-case names. */
  headers: Record<string, string | string[]>;
  body: string;
  /** @default 'utf8' */
  bodyEncoding?: CassetteBodyEncoding;
}

/** A recorded transport failure (no response arrived), replayed as the same `HttpTransportError`. */
export interface CassetteError {
  kind: TransportErrorKind;
  message: string;
  /** @default false */
  timedOut?: boolean;
}

/** One request and what came back: a response, or an error. */
export interface CassetteExchange {
  request: CassetteRequest;
  response?: CassetteResponse;
  error?: CassetteError;
}

/** The content of a cassette file. */
export interface Cassette {
  version: typeof CASSETTE_VERSION;
  exchanges: CassetteExchange[];
}

/** Spells a body for the cassette: text when it is valid UTF-8, else base64. */
export function encodeBody(body: Uint8Array | string): { body: string; bodyEncoding: CassetteBodyEncoding } {
  if (typeof body === 'string') return { body, bodyEncoding: 'utf8' };
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(body), bodyEncoding: 'utf8' };
  } catch {
    return { body: Buffer.from(body).toString('base64'), bodyEncoding: 'base64' };
  }
}

/** The bytes of a recorded body. */
export function decodeBody(body: string, encoding: CassetteBodyEncoding | undefined): Uint8Array {
  return encoding === 'base64' ? new Uint8Array(Buffer.from(body, 'base64')) : new TextEncoder().encode(body);
}

/**
 * Checks that `value` is a cassette; `source` (a file name, or `cassette`) starts each message.
 *
 * @throws {SdkError} `SLUICE_CASSETTE_FILE` naming the source and the first bad entry.
 */
export function parseCassette(value: unknown, source: string): Cassette {
  const fail = (what: string): never => {
    throw new SdkError('SLUICE_CASSETTE_FILE', `${source}: ${what}`, {
      hint: 'record the cassette again (sluice exec --record FILE, or useCassette mode "record")',
    });
  };
  if (!isRecord(value))
    return fail('is not a cassette (expected a JSON object with "version" and "exchanges")');
  if (!('version' in value)) return fail('is not a cassette: it has no "version" field');
  if (value.version !== CASSETTE_VERSION) {
    return fail(
      `unsupported version ${JSON.stringify(value.version)} (this SDK reads version ${CASSETTE_VERSION})`,
    );
  }
  if (!Array.isArray(value.exchanges)) return fail('"exchanges" must be an array');
  for (const [i, exchange] of (value.exchanges as unknown[]).entries()) {
    const problem = exchangeProblem(exchange);
    if (problem !== undefined) fail(`exchanges[${i}]${problem}`);
  }
  return value as unknown as Cassette;
}

/**
 * Reads and checks a cassette file.
 *
 * @throws {SdkError} `SLUICE_CASSETTE_FILE` when the file cannot be read, is not JSON or is not a cassette.
 */
export function readCassetteFile(file: string): Cassette {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SdkError('SLUICE_CASSETTE_FILE', `cannot read cassette file ${file}: ${errorText(err)}`, {
      cause: err,
      hint: 'check the path, or record the cassette first (sluice exec --record FILE)',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SdkError('SLUICE_CASSETTE_FILE', `cassette file ${file} is not valid JSON: ${errorText(err)}`, {
      cause: err,
      hint: 'record the cassette again, or fix the JSON by hand',
    });
  }
  return parseCassette(value, `cassette file ${file}`);
}

/**
 * Writes a cassette as pretty JSON, creating missing folders.
 *
 * @throws {SdkError} `SLUICE_CASSETTE_FILE` when the file cannot be written.
 */
export function writeCassetteFile(file: string, cassette: Cassette): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(cassette, null, 2)}\n`);
  } catch (err) {
    throw new SdkError('SLUICE_CASSETTE_FILE', `cannot write cassette file ${file}: ${errorText(err)}`, {
      cause: err,
      hint: 'check that the folder is writable',
    });
  }
}

/** What is wrong with one exchange (a path suffix and a reason), or `undefined`. */
function exchangeProblem(exchange: unknown): string | undefined {
  if (!isRecord(exchange)) return ' must be an object';
  const { request, response, error } = exchange;
  if (!isRecord(request)) return '.request must be an object';
  if (typeof request.method !== 'string') return '.request.method must be a string';
  if (typeof request.url !== 'string') return '.request.url must be a string';
  if (request.body !== undefined && typeof request.body !== 'string') return '.request.body must be a string';
  if (!isEncoding(request.bodyEncoding)) return '.request.bodyEncoding must be "utf8" or "base64"';
  if (response === undefined && error === undefined) return ' needs a "response" or an "error"';
  if (response !== undefined) {
    if (!isRecord(response)) return '.response must be an object';
    if (typeof response.status !== 'number') return '.response.status must be a number';
    if (typeof response.body !== 'string') return '.response.body must be a string';
    if (response.headers !== undefined && !isRecord(response.headers))
      return '.response.headers must be an object';
    if (!isEncoding(response.bodyEncoding)) return '.response.bodyEncoding must be "utf8" or "base64"';
  }
  if (error !== undefined) {
    if (!isRecord(error)) return '.error must be an object';
    if (error.kind !== 'connect' && error.kind !== 'read' && error.kind !== 'other') {
      return '.error.kind must be "connect", "read" or "other"';
    }
    if (typeof error.message !== 'string') return '.error.message must be a string';
  }
  return undefined;
}

function isEncoding(value: unknown): boolean {
  return value === undefined || value === 'utf8' || value === 'base64';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
