/** A fresh Redis key prefix per peer start, and the removal of its keys when the peer closes. */
import { Redis } from 'ioredis';

/** Which keys to remove, on which server. */
export interface RedisPrefixCleanup {
  readonly url: string;
  /** A SCAN MATCH pattern. */
  readonly pattern: string;
}

/** A prefix no other start uses: `node-idempotency-bench-<16 hex>`. */
export function freshRedisPrefix(): string {
  return `node-idempotency-bench-${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** Removes every key matching `cleanup.pattern`, on a client of its own (the library's is closed by then). */
export async function removeRedisPrefix(cleanup: RedisPrefixCleanup): Promise<void> {
  const client = new Redis(cleanup.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', cleanup.pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}
