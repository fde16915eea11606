/**
 * RedisStore against the Redis at `REDIS_URL` (default redis://127.0.0.1:6379), with its floor: two PINGs on the
 * same client, the round trips one reserve + complete cannot avoid. Each repetition gets its own client and a
 * fresh key prefix, and deletes its keys afterwards.
 */
import type { IdempotencyStore } from '@idempo/core';
import { RedisStore } from '@idempo/store-redis';
import { Redis } from 'ioredis';
import { closingAlso, type StoreTarget } from './store-target.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function connect(): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
}

async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

/** The Redis target. */
export const redisTarget: StoreTarget = {
  name: 'redis',
  async available() {
    const client = connect();
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  },
  async makeStore(): Promise<IdempotencyStore> {
    const client = connect();
    await client.connect();
    const prefix = `idempo-bench:${crypto.randomUUID()}:`;
    const store = new RedisStore({ client, prefix });
    return closingAlso(store, async () => {
      await deleteByPrefix(client, prefix);
      client.disconnect();
    });
  },
  floor: {
    description: '2x PING',
    async open() {
      const client = connect();
      await client.connect();
      return {
        async run() {
          await client.ping();
          await client.ping();
        },
        async close() {
          client.disconnect();
        },
      };
    },
  },
};
