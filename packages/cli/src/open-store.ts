/** Opens the store a command names, loading only that store's driver. */
import type { OpenedStore, StoreTarget } from './store-target.js';

/**
 * Opens the store of `target`: connects (Redis, MongoDB) or makes a pool (PostgreSQL, which connects on the first
 * operation), each bounded by `target.timeoutMs`. Rejects with the driver's or the store's error. The caller
 * closes what it gets.
 */
export async function openStore(target: StoreTarget): Promise<OpenedStore> {
  switch (target.kind) {
    case 'redis':
      return (await import('./open-redis.js')).openRedis(target);
    case 'postgres':
      return (await import('./open-postgres.js')).openPostgres(target);
    case 'mongo':
      return (await import('./open-mongo.js')).openMongo(target);
  }
}
