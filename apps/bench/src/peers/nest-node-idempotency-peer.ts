/**
 * The @node-idempotency/nestjs peer (1.0.4) on the Nest (Express) peer group's app (nest-peer-app.ts), over its
 * memory or Redis storage adapter, set up as its README says: `NodeIdempotencyModule.forRootAsync({ storage })`
 * and `@Idempotent()` on the handler of `POST /orders` (GET /stats and POST /stats/reset are plain routes). It
 * needs no `rawBody`: it fingerprints the parsed body.
 *
 * The library's own classes carry their `design:paramtypes`, so Nest injects them.
 */
import { Idempotent, NodeIdempotencyModule, StorageAdapterEnum } from '@node-idempotency/nestjs';
import { startNestPeerApp } from './nest-peer-app.js';
import type { PeerStartOptions, RunningPeer } from './peer-types.js';
import { freshRedisPrefix, type RedisPrefixCleanup, removeRedisPrefix } from './redis-prefix.js';

/** Where node-idempotency keeps its records. */
export type NodeIdempotencyStorage = 'memory' | 'redis';

/** Starts the group's app with node-idempotency over `storage`. Redis: `REDIS_URL`, a fresh key prefix per start. */
export async function startNestNodeIdempotency(
  options: PeerStartOptions,
  storage: NodeIdempotencyStorage,
): Promise<RunningPeer> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = storage === 'redis' ? freshRedisPrefix() : undefined;
  const app = await startNestPeerApp(
    options.service,
    {
      imports: [
        NodeIdempotencyModule.forRootAsync({
          storage:
            storage === 'redis'
              ? { adapter: StorageAdapterEnum.redis, options: { url } }
              : { adapter: StorageAdapterEnum.memory },
          ...(prefix === undefined ? {} : { cacheKeyPrefix: prefix }),
        }),
      ],
      decorateKeyed: Idempotent(),
    },
    options,
  );
  const cleanup: RedisPrefixCleanup | undefined =
    prefix === undefined ? undefined : { url, pattern: `${prefix}:*` };
  return {
    port: app.port,
    description:
      storage === 'redis'
        ? `nest 12 (peer app) + @node-idempotency/nestjs 1.0.4 over redis ${url} prefix ${prefix}`
        : 'nest 12 (peer app) + @node-idempotency/nestjs 1.0.4 over memory (its in-process Map)',
    async close() {
      // Closing the app destroys the module, which disconnects the storage adapter's client.
      await app.close();
      if (cleanup) await removeRedisPrefix(cleanup);
    },
  };
}
