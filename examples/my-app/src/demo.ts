/**
 * `npm start`: starts the mock my-app API on a random port and drives the connector through the SDK
 * runtime: the connection test, an action, three cycles of the ascending trigger (the state round-trips)
 * and one cycle of the descending trigger. Prints what happens and exits 0.
 *
 * @module
 */
import { createConnectorRuntime, createUndiciTransport } from '@sluice/sdk/internal';
import { DEFAULT_API_TOKEN, startMyAppApi } from './api.js';
import connector from './connector.js';
import type { Customer } from './customer.js';

const SEED_COUNT = 250;

// An example script may print (the console rule binds the packages, not examples).
const say = (line: string): void => console.log(line);

/** `3 events (ids 1..3)`, or `0 events`. */
function describeEvents(events: readonly unknown[]): string {
  const ids = events.map((event) => (event as Customer).id);
  if (ids.length === 0) return '0 events';
  return `${ids.length} event${ids.length === 1 ? '' : 's'} (first id ${ids[0]}, last id ${ids.at(-1)})`;
}

const api = await startMyAppApi({ seedCount: SEED_COUNT });
const transport = createUndiciTransport();
try {
  say(`my-app API on ${api.url} with ${api.customers.length} customers`);
  const runtime = createConnectorRuntime(connector, {
    connection: { api_token: DEFAULT_API_TOKEN, base_url: api.url },
    transport,
  });

  await runtime.test();
  say('test: connection OK');

  const customer = (await runtime.runAction('get_customer_by_id', { id: 42 })) as Customer;
  say(`actions.get_customer_by_id {id: 42}: ${customer.name} <${customer.email}>, ${customer.address.city}`);

  const first = await runtime.pollTrigger('new_customer', { input: {} });
  say(`triggers.new_customer cycle 1: ${describeEvents(first.events)}`);
  // The engine stores the state as JSON between cycles; do the same.
  const stored = JSON.parse(JSON.stringify(first.state)) as typeof first.state;
  const second = await runtime.pollTrigger('new_customer', { input: {}, state: stored });
  say(`triggers.new_customer cycle 2 (state from cycle 1, through JSON): ${describeEvents(second.events)}`);
  const added = api.addCustomer({ name: 'Ada Lovelace', email: 'ada@example.com' });
  say(`added customer ${added.id} (${added.name}, created ${added.created_at})`);
  const third = await runtime.pollTrigger('new_customer', {
    input: {},
    state: JSON.parse(JSON.stringify(second.state)) as typeof second.state,
  });
  say(`triggers.new_customer cycle 3: ${describeEvents(third.events)}`);

  const descending = await runtime.pollTrigger('new_customer_descending', { input: {} });
  say(`triggers.new_customer_descending cycle 1: ${describeEvents(descending.events)}`);
  say(`${api.requestCount} requests served; done`);
} finally {
  await transport.close?.();
  await api.close();
}
