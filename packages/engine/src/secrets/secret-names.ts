/**
 * The key names whose values the engine treats as secret by default, in every value it stores or
 * logs (inputs, outputs, `USER`, `SYSTEM_APIS`, error bodies). More can be configured
 * (`secret_names` in `sluice.yaml`, `secretNames` of `runWorkflow`).
 *
 * @module
 */

/** Secret key names, compared case-insensitively. `authorization` and `cookie` headers are always secret. */
export const DEFAULT_SECRET_NAMES: readonly string[] = Object.freeze([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'api_token',
  'password',
  'secret',
  'client_secret',
]);
