/**
 * One call that picks recording or replaying for a cassette file, for use in any test runner.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { defaultTransport } from '../http/send.js';
import type { HttpTransport } from '../http/transport.js';
import { recordingTransport, replayTransport, type SecretSource } from './cassette.js';

/** `record` calls the real API and saves; `replay` answers from the file; `auto` replays when the file exists. */
export type CassetteMode = 'record' | 'replay' | 'auto';

/** Options of {@link useCassette}. */
export interface UseCassetteOptions {
  /** @default 'auto' */
  mode?: CassetteMode | undefined;
  /** Values masked as `[secret]` in the file and in replayed requests. @default no secrets */
  secrets?: SecretSource | undefined;
  /** The transport that reaches the real API when recording. @default the SDK's undici transport */
  transport?: HttpTransport | undefined;
}

/** A cassette in use: the transport to hand to the runtime, and `save()` for the end of the test. */
export interface CassetteHandle {
  /** What this handle does, with `auto` resolved. */
  readonly mode: 'record' | 'replay';
  readonly file: string;
  readonly transport: HttpTransport;
  /**
   * Writes the recording to the file (record mode); does nothing when replaying.
   *
   * @throws {SdkError} `SLUICE_CASSETTE_FILE` when the file cannot be written.
   */
  save(): Promise<void>;
}

/**
 * Opens the cassette `file` for recording or replaying, as `mode` says.
 *
 * @throws {SdkError} `SLUICE_CASSETTE_FILE` when replaying a file that is missing or not a cassette.
 * @example
 * const cassette = useCassette('test/cassettes/customers.cassette.json', { secrets: [token] });
 * const runtime = createConnectorRuntime(connector, { connection, transport: cassette.transport });
 * expect(await runtime.runAction('get_customer', { id: 1 })).toMatchObject({ id: 1 });
 * await cassette.save();
 */
export function useCassette(file: string, options: UseCassetteOptions = {}): CassetteHandle {
  const requested = options.mode ?? 'auto';
  const mode = requested === 'auto' ? (existsSync(file) ? 'replay' : 'record') : requested;
  if (mode === 'replay') {
    const transport = replayTransport(file, { secrets: options.secrets });
    return { mode, file, transport, save: async () => {} };
  }
  const recorder = recordingTransport(options.transport ?? defaultTransport, { secrets: options.secrets });
  return { mode, file, transport: recorder, save: () => recorder.save(file) };
}
