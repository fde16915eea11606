/**
 * RedisStore over node-redis (`redis` 5) against the Redis at `REDIS_URL` (default redis://127.0.0.1:6379), with
 * its floor: two PINGs on the same client. node-redis writes the commands of one tick together, so at 64 in
 * flight its floor is nearly free: docs/benchmarks.md "Store micro-benchmarks" reads the store against the
 * ioredis floor as well. Each repetition gets its own client and a fresh key prefix, and deletes its keys
 * afterwards.
 */
import type { IdempotencyStore } from '@idempo/core';
import { RedisStore } from '@idempo/store-redis';
import { createClient } from 'redis';
import { closingAlso, type StoreTarget } from './store-target.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

type NodeRedis = ReturnType<typeof createClient>;

async function connect(): Promise<NodeRedis> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function deleteByPrefix(client: NodeRedis, prefix: string): Promise<void> {
  const batch: string[] = [];
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    batch.push(...(keys as unknown as string[]));
  }
  if (batch.length > 0) await client.unlink(batch);
}

/** The node-redis target. */
export const redisNodeTarget: StoreTarget = {
  name: 'redis-node',
  async available() {
    try {
      const client = await connect();
      const pong = await client.ping();
      await client.close();
      return pong === 'PONG';
    } catch {
      return false;
    }
  },
  async makeStore(): Promise<IdempotencyStore> {
    const client = await connect();
    const prefix = `idempo-bench:${crypto.randomUUID()}:`;
    const store = new RedisStore({ client, prefix });
    return closingAlso(store, async () => {
      await deleteByPrefix(client, prefix);
      await client.close();
    });
  },
  floor: {
    description: '2x PING (node-redis)',
    async open() {
      const client = await connect();
      return {
        async run() {
          await client.ping();
          await client.ping();
        },
        async close() {
          await client.close();
        },
      };
    },
  },
};
