/**
 * Starts everything the example workflows call, on the ports of `examples/workflows/sluice.yaml`: the
 * my-app API on 4010, the webhook receiver on 4020 and the flaky endpoint on 4030. Ctrl-C stops them.
 *
 * ```sh
 * npx tsx --conditions=development examples/workflows/src/serve.ts
 * cd examples/workflows && npx sluice run list-and-notify.yaml
 * ```
 *
 * @module
 */
import { startMyAppApi } from '@sluice/example-my-app/api';
import { startFlakyEndpoint, startWebhookReceiver } from './servers.js';

const api = await startMyAppApi({ port: 4010, seedCount: 12 });
const hooks = await startWebhookReceiver({ port: 4020 });
const flaky = await startFlakyEndpoint({ port: 4030 });

// An example script may print (the console rule binds the packages, not examples).
console.log(`my-app API ${api.url}\nwebhook receiver ${hooks.url}\nflaky endpoint ${flaky.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`webhooks received: ${hooks.received.length} (at most ${hooks.maxInFlight} at once)`);
    void Promise.all([api.close(), hooks.close(), flaky.close()]).then(() => process.exit(0));
  });
}
