/**
 * The flags of the two commands that run an engine node, `sluice serve` and `sluice worker`: the store
 * (`--data-dir`, `--database`, `--database-schema`), the queue (`--redis`, `--redis-prefix`), execution
 * (`--concurrency`, `--grace`, `--system-apis`, `--deny-private-networks`, `--connectors`),
 * `--metrics-token` and `--debug`. Each command words some of them for its use and adds them in the order
 * its `--help` lists them.
 *
 * @module
 */
import type { Option } from 'commander';
import { type DataOptions, databaseOption, databaseSchemaOption, dataDirOption } from './database.js';
import { type DebugOptions, debugOption } from './debug.js';
import {
  concurrencyOption,
  connectorsOption,
  denyPrivateNetworksOption,
  type ExecutionFlags,
  graceOption,
  systemApisOption,
} from './execution.js';
import { metricsTokenOption } from './metrics.js';
import { type QueueFlags, redisOption, redisPrefixOption } from './queue.js';

/** The flags every engine node takes, as commander hands them over. */
export interface EngineNodeFlags extends DataOptions, ExecutionFlags, QueueFlags, DebugOptions {
  /** The bearer token of `GET /metrics` (else `SLUICE_METRICS_TOKEN`); without one `/metrics` answers 404. */
  metricsToken?: string;
}

/** The names `engineNodeOptions` gives the flags. */
export type EngineNodeFlag =
  | 'dataDir'
  | 'database'
  | 'databaseSchema'
  | 'redis'
  | 'redisPrefix'
  | 'concurrency'
  | 'grace'
  | 'systemApis'
  | 'denyPrivateNetworks'
  | 'connectors'
  | 'metricsToken'
  | 'debug';

/** The help of the flags a command words for its use of them. */
export interface EngineNodeWording {
  dataDir: string;
  database: string;
  redis: string;
  /** @default 'more SYSTEM_APIS entries' */
  systemApis?: string;
}

/** The engine node flags, by name, for the command to add in the order its `--help` lists them. */
export function engineNodeOptions(wording: EngineNodeWording): Record<EngineNodeFlag, Option> {
  return {
    dataDir: dataDirOption(wording.dataDir),
    database: databaseOption(wording.database),
    databaseSchema: databaseSchemaOption('the PostgreSQL schema of the tables (default public)'),
    redis: redisOption(wording.redis),
    redisPrefix: redisPrefixOption(),
    concurrency: concurrencyOption(),
    grace: graceOption(),
    systemApis: systemApisOption(wording.systemApis),
    denyPrivateNetworks: denyPrivateNetworksOption(),
    connectors: connectorsOption(),
    metricsToken: metricsTokenOption(),
    debug: debugOption(),
  };
}
