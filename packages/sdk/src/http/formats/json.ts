/**
 * The JSON request and response format, the DSL's default. Pure functions.
 *
 * @module
 */
import { SdkError } from '../../errors.js';

/** How much of an undecodable body an error message quotes. */
const QUOTED_BODY_LIMIT = 200;

/** Encodes a payload as JSON text. */
export function encodeJson(payload: unknown): string {
  return JSON.stringify(payload);
}

/**
 * Decodes a JSON response body. An empty (or blank) body decodes to `null`; a UTF-8 byte order mark
 * is skipped. `where` names the request in errors (`GET https://...`).
 *
 * @throws {SdkError} `SLUICE_HTTP_RESPONSE_FORMAT` when the body is not JSON; the message quotes its start.
 */
export function decodeJson(text: string, where: string | (() => string)): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return null;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new SdkError(
      'SLUICE_HTTP_RESPONSE_FORMAT',
      `the response of ${typeof where === 'string' ? where : where()} is not JSON: ${quoteStart(body)}`,
      {
        hint: 'call .responseFormatRaw() to get the body as text, or .responseFormatXml() for XML',
        cause: err,
      },
    );
  }
}

/** The start of a body for an error message: at most 200 characters, with `...` when cut. */
export function quoteStart(text: string): string {
  const start = text.length > QUOTED_BODY_LIMIT ? `${text.slice(0, QUOTED_BODY_LIMIT)}...` : text;
  return JSON.stringify(start);
}
