/** Opens a RedisStore for one command: one connection, no reconnection, closed when the command is done. */
import { StoreTimeoutError } from '@idempo/core';
import { withStoreTimeout } from '@idempo/core/store';
import { RedisStore } from '@idempo/store-redis';
import { Redis } from 'ioredis';
import { describeTarget } from './describe-target.js';
import { maskUrl } from './mask-url.js';
import type { OpenedStore, RedisTarget } from './store-target.js';

/**
 * Connects to the server of `target` (bounded by its `timeoutMs`) and makes the store over it. A failure rejects
 * with the driver's error, the connection closed.
 */
export async function openRedis(target: RedisTarget): Promise<OpenedStore> {
  const client = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: target.timeoutMs,
    // One attempt: a CLI reports the failure instead of retrying in the background.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // A socket that does not close when asked (a server that went silent) is destroyed after this, not 2 s.
    disconnectTimeout: 100,
  });
  // connect() rejects with a bare "Connection is closed": the cause (ECONNREFUSED, ...) comes as an 'error'
  // event, kept to be reported instead. Unheard, ioredis would also print it.
  let failure: unknown;
  client.on('error', (error: unknown) => {
    failure ??= error;
  });
  try {
    await withStoreTimeout(`connecting to ${maskUrl(target.url)}`, () => client.connect(), target.timeoutMs);
  } catch (error) {
    // Disconnecting a client that has ended already would leave a 2 s timer behind it.
    if (client.status !== 'end') client.disconnect();
    throw error instanceof StoreTimeoutError || failure === undefined ? error : failure;
  }
  const store = new RedisStore({ client, prefix: target.prefix, timeoutMs: target.timeoutMs });
  return {
    store,
    description: describeTarget(target),
    locate: (storageKey) => `Redis key ${store.redisKey(storageKey)}`,
    async close() {
      await store.close();
      // Every command has been answered: closing the socket at once loses nothing and cannot hang.
      client.disconnect();
    },
  };
}
