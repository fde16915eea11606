import type { IdempotencyStore } from '@idempo/core';

/**
 * A store whose every operation rejects, as a store that is down does: for the store-error cases (BEHAVIOUR
 * H48) of an adapter's own tests. `close()` resolves.
 */
export function createFailingStore(message = 'the store is down (createFailingStore)'): IdempotencyStore {
  const fail = () => Promise.reject(new Error(message));
  return { reserve: fail, complete: fail, release: fail, extend: fail, close: () => Promise.resolve() };
}
