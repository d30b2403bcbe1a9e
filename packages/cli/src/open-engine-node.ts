/**
 * How `sluice serve` and `sluice worker` open their engine: the connectors of `--connectors`, the secret
 * key, the store and the engine on them, plus the signal that stops the process. Loaded on use, as the
 * engine it imports is.
 *
 * @module
 */
import {
  type CreateEngineOptions,
  createEngine,
  type Engine,
  type LoadedSecretKey,
  loadSecretKey,
  type SqlStore,
} from '@sluice/engine';
import { connectorDirs, connectorMap, type LoadedConnector, loadConnectors } from './load-connectors.js';
import { type DataOptions, DEFAULT_DATA_DIR, openDataStore } from './options/database.js';
import type { ExecutionFlags } from './options/execution.js';

/** An open engine node; the caller starts the engine and closes it, then the store. */
export interface EngineNode {
  /** Resolves with `SIGINT` or `SIGTERM`, whichever comes first once the node began to open. */
  stopped: Promise<string>;
  registered: LoadedConnector[];
  secretKey: LoadedSecretKey;
  store: SqlStore;
  engine: Engine;
}

/**
 * Loads the connectors (before the store opens: one that does not load stops the start with its file
 * named), reads the secret key (`SLUICE_SECRET_KEY`, else the key file of `--data-dir`, even when the
 * store is PostgreSQL), opens the store and creates the engine with `engineOptions`.
 *
 * @throws {SluiceError} the connector's load error, `SLUICE_SECRET_KEY`, `SLUICE_STORE`, `SLUICE_CLI_OPTION`.
 */
export async function openEngineNode(
  options: DataOptions & Pick<ExecutionFlags, 'connectors'>,
  engineOptions: Omit<CreateEngineOptions, 'store' | 'connectors' | 'secretKey'>,
): Promise<EngineNode> {
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const registered = await loadConnectors(connectorDirs(options.connectors));
  const secretKey = await loadSecretKey({ env: process.env, dataDir: options.dataDir ?? DEFAULT_DATA_DIR });
  const store = await openDataStore(options);
  const engine = createEngine({
    store,
    connectors: connectorMap(registered),
    secretKey: secretKey.key,
    ...engineOptions,
  });
  return { stopped, registered, secretKey, store, engine };
}
