/**
 * `Request`: what a route handler gets. It reads the standard body shape of a workflow platform call:
 * `{"data": {...}, "credentials": {"connection_data": {"value": {...}}, ...}}`.
 *
 * @module
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { isJsonObject, type JsonObject } from './utils/json-object.js';

/**
 * One HTTP request, as a route handler sees it. Properties are read from the parsed body when used.
 * `TData` types `data` (it is not checked at run time; a `schema.json` beside the route is).
 */
export class Request<TData = JsonObject> {
  /** The Fastify request underneath, for anything this class does not cover. */
  readonly raw: FastifyRequest;

  constructor(raw: FastifyRequest) {
    this.raw = raw;
  }

  /** The whole parsed JSON body (`undefined` when there was none). */
  get json(): unknown {
    return this.raw.body;
  }

  /** The body's `data`; `{}` when it has none. */
  get data(): TData {
    const body = this.raw.body;
    return (isJsonObject(body) && isJsonObject(body.data) ? body.data : {}) as TData;
  }

  /**
   * The values already entered in the module's form, `data.form_data`, as the workflow builder posts them
   * to `/schema` and `/content`; `{}` when absent.
   */
  get formData(): JsonObject {
    const data = this.data as unknown;
    return isJsonObject(data) && isJsonObject(data.form_data) ? data.form_data : {};
  }

  /**
   * The content objects a `/content` call asks for, `data.content_object_names`, as ids (entries given as
   * `{"id": ...}` are reduced to their id); `[]` when absent.
   */
  get contentObjectNames(): string[] {
    const data = this.data as unknown;
    const raw =
      isJsonObject(data) && Array.isArray(data.content_object_names) ? data.content_object_names : [];
    const names: string[] = [];
    for (const entry of raw) {
      if (typeof entry === 'string') names.push(entry);
      else if (isJsonObject(entry)) {
        const name = entry.id ?? entry.content_object_name ?? entry.name;
        if (typeof name === 'string' && name !== '') names.push(name);
      }
    }
    return names;
  }

  /** The connection values: `credentials.connection_data.value` of the body; `{}` when absent. */
  get credentials(): JsonObject {
    const credentials = this.#credentials();
    const connectionData = credentials?.connection_data;
    return isJsonObject(connectionData) && isJsonObject(connectionData.value) ? connectionData.value : {};
  }

  /** The rest of the body's `credentials` (its id, name, ...), without `connection_data`. */
  get connection(): JsonObject {
    const { connection_data: _values, ...rest } = this.#credentials() ?? {};
    return rest;
  }

  /** Request headers, names in lower case. */
  get headers(): FastifyRequest['headers'] {
    return this.raw.headers;
  }

  /** The parsed query string. */
  get query(): JsonObject {
    return (this.raw.query ?? {}) as JsonObject;
  }

  /** Path parameters of routes such as `/items/:id`. */
  get params(): Record<string, string> {
    return (this.raw.params ?? {}) as Record<string, string>;
  }

  /** The request's logger (pino; bound to the request id). Silent unless logging is on. */
  get log(): FastifyBaseLogger {
    return this.raw.log;
  }

  #credentials(): JsonObject | undefined {
    const body = this.raw.body;
    return isJsonObject(body) && isJsonObject(body.credentials) ? body.credentials : undefined;
  }
}
