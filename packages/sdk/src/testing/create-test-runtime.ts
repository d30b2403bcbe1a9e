/**
 * A connector runtime for tests, optionally behind a cassette: record the real API once, then replay.
 *
 * @module
 */
import {
  type ConnectorRuntime,
  type ConnectorRuntimeOptions,
  createConnectorRuntime,
} from '../connector/connector-runtime.js';
import type { ConnectionValues, Connector } from '../connector/define-connector.js';
import type { HttpTransport } from '../http/transport.js';
import type { Logger } from '../logger.js';
import { type CassetteHandle, type CassetteMode, useCassette } from './use-cassette.js';

/** Options of {@link createTestRuntime}. */
export interface TestRuntimeOptions {
  /** The connection values. @default {} */
  connection?: Readonly<ConnectionValues> | undefined;
  /** A cassette file to record into or replay from. @default none: requests go to `transport` */
  cassette?: string | undefined;
  /** What to do with `cassette`. @default 'auto' (replay when the file exists, else record) */
  mode?: CassetteMode | undefined;
  /** The transport that reaches the API (without a cassette, or when recording). @default the SDK's undici transport */
  transport?: HttpTransport | undefined;
  /** @default silent */
  logger?: Logger | undefined;
  /** Cancels every request of the runtime. */
  signal?: AbortSignal | undefined;
}

/** A runtime for a test, and its cassette when one was asked for. */
export interface TestRuntime {
  /** The connector bound to the connection: `runAction`, `pollTrigger`, `test`, ... */
  readonly runtime: ConnectorRuntime;
  /** The cassette in use, `undefined` without one. */
  readonly cassette: CassetteHandle | undefined;
  /**
   * Writes the cassette when recording; does nothing otherwise. Call it at the end of the test.
   *
   * @throws {SdkError} `SLUICE_CASSETTE_FILE` when the file cannot be written.
   */
  save(): Promise<void>;
}

/**
 * Binds `connector` to a connection for a test. With `cassette`, the runtime's requests are recorded to
 * or replayed from that file, with the runtime's secrets (password fields, tokens) masked.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` for a malformed connector; `SLUICE_CASSETTE_FILE` when a
 * cassette to replay is missing or malformed.
 * @example
 * import connector from '../src/connector.js';
 *
 * const { runtime, save } = createTestRuntime(connector, {
 *   connection: { api_token: process.env.MY_APP_TOKEN ?? 'test-token' },
 *   cassette: 'test/cassettes/get-customer.cassette.json',
 * });
 * expect(await runtime.runAction('get_customer_by_id', { id: 1 })).toMatchObject({ id: 1 });
 * await save();
 */
export function createTestRuntime(connector: Connector, options: TestRuntimeOptions = {}): TestRuntime {
  let runtime: ConnectorRuntime | undefined;
  const cassette =
    options.cassette === undefined
      ? undefined
      : useCassette(options.cassette, {
          mode: options.mode,
          transport: options.transport,
          secrets: () => runtime?.secrets() ?? [],
        });
  const runtimeOptions: ConnectorRuntimeOptions = {
    connection: options.connection,
    logger: options.logger,
    transport: cassette?.transport ?? options.transport,
    signal: options.signal,
  };
  runtime = createConnectorRuntime(connector, runtimeOptions);
  return { runtime, cassette, save: async () => cassette?.save() };
}
