/**
 * The engine's connections (issue 5, item 7): a registered connector's connection values for one
 * workspace, validated against the connector's connection fields, sealed by the {@link Vault} before
 * they reach the store, and opened again for action steps, poll triggers, connection tests and the
 * credentials API. Nothing here logs or returns a value, except `open` and `credentials`.
 *
 * @module
 */
import {
  type ConnectionValues,
  type Connector,
  FieldValidationError,
  type Logger,
  silentLogger,
  validateFields,
} from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { EngineError } from '../errors.js';
import { createRedactor } from '../secrets/redactor.js';
import { DEFAULT_SECRET_NAMES } from '../secrets/secret-names.js';
import type { SealContext, Vault } from '../secrets/vault.js';
import type { ApiCaller, ConnectionRow, ServiceStore } from '../store/service-store.js';

/** A connection as the API shows it: never its values, only the names of the values set. */
export interface ConnectionView {
  name: string;
  connector: string;
  /** The names of the values set, sorted. */
  fields: string[];
  created_at: string;
  updated_at: string;
  /** The email of who saved it last. */
  user_id: string;
}

/** An opened connection: its connector and its values, decrypted. */
export interface OpenedConnection {
  connector: Connector;
  connectorName: string;
  values: ConnectionValues;
  /**
   * Seals and saves the whole connection: pass it as the SDK runtime's `onConnectionChange`, so tokens
   * its authorization acquires or refreshes are kept. Skipped when the connection was saved (replaced)
   * or deleted since it was opened.
   */
  onConnectionChange(values: Readonly<ConnectionValues>): Promise<void>;
}

/** Options of {@link ConnectionService}. */
export interface ConnectionServiceOptions {
  store: ServiceStore;
  vault: Vault;
  /** The registered connectors, by name. @default none */
  connectors?: ReadonlyMap<string, Connector> | undefined;
  /** Sends the requests of connection tests. @default the SDK's shared undici transport */
  transport?: HttpTransport | undefined;
  /** Gets the SDK runtime's debug lines (secrets masked). @default silent */
  logger?: Logger | undefined;
  /** The clock. @default Date.now */
  now?: (() => number) | undefined;
  /** How long a connection test may take, in ms. @default 30000 */
  testTimeoutMs?: number | undefined;
  /** How long a passed test counts for {@link ConnectionService.check}, in ms. @default 60000 */
  checkCacheMs?: number | undefined;
  /**
   * How long {@link ConnectionService.secretsOf} keeps a workspace's secrets, in ms. Writes through this
   * service drop them at once; a connection written by another process is masked in this one's runs
   * within this time. 0: read them on every call. @default 1000
   */
  secretsCacheMs?: number | undefined;
}

/** The defaults of {@link ConnectionServiceOptions}. */
export const CONNECTION_DEFAULTS = Object.freeze({
  testTimeoutMs: 30_000,
  checkCacheMs: 60_000,
  secretsCacheMs: 1000,
} as const);

/** Workspaces whose secrets are kept at once (the oldest read is dropped first). */
const SECRETS_KEPT = 1000;

/** A connection name: letters, digits, `_`, `-`, `.`, at most 128. */
export const CONNECTION_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,128}$';

/** No connection of that name in the workspace (the API answers 404, as for another workspace's). */
export class ConnectionMissingError extends EngineError {
  readonly connection: string;
  constructor(workspaceId: string, name: string) {
    super('SLUICE_CONNECTION', `no connection ${JSON.stringify(name)} in workspace ${workspaceId}`, {
      hint: 'create it with POST /v1/connections, or check the name',
    });
    this.connection = name;
  }
}

// Keys whose values are masked even when the connector does not mark them (as the SDK runtime does).
const SECRET_KEY = /token|secret|password|api_?key/i;
const NOT_SECRET_KEY = /_type$|expires/i;

/** The connections of every workspace. */
export class ConnectionService {
  readonly #store: ServiceStore;
  readonly #vault: Vault;
  readonly #connectors: ReadonlyMap<string, Connector>;
  readonly #options: ConnectionServiceOptions;
  readonly #now: () => number;
  /** Passed tests, by workspace and name: which `updated_at` passed and until when it counts. */
  readonly #passed = new Map<string, { updatedAt: string; until: number }>();
  /** Secrets by workspace, as read (the read in flight is shared) and until when they count. */
  readonly #secrets = new Map<string, { values: Promise<string[]>; until: number }>();

  constructor(options: ConnectionServiceOptions) {
    this.#store = options.store;
    this.#vault = options.vault;
    this.#connectors = options.connectors ?? new Map();
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Creates or replaces connection `input.name` of the caller's workspace, after checking the values
   * against the connector's connection fields.
   *
   * @throws {EngineError} `SLUICE_CONNECTION` for a bad name, an unregistered connector, or values that
   * break the connection fields (`details.problems`: `{path, message, code}`).
   */
  async save(
    caller: ApiCaller,
    input: { name: string; connector: string; values: Record<string, unknown> },
  ): Promise<{ created: boolean; connection: ConnectionView }> {
    const { name } = input;
    if (!new RegExp(CONNECTION_NAME_PATTERN).test(name)) {
      throw new EngineError('SLUICE_CONNECTION', `name ${JSON.stringify(name)} is not a connection name`, {
        hint: 'use letters, digits, _, - and . (at most 128)',
      });
    }
    const connector = this.#connector(input.connector, `connection ${name}`);
    const values = checkValues(connector, input.connector, name, input.values);
    const at = this.#iso();
    const row: ConnectionRow = {
      workspace_id: caller.workspace_id,
      name,
      connector: input.connector,
      sealed_values: this.#vault.seal(values, { workspaceId: caller.workspace_id, name }),
      user_id: caller.email,
      created_at: at,
      updated_at: at,
    };
    const created = await this.#store.connections.save(row);
    this.#passed.delete(cacheKey(caller.workspace_id, name));
    this.#secrets.delete(caller.workspace_id);
    return { created, connection: await this.view(caller.workspace_id, name) };
  }

  /** The workspace's connections, by name. @throws {EngineError} `SLUICE_SECRET_KEY` when one does not open. */
  async list(workspaceId: string): Promise<ConnectionView[]> {
    const rows = await this.#store.connections.list(workspaceId);
    return rows.map((row) => this.#view(row));
  }

  /**
   * One connection.
   *
   * @throws {ConnectionMissingError} `SLUICE_CONNECTION` when the workspace has none of that name.
   * @throws {EngineError} `SLUICE_SECRET_KEY` when its values do not open with the service's key.
   */
  async view(workspaceId: string, name: string): Promise<ConnectionView> {
    return this.#view(await this.#row(workspaceId, name));
  }

  /** Deletes a connection; resolves whether it existed. */
  async delete(workspaceId: string, name: string): Promise<boolean> {
    this.#passed.delete(cacheKey(workspaceId, name));
    const deleted = await this.#store.connections.delete(workspaceId, name);
    this.#secrets.delete(workspaceId);
    return deleted;
  }

  /**
   * A connection with its connector and its values, decrypted (for action steps and poll triggers).
   *
   * @throws {ConnectionMissingError} `SLUICE_CONNECTION` when the workspace has none of that name.
   * @throws {EngineError} `SLUICE_CONNECTION` when its connector is not registered (any more);
   * `SLUICE_SECRET_KEY` when its values do not open.
   */
  async open(workspaceId: string, name: string): Promise<OpenedConnection> {
    const row = await this.#row(workspaceId, name);
    const connector = this.#connector(row.connector, `connection ${name}`);
    return {
      connector,
      connectorName: row.connector,
      values: this.#values(row),
      onConnectionChange: this.#resealer(row).save,
    };
  }

  /**
   * What `GET /v1/credentials/{name}` answers: the name, the connector's name and the values,
   * decrypted. Works for a connector that is no longer registered.
   *
   * @throws {ConnectionMissingError} `SLUICE_CONNECTION` when the workspace has none of that name.
   */
  async credentials(
    workspaceId: string,
    name: string,
  ): Promise<{ name: string; connector: string; values: ConnectionValues }> {
    const row = await this.#row(workspaceId, name);
    return { name: row.name, connector: row.connector, values: this.#values(row) };
  }

  /**
   * Runs the connector's `test` on the connection through the SDK runtime; resolves what it returned
   * (secret values masked), `undefined` for a connector without a test. Tokens the runtime's
   * authorization acquires or refreshes on the way are sealed and saved.
   *
   * @throws {EngineError} `SLUICE_CONNECTION_TEST` with the test's error message when it fails or
   * times out (30 s); `SLUICE_CONNECTION` / `SLUICE_SECRET_KEY` as {@link open}.
   * @throws `options.signal.reason` when aborted.
   */
  async test(workspaceId: string, name: string, options: { signal?: AbortSignal } = {}): Promise<unknown> {
    const row = await this.#row(workspaceId, name);
    const connector = this.#connector(row.connector, `connection ${name}`);
    const resealer = this.#resealer(row);
    const timeoutMs = this.#options.testTimeoutMs ?? CONNECTION_DEFAULTS.testTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    const runtime = createConnectorRuntime(connector, {
      connection: this.#values(row),
      transport: this.#options.transport,
      logger: this.#options.logger ?? silentLogger,
      signal,
      onConnectionChange: resealer.save,
    });
    const key = cacheKey(workspaceId, name);
    const redact = () => createRedactor({ names: DEFAULT_SECRET_NAMES, values: runtime.secrets() });
    let result: unknown;
    try {
      result = await runtime.test();
    } catch (err) {
      this.#passed.delete(key);
      if (options.signal?.aborted === true) throw options.signal.reason;
      const reason = timeout.aborted
        ? `it did not finish within ${timeoutMs} ms`
        : redact().text(err instanceof Error ? err.message : String(err));
      throw new EngineError('SLUICE_CONNECTION_TEST', `connection ${name}: the test failed: ${reason}`, {
        cause: err,
        hint: 'check the connection values (save them again with POST /v1/connections), then test again',
      });
    }
    const cacheMs = this.#options.checkCacheMs ?? CONNECTION_DEFAULTS.checkCacheMs;
    this.#passed.set(key, { updatedAt: resealer.readAt(), until: this.#now() + cacheMs });
    return redact().value(result);
  }

  /**
   * Tests each named connection (once each), in order, as a run or trigger that uses them starts. A
   * passed test counts for about a minute per connection, until the connection is saved again.
   *
   * @throws the first failure of {@link test}: `SLUICE_CONNECTION_TEST`, or `SLUICE_CONNECTION` for a
   * missing connection or an unregistered connector.
   */
  async check(
    workspaceId: string,
    names: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    for (const name of new Set(names)) {
      const row = await this.#row(workspaceId, name);
      const passed = this.#passed.get(cacheKey(workspaceId, name));
      if (passed !== undefined && passed.updatedAt === row.updated_at && this.#now() < passed.until) continue;
      await this.test(workspaceId, name, options);
    }
  }

  /**
   * The values of the workspace's connections that a run must mask in what it stores and logs: values
   * the connector marks as passwords, values under secret-looking keys, an oauth2 client secret.
   * Connections that do not open are left out (nothing can read them either). Kept for
   * `secretsCacheMs` (runs start by the hundred per second; each needs them twice).
   */
  async secretsOf(workspaceId: string): Promise<string[]> {
    const ttl = this.#options.secretsCacheMs ?? CONNECTION_DEFAULTS.secretsCacheMs;
    const now = this.#now();
    const cached = this.#secrets.get(workspaceId);
    if (cached !== undefined && now < cached.until) return [...(await cached.values)];
    const values = this.#readSecrets(workspaceId);
    if (ttl > 0) {
      if (this.#secrets.size >= SECRETS_KEPT)
        this.#secrets.delete(this.#secrets.keys().next().value as string);
      const entry = { values, until: now + ttl };
      this.#secrets.set(workspaceId, entry);
      // A failed read is not kept: the next call reads again.
      values.catch(() => {
        if (this.#secrets.get(workspaceId) === entry) this.#secrets.delete(workspaceId);
      });
    }
    return [...(await values)];
  }

  async #readSecrets(workspaceId: string): Promise<string[]> {
    const found = new Set<string>();
    for (const row of await this.#store.connections.list(workspaceId)) {
      let values: ConnectionValues;
      try {
        values = this.#values(row);
      } catch {
        continue;
      }
      const connector = this.#connectors.get(row.connector);
      const secrets =
        connector === undefined
          ? Object.entries(values)
              .filter(([k, v]) => SECRET_KEY.test(k) && !NOT_SECRET_KEY.test(k) && isScalar(v))
              .map(([, v]) => String(v))
          : createConnectorRuntime(connector, { connection: values }).secrets();
      for (const secret of secrets) if (secret !== '') found.add(secret);
    }
    return [...found];
  }

  async #row(workspaceId: string, name: string): Promise<ConnectionRow> {
    const row = await this.#store.connections.get(workspaceId, name);
    if (row === undefined) throw new ConnectionMissingError(workspaceId, name);
    return row;
  }

  #connector(name: string, where: string): Connector {
    const connector = this.#connectors.get(name);
    if (connector === undefined) {
      const known = [...this.#connectors.keys()].sort();
      throw new EngineError(
        'SLUICE_CONNECTION',
        `${where}: connector ${JSON.stringify(name)} is not registered (registered: ${known.join(', ') || 'none'})`,
        { hint: 'register it with sluice serve --connectors <dir>, or name a registered connector' },
      );
    }
    return connector;
  }

  #values(row: ConnectionRow): ConnectionValues {
    const values = this.#vault.open(row.sealed_values, context(row));
    return typeof values === 'object' && values !== null ? (values as ConnectionValues) : {};
  }

  #view(row: ConnectionRow): ConnectionView {
    return {
      name: row.name,
      connector: row.connector,
      fields: Object.keys(this.#values(row)).sort(),
      created_at: row.created_at,
      updated_at: row.updated_at,
      user_id: row.user_id,
    };
  }

  /**
   * Saves tokens a runtime acquired or refreshed (`save`), and tells which `updated_at` the values it
   * holds have (`readAt`). Skipped when the connection was replaced or deleted since it was read: the
   * user's new values win over old tokens.
   */
  #resealer(row: ConnectionRow): {
    save: (values: Readonly<ConnectionValues>) => Promise<void>;
    readAt: () => string;
  } {
    let readAt = row.updated_at;
    const save = async (values: Readonly<ConnectionValues>): Promise<void> => {
      const current = await this.#store.connections.get(row.workspace_id, row.name);
      if (current === undefined || current.updated_at !== readAt) return;
      const at = this.#iso();
      await this.#store.connections.save({
        ...current,
        sealed_values: this.#vault.seal({ ...values }, context(row)),
        updated_at: at,
      });
      this.#secrets.delete(row.workspace_id);
      readAt = at;
    };
    return { save, readAt: () => readAt };
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}

function checkValues(
  connector: Connector,
  connectorName: string,
  name: string,
  values: Record<string, unknown>,
): ConnectionValues {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new EngineError('SLUICE_CONNECTION', `connection ${name}: values must be an object`);
  }
  try {
    // The same check (and light coercion) the SDK runtime makes on first use, so a saved connection
    // passes it; problem paths read `values.api_key`.
    const fields = connector.connection?.fields ?? [];
    return validateFields(fields, values, {
      path: 'values',
      fieldsPath: 'connection.fields',
    }) as ConnectionValues;
  } catch (err) {
    if (!(err instanceof FieldValidationError)) throw err;
    const error = new EngineError(
      'SLUICE_CONNECTION',
      `connection ${name}: the values break the connection fields of ${connectorName}: ${err.message}`,
      { cause: err, ...(err.hint === undefined ? {} : { hint: err.hint }) },
    );
    Object.assign(error, { details: { problems: err.problems } });
    throw error;
  }
}

function context(row: ConnectionRow): SealContext {
  return { workspaceId: row.workspace_id, name: row.name };
}

function cacheKey(workspaceId: string, name: string): string {
  return JSON.stringify([workspaceId, name]);
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number';
}
