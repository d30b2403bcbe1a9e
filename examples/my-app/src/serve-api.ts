/**
 * Runs the mock my-app API for trying the connector by hand (`npm run api -w @sluice/example-my-app`).
 * Listens on `PORT` (default 4010) with `SEED_COUNT` (default 250) seeded customers; Ctrl-C stops it.
 *
 * @module
 */
import { DEFAULT_API_TOKEN, startMyAppApi } from './api.js';

const port = Number(process.env.PORT ?? 4010);
const seedCount = Number(process.env.SEED_COUNT ?? 250);
const api = await startMyAppApi({ port, seedCount });

// An example script may print (the console rule binds the packages, not examples).
console.log(
  [
    `my-app API listening on ${api.url} with ${api.customers.length} customers`,
    `  api_token: ${DEFAULT_API_TOKEN}`,
    `  try: curl '${api.url}/v1/customers.json?api_token=${DEFAULT_API_TOKEN}&id=1'`,
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void api.close().then(() => process.exit(0));
  });
}
