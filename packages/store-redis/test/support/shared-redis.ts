/** The shared Redis every machine runs (127.0.0.1:6379, `REDIS_URL` overrides). Never flushed, never stopped. */
import { randomBytes } from 'node:crypto';
import type { AnyCluster, AnyRedis } from './ioredis-versions.js';

/** The URL of the shared server. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** The port of the shared server: the helpers refuse to stop it. */
export const SHARED_PORT = Number(new URL(REDIS_URL).port || 6379);

/** A prefix no other run uses, so that runs in parallel on the shared server never meet. */
export function runPrefix(label: string): string {
  return `idempo-test:${label}:${Date.now().toString(36)}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN, never FLUSH); returns how many were deleted. */
export async function deleteKeys(client: AnyRedis | AnyCluster, prefix: string): Promise<number> {
  const masters = 'nodes' in client && typeof client.nodes === 'function' ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of masters as AnyRedis[]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) deleted += await node.del(key);
    } while (cursor !== '0');
  }
  return deleted;
}
