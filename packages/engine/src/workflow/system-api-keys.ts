/**
 * Which `SYSTEM_APIS` keys a workflow's templates may name, when the configuration is known: the
 * configured ones, and the ones the engine service adds itself (`sluice`, `credentials`, `workflows`,
 * `runs`), which are always allowed.
 *
 * @internal
 * @module
 */
import { ownApis } from '../run/own-apis.js';

/** The keys the engine service adds to `SYSTEM_APIS` itself. */
export const OWN_SYSTEM_API_KEYS: readonly string[] = Object.freeze(Object.keys(ownApis('http://localhost')));

/**
 * The `SYSTEM_APIS` of a service as validation takes them: `undefined` (not checked) when none is
 * configured beyond the service's own keys, else the same object.
 */
export function configuredSystemApis(
  apis: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (apis === undefined) return undefined;
  return Object.keys(apis).some((key) => !OWN_SYSTEM_API_KEYS.includes(key)) ? apis : undefined;
}

/** The keys templates may name: those of `apis` and the service's own, sorted. */
export function allowedSystemApiKeys(apis: Readonly<Record<string, unknown>>): string[] {
  return [...new Set([...Object.keys(apis), ...OWN_SYSTEM_API_KEYS])].sort();
}
