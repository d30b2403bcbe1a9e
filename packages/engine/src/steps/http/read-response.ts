/**
 * Phase "render the output", part one: the response as templates see it (`CURRENT_STEP.response`).
 * The body is parsed as JSON when the response says it is JSON (`application/json`, `+json`), else it
 * is text; a JSON body that does not parse stays text.
 *
 * @module
 */
import type { ResponseHeaders } from '@sluice/sdk';
import { decodeJson, type WireResponse } from '@sluice/sdk/internal';

/** `CURRENT_STEP.response`. */
export interface StepResponse {
  status: number;
  /** Lower-case names. */
  headers: ResponseHeaders;
  body: unknown;
}

const JSON_TYPE = /^\s*application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** One decoder for every response (a decoder without `stream` keeps no state between calls). */
const UTF8 = new TextDecoder();

/** The response of a call for templates and for the default output. */
export function readResponse(response: WireResponse, where: string): StepResponse {
  return { status: response.status, headers: response.headers, body: parseBody(response, where) };
}

/** The body: JSON-parsed when `content-type` is JSON and it parses, else UTF-8 text. */
export function parseBody(response: WireResponse, where: string): unknown {
  const text = UTF8.decode(response.body);
  const type = response.headers['content-type'];
  const contentType = Array.isArray(type) ? type[0] : type;
  if (contentType === undefined || !JSON_TYPE.test(contentType)) return text;
  try {
    return decodeJson(text, where);
  } catch {
    return text;
  }
}
