/**
 * RedisStores on the shared Redis (REDIS_URL, default 127.0.0.1:6379), each under a key prefix of its own, so
 * that a test's stats count only its own records; `cleanup` deletes every key under the prefixes it made (SCAN,
 * never FLUSH).
 */
import { randomBytes } from 'node:crypto';
import { RedisStore } from '@idempo/store-redis';
import { Redis } from 'ioredis';

/** The Redis server of the tests. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A store under a fresh prefix, and the prefix. */
export interface RedisNamespace {
  readonly store: RedisStore;
  readonly prefix: string;
}

/** Opens one client; `namespace()` gives a store under a new prefix; `cleanup()` deletes them and quits. */
export function redisNamespaces(label: string) {
  const client = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const prefixes: string[] = [];
  return {
    client,
    namespace(): RedisNamespace {
      const prefix = `idempo-cli-test:${label}:${randomBytes(6).toString('hex')}:`;
      prefixes.push(prefix);
      return { store: new RedisStore({ client, prefix }), prefix };
    },
    async cleanup(): Promise<void> {
      for (const prefix of prefixes) {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await client.unlink(...keys);
        } while (cursor !== '0');
      }
      await client.quit();
    },
  };
}
