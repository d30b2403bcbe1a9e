/**
 * The "my-app" connector of the Workato connector docs, ported to Sluice: token authorization as a
 * query parameter, a customer lookup that peels the `customer` envelope, customer creation, and
 * new-customer triggers over the ascending and the descending listing.
 *
 * Try it by hand: `npm run api -w @sluice/example-my-app`, then
 * `npx sluice exec examples/my-app/src/connector.ts actions.get_customer_by_id
 *   --settings examples/my-app/settings.example.json --input examples/my-app/input.get-customer.json`.
 *
 * @module
 */
import { defineConnector, type Field } from '@sluice/sdk';
import type { Customer } from './customer.js';
import { ascendingPage, descendingPage, FAR_PAST, PAGE_SIZE, toTimestamp } from './customer-pages.js';

/** Where the API listens when the connection gives no `base_url` (`serve-api.ts`). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:4010';

const CUSTOMERS = '/v1/customers.json';

/** The countries the `countries` pick list offers: `[label, ISO 3166 alpha-3 code]`. */
export const COUNTRIES = [
  ['United States', 'USA'],
  ['Canada', 'CAN'],
  ['Germany', 'DEU'],
  ['France', 'FRA'],
  ['Japan', 'JPN'],
  ['United Kingdom', 'GBR'],
] as const;

// Fields are optional unless `optional: false`, as in Workato.
const addressFields: readonly Field[] = [
  { name: 'street' },
  { name: 'city' },
  { name: 'state' },
  { name: 'zip' },
  { name: 'country', pickList: 'countries', hint: 'ISO 3166 alpha-3 code, such as USA' },
];

const customerFields: readonly Field[] = [
  { name: 'id', type: 'integer' },
  { name: 'name' },
  { name: 'email' },
  { name: 'address', type: 'object', properties: addressFields },
  { name: 'created_at', type: 'date_time' },
  { name: 'updated_at', type: 'date_time' },
];

const sampleCustomer = {
  id: 1234,
  name: 'John Smith',
  email: 'john.smith@email.com',
  address: { street: '123 Main St', city: 'Anytown', state: 'CA', zip: '94321', country: 'USA' },
  created_at: '2017-01-02T12:34:56Z',
  updated_at: '2017-01-02T12:34:56Z',
} satisfies Customer;

const createdSinceField = {
  name: 'created_since',
  label: 'Customers created since',
  type: 'date_time',
  hint: 'Leave empty to get every customer, the oldest first.',
} as const satisfies Field;

/** The my-app connector. */
// #region connector
export default defineConnector({
  title: 'My App',
  description: 'Customers of the my-app API (the example of the Workato connector docs).',
  connection: {
    fields: [
      {
        name: 'api_token',
        label: 'API token',
        controlType: 'password',
        optional: false,
        hint: 'You can find your MyApp API token under "Account Settings"',
      },
      { name: 'base_url', label: 'Base URL', hint: `Defaults to ${DEFAULT_BASE_URL}` },
    ],
    baseUri: ({ connection }) =>
      typeof connection.base_url === 'string' && connection.base_url !== ''
        ? connection.base_url.replace(/\/+$/, '')
        : DEFAULT_BASE_URL,
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.params({ api_token: connection.api_token }),
    },
  },

  test: ({ http }) => http.get(CUSTOMERS, { limit: 1 }),

  actions: {
    get_customer_by_id: {
      title: 'Get customer by ID',
      description: 'Looks up one customer; fails with a 404 when there is none.',
      inputFields: [{ name: 'id', type: 'integer', optional: false }],
      outputFields: ({ objectDefinitions }) => objectDefinitions.customer,
      execute: async ({ input, http }) =>
        (await http.get<{ customer: Customer }>(CUSTOMERS, { id: input.id })).customer,
      sampleOutput: sampleCustomer,
    },
    create_customer: {
      title: 'Create customer',
      inputFields: [
        { name: 'name', optional: false },
        { name: 'email', optional: false },
        { name: 'address', type: 'object', properties: addressFields },
      ],
      outputFields: ({ objectDefinitions }) => objectDefinitions.customer,
      execute: ({ input, http }) =>
        http
          .post<{ customer: Customer }>(CUSTOMERS, { customer: input })
          .afterResponse(({ body }) => body.customer),
      sampleOutput: sampleCustomer,
    },
  },

  triggers: {
    new_customer: {
      title: 'New customer',
      description: 'Each new customer, the oldest first.',
      inputFields: [createdSinceField],
      outputFields: ({ objectDefinitions }) => objectDefinitions.customer,
      poll: async ({ input, closure, http }) => {
        const since = toTimestamp(closure, toTimestamp(input.created_since, FAR_PAST));
        const { customers } = await http.get<{ customers: Customer[] }>(CUSTOMERS, {
          created_since: since,
          order: 'asc',
          limit: PAGE_SIZE,
        });
        return ascendingPage(customers, since);
      },
      dedup: (customer) => String(customer.id),
      sampleOutput: sampleCustomer,
    },
    new_customer_descending: {
      type: 'paging_desc',
      title: 'New customer (newest-first listing)',
      description: 'Each new customer, read from the newest-first listing, emitted the oldest first.',
      inputFields: [createdSinceField],
      outputFields: ({ objectDefinitions }) => objectDefinitions.customer,
      poll: async ({ input, closure, http }) => {
        const params: Record<string, unknown> = {
          created_since: toTimestamp(input.created_since, FAR_PAST),
          order: 'desc',
          limit: PAGE_SIZE,
        };
        if (typeof closure === 'string') params.created_before = closure;
        const { customers } = await http.get<{ customers: Customer[] }>(CUSTOMERS, params);
        return descendingPage(customers);
      },
      documentId: (customer) => customer.id,
      sortBy: (customer) => customer.created_at,
      sampleOutput: sampleCustomer,
    },
  },

  pickLists: {
    countries: () => COUNTRIES,
  },

  methods: {
    format_address: ({ args }) => {
      const [address] = args as [Partial<Customer['address']> | undefined];
      if (address === undefined || address === null) return '';
      const cityLine = [address.city, [address.state, address.zip].filter(Boolean).join(' ')]
        .filter(Boolean)
        .join(', ');
      return [address.street, cityLine, address.country].filter(Boolean).join('\n');
    },
  },

  objectDefinitions: {
    customer: { fields: customerFields },
  },
});
// #endregion connector
