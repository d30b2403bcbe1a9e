/**
 * What triggers need of the engine's connections (`ConnectionService`): the test of a connection before
 * a trigger that uses it goes live, its values to poll with, and the secrets of a workspace, redacted from
 * the inputs of the runs a trigger starts.
 *
 * @module
 */
import type { ConnectionValues, Connector } from '@sluice/sdk';

/** An opened connection: its connector (as registered) and its values, decrypted. */
export interface OpenedTriggerConnection {
  connector: Connector;
  connectorName: string;
  values: ConnectionValues;
  /** Seals and saves the connection when the connector's authorization acquired or refreshed tokens. */
  onConnectionChange?: (values: Readonly<ConnectionValues>) => Promise<void>;
}

/** The engine's connections, as triggers use them. */
export interface TriggerConnections {
  /** Runs the `test` of each connection. @throws {EngineError} `SLUICE_CONNECTION_TEST` for the first that fails. */
  check(workspaceId: string, names: readonly string[]): Promise<void>;
  /** The decrypted values of a stored connection and its connector. */
  open(workspaceId: string, name: string): Promise<OpenedTriggerConnection>;
  /** The secret values of every connection of the workspace. */
  secretsOf(workspaceId: string): Promise<string[]>;
}
