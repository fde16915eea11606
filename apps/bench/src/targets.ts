/** The stores benchmarked, in order. Networked stores come with their floor. */
import { MemoryStore } from '@idempo/core';
import { postgresTarget } from './postgres-target.js';
import { redisNodeTarget } from './redis-node-target.js';
import { redisTarget } from './redis-target.js';
import type { StoreTarget } from './store-target.js';

/**
 * Limits far above what a repetition can fill (a few million records), so that MemoryStore never evicts during a
 * measurement: eviction would measure the evictor, not the store.
 */
const NO_EVICTION = { maxEntries: 100_000_000, maxBytes: 64 * 1024 ** 3 } as const;

/** Every store target. */
export const STORE_TARGETS: readonly StoreTarget[] = [
  {
    name: 'memory',
    makeStore: async () => new MemoryStore(NO_EVICTION),
  },
  redisTarget,
  redisNodeTarget,
  postgresTarget,
];
