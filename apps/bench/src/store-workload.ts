/**
 * The store operation: `reserve(new key)` then `complete(key, token, 200-byte response)`, the two calls every
 * first request makes, with the engine's default lease and retention.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '@idempo/core';
import type { StoreTarget } from './store-target.js';
import { uniqueKeys } from './unique-keys.js';
import type { WorkloadFactory } from './workload.js';

const FINGERPRINT = randomBytes(32).toString('base64url');
const RESPONSE = new Uint8Array(randomBytes(200));

/** Reserve + complete on new keys against a fresh store of `target`. */
export function storeWorkload(target: StoreTarget): WorkloadFactory {
  return async () => {
    const store = await target.makeStore();
    const keyOf = uniqueKeys();
    return {
      async run(index) {
        const key = keyOf(index);
        const reserved = await store.reserve(key, FINGERPRINT, DEFAULTS.leaseMs, DEFAULTS.ttlMs);
        if (reserved.kind !== 'reserved') throw new Error(`${target.name}: a new key was not reserved`);
        const completed = await store.complete(key, reserved.token, RESPONSE, DEFAULTS.ttlMs);
        if (!completed) throw new Error(`${target.name}: complete was refused for a held key`);
      },
      async close() {
        await store.close?.();
      },
    };
  };
}
