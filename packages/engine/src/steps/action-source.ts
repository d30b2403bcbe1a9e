/**
 * Where action steps get their connectors and connections. Type-only: the run's execution context
 * carries an `ActionSource`, and `run-action-item.ts` uses it.
 *
 * @internal
 * @module
 */
import type { ConnectionValues, Connector } from '@sluice/sdk';

/** An opened connection: its connector (as registered) and its values, decrypted. */
export interface OpenedActionConnection {
  connector: Connector;
  /** The name the connector is registered under. */
  connectorName: string;
  values: ConnectionValues;
  /** Seals and saves the connection when the connector's authorization acquired or refreshed tokens. */
  onConnectionChange?: (values: Readonly<ConnectionValues>) => Promise<void>;
}

/**
 * Where action steps get their connectors and connections: the engine binds it to the run's workspace
 * (`engine.connectors`, `engine.connections.open`).
 */
export interface ActionSource {
  /** The registered connector `name`; `undefined` when there is none. */
  connector(name: string): Connector | undefined;
  /**
   * Opens stored connection `name` of the run's workspace.
   * @throws {SluiceError} when it is missing or does not open; the item fails with its message.
   */
  open(name: string): Promise<OpenedActionConnection>;
}
