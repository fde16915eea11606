import type { IdempotencyStore } from '@idempo/core';
import { sleep } from './sleep.js';

/**
 * Wraps a store so that `complete` answers `ms` later: a response sent before its commit has finished shows up
 * as a 409 to a client that retries at once, instead of the replay it should get.
 */
export function withSlowComplete(store: IdempotencyStore, ms: number): IdempotencyStore {
  return {
    reserve: (key, fingerprint, leaseMs, ttlMs) => store.reserve(key, fingerprint, leaseMs, ttlMs),
    complete: async (key, token, response, ttlMs) => {
      await sleep(ms);
      return store.complete(key, token, response, ttlMs);
    },
    release: (key, token) => store.release(key, token),
    extend: (key, token, leaseMs) => store.extend(key, token, leaseMs),
    close: async () => {
      await store.close?.();
    },
  };
}
