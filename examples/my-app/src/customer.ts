/**
 * The customer record of the my-app API, and a deterministic seed generator.
 *
 * @module
 */

/** A postal address, every part a string (empty when unknown). */
export interface Address {
  street: string;
  city: string;
  state: string;
  zip: string;
  country: string;
}

/** A customer as the API returns it. Timestamps are ISO 8601 UTC with seconds precision. */
export interface Customer {
  id: number;
  name: string;
  email: string;
  address: Address;
  created_at: string;
  updated_at: string;
}

/** When the seed data begins: the first customer's `created_at`. */
export const SEED_EPOCH = '2017-01-01T12:00:00Z';

/**
 * Tie-group sizes of the seed, cycled: customers in one group share `created_at`. With groups of
 * 1, 2 and 3, ties straddle page boundaries (ids 100/101 and 200/201 ascending, 50/51 descending of 250).
 */
const TIE_GROUP_SIZES = [1, 2, 3] as const;
/** Seconds between two consecutive tie groups (about an hour, so timestamps look real). */
const GROUP_SPACING_SECONDS = 3_671;

const FIRST_NAMES = [
  'John',
  'Maria',
  'Wei',
  'Aisha',
  'Lucas',
  'Sofia',
  'Kenji',
  'Olga',
  'Diego',
  'Fatima',
  'Liam',
];
const LAST_NAMES = [
  'Smith',
  'Garcia',
  'Chen',
  'Okafor',
  'Müller',
  'Rossi',
  'Tanaka',
  'Ivanova',
  'Silva',
  'Khan',
];
const STREETS = ['Main St', 'Oak Ave', 'Pine Rd', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Lake Blvd'];
const PLACES: readonly (readonly [city: string, state: string, country: string])[] = [
  ['Anytown', 'CA', 'USA'],
  ['Springfield', 'IL', 'USA'],
  ['Toronto', 'ON', 'CAN'],
  ['Berlin', 'BE', 'DEU'],
  ['Lyon', 'ARA', 'FRA'],
  ['Osaka', 'OS', 'JPN'],
  ['Austin', 'TX', 'USA'],
];

/** Formats a date as ISO 8601 UTC with seconds precision (`2017-01-02T12:34:56Z`). */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Picks `list[index % length]`; the lists above are never empty. */
function pick<T>(list: readonly T[], index: number): T {
  return list[index % list.length] as T;
}

/** The seconds after {@link SEED_EPOCH} of the 0-based `index`-th seeded customer. */
function seedOffsetSeconds(index: number): number {
  const cycle = TIE_GROUP_SIZES.reduce((sum, size) => sum + size, 0);
  let group = Math.floor(index / cycle) * TIE_GROUP_SIZES.length;
  let rest = index % cycle;
  for (const size of TIE_GROUP_SIZES) {
    if (rest < size) break;
    rest -= size;
    group += 1;
  }
  return group * GROUP_SPACING_SECONDS;
}

/**
 * Builds `count` customers with ids `1..count`, in creation order. Deterministic: the same count gives
 * the same records. Several customers share a `created_at` (see the tie groups above).
 */
export function seedCustomers(count: number): Customer[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`seedCount must be a non-negative integer, got ${String(count)}`);
  }
  const epoch = Date.parse(SEED_EPOCH);
  const customers: Customer[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = index + 1;
    const first = pick(FIRST_NAMES, index);
    const last = pick(LAST_NAMES, Math.floor(index / FIRST_NAMES.length) + index);
    const [city, state, country] = pick(PLACES, index * 3);
    const createdAt = formatTimestamp(new Date(epoch + seedOffsetSeconds(index) * 1000));
    customers.push({
      id,
      name: `${first} ${last}`,
      email: `${first}.${last}.${id}@example.com`
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase(),
      address: {
        street: `${100 + ((id * 37) % 900)} ${pick(STREETS, index)}`,
        city,
        state,
        zip: String(10_000 + ((id * 7_919) % 89_999)),
        country,
      },
      created_at: createdAt,
      updated_at: createdAt,
    });
  }
  return customers;
}
