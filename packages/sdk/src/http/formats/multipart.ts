/**
 * The `multipart/form-data` request format, encoded with Node's `FormData`.
 *
 * Each key of the payload object becomes a part:
 * - strings, numbers, booleans -> text fields; a `Date` -> ISO 8601; `null`/`undefined` -> left out
 * - `Uint8Array` (and `Buffer`), `ArrayBuffer` -> a file part named after the key, type
 *   `application/octet-stream`; a `Blob` or `File` -> a file part with its own type (and name)
 * - `{ value, filename?, contentType? }` (with `filename` or `contentType`) -> a file part with that
 *   name and type; `value` is a string, bytes or a Blob
 * - nested objects and arrays -> Rails-style names, as for forms: `a[b]`, `files[]`
 *
 * @module
 */
import { SdkError } from '../../errors.js';
import { describe, isRecord } from '../values.js';

/** A file part spelled out: the content and, optionally, its file name and media type. */
export interface MultipartFile {
  value: string | Uint8Array | ArrayBuffer | Blob;
  /** @default the field name */
  filename?: string;
  /** @default the Blob's type, else `application/octet-stream` */
  contentType?: string;
}

/** An encoded multipart body and its `content-type` (with the boundary). */
export interface EncodedMultipart {
  body: Uint8Array;
  contentType: string;
}

const FILE_KEYS = new Set(['value', 'filename', 'contentType']);

/** True for a `{ value, filename?, contentType? }` object that names a file or a type. */
export function isMultipartFile(value: unknown): value is MultipartFile {
  if (!isRecord(value) || !('value' in value)) return false;
  if (!Object.keys(value).every((k) => FILE_KEYS.has(k))) return false;
  return value.filename !== undefined || value.contentType !== undefined;
}

/**
 * Encodes a payload object as `multipart/form-data` (see the module comment). `where` names the
 * request in errors (`POST https://...`).
 *
 * @throws {SdkError} `SLUICE_HTTP_PAYLOAD` when the payload is not an object, or a value cannot be a part.
 */
export async function encodeMultipart(payload: unknown, where: string): Promise<EncodedMultipart> {
  if (payload !== undefined && payload !== null && !isRecord(payload)) {
    throw payloadError(where, 'the payload', `expected an object, got ${describe(payload)}`);
  }
  const form = new FormData();
  for (const [key, value] of Object.entries(payload ?? {})) appendPart(form, key, value, where);
  const encoded = new Response(form);
  const body = new Uint8Array(await encoded.arrayBuffer());
  return { body, contentType: encoded.headers.get('content-type') ?? 'multipart/form-data' };
}

function appendPart(form: FormData, name: string, value: unknown, where: string): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    form.append(name, String(value));
  } else if (typeof value === 'bigint') {
    form.append(name, value.toString());
  } else if (value instanceof Date) {
    form.append(name, value.toISOString());
  } else if (value instanceof Blob) {
    form.append(name, value, value instanceof File ? value.name : name);
  } else if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    form.append(name, new Blob([copyBytes(value)], { type: 'application/octet-stream' }), name);
  } else if (isMultipartFile(value)) {
    form.append(name, fileBlob(value, name, where), value.filename ?? name);
  } else if (Array.isArray(value)) {
    for (const item of value) appendPart(form, `${name}[]`, item, where);
  } else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) appendPart(form, `${name}[${key}]`, inner, where);
  } else {
    throw payloadError(where, name, `cannot send ${describe(value)} as a part`);
  }
}

function fileBlob(file: MultipartFile, name: string, where: string): Blob {
  const content: unknown = file.value;
  let part: Blob | string | Uint8Array<ArrayBuffer>;
  if (content instanceof Blob || typeof content === 'string') part = content;
  else if (content instanceof Uint8Array || content instanceof ArrayBuffer) part = copyBytes(content);
  else
    throw payloadError(
      where,
      `${name}.value`,
      `expected a string, bytes or a Blob, got ${describe(content)}`,
    );
  const ownType = content instanceof Blob && content.type !== '' ? content.type : undefined;
  return new Blob([part], { type: file.contentType ?? ownType ?? 'application/octet-stream' });
}

/** A copy backed by a plain ArrayBuffer, which `Blob` accepts whatever the source's buffer type. */
function copyBytes(bytes: Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}

function payloadError(where: string, path: string, problem: string): SdkError {
  return new SdkError('SLUICE_HTTP_PAYLOAD', `cannot encode ${path} of ${where} as multipart: ${problem}`, {
    hint: 'use strings, numbers, bytes, Blobs or { value, filename, contentType } objects as values',
  });
}
