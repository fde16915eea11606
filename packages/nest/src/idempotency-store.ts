import type { IdempotencyStore as CoreIdempotencyStore } from '@idempo/core';

/**
 * The store the module uses (`options.store`): `MemoryStore` from `@idempo/core`, `RedisStore` from
 * `@idempo/store-redis`, `PostgresStore` from `@idempo/store-postgres`, or your own implementation.
 */
export type IdempotencyStore = CoreIdempotencyStore;

/**
 * Injection token of the module's store, named like its type:
 * `constructor(@Inject(IdempotencyStore) private readonly store: IdempotencyStore) {}`. The module never closes
 * the store: close it yourself on shutdown (e.g. in `onApplicationShutdown`).
 */
export const IdempotencyStore: unique symbol = Symbol('IdempotencyStore');
