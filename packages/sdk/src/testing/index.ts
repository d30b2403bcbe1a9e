/**
 * `@sluice/sdk/testing`: helpers for testing connectors. Record the real API once into a cassette
 * (a JSON file with secrets masked), then replay it in every test run without the network.
 *
 * @example
 * import { createTestRuntime } from '@sluice/sdk/testing';
 * import connector from '../src/connector.js';
 *
 * const { runtime, save } = createTestRuntime(connector, {
 *   connection: { api_token: 'my-app-secret-token' },
 *   cassette: 'test/cassettes/get-customer.cassette.json', // replayed when it exists, else recorded
 * });
 * expect(await runtime.runAction('get_customer_by_id', { id: 1 })).toMatchObject({ id: 1 });
 * await save();
 *
 * @module
 */

export type {
  CassetteOptions,
  RecordingTransport,
  ReplayTransport,
  SecretSource,
} from './cassette.js';
export { recordingTransport, replayTransport } from './cassette.js';
export type {
  Cassette,
  CassetteBodyEncoding,
  CassetteError,
  CassetteExchange,
  CassetteRequest,
  CassetteResponse,
} from './cassette-format.js';
export { CASSETTE_VERSION, readCassetteFile } from './cassette-format.js';
export type { TestRuntime, TestRuntimeOptions } from './create-test-runtime.js';
export { createTestRuntime } from './create-test-runtime.js';
export type {
  CassetteHandle,
  CassetteMode,
  UseCassetteOptions,
} from './use-cassette.js';
export { useCassette } from './use-cassette.js';
