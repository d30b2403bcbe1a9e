/**
 * The Redis of the limits tests: `SLUICE_TEST_REDIS_URL` (skipped without it), a fresh key prefix per
 * test, and the removal of that prefix's keys afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** Set by CI; without it the Redis tests report as skipped. */
export const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL;

/** A fresh prefix, so that tests never see each other's keys. */
export function testPrefix(): string {
  return `sluice-test-limits-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
