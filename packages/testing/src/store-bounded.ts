import type { IdempotencyStore } from '@idempo/core';
import { type ReserveResult, withStoreTimeout } from '@idempo/core/store';

/**
 * The calls of a store as core's engine makes them (see {@link boundStore}), and what they left behind.
 */
export interface BoundedStore {
  reserve(key: string, fingerprint: string, leaseMs: number, ttlMs: number): Promise<ReserveResult>;
  complete(key: string, token: string, response: Uint8Array, ttlMs: number): Promise<boolean>;
  release(key: string, token: string): Promise<boolean>;
  extend(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** The releases of the reservations that landed after their deadline, in order; each settles `true` or `false`. */
  readonly lateReleases: readonly Promise<boolean>[];
}

/**
 * `store` called the way core's engine calls it with `storeTimeoutMs: timeoutMs`: each `reserve`, `complete`,
 * `release` and `extend` bounded by core's `withStoreTimeout` (past `timeoutMs` it rejects with
 * `StoreTimeoutError`), its deadline (`Date.now() + timeoutMs`) passed on as `{ deadline }`, and a reservation
 * that lands after its deadline given back by a release bounded the same way. For a store's own tests of its
 * behaviour under core's bound (faults, slow servers) without an adapter or an engine.
 */
export function boundStore(store: IdempotencyStore, timeoutMs: number): BoundedStore {
  const lateReleases: Promise<boolean>[] = [];
  const bounded = <T>(
    operation: string,
    call: (deadline: number) => Promise<T>,
    onLate?: (late: T) => void,
  ) => {
    const deadline = Date.now() + timeoutMs;
    return withStoreTimeout(`store ${operation}`, () => call(deadline), timeoutMs, onLate);
  };
  const release = (key: string, token: string) =>
    bounded('release', (deadline) => store.release(key, token, { deadline }));
  return {
    lateReleases,
    reserve: (key, fingerprint, leaseMs, ttlMs) =>
      bounded(
        'reserve',
        (deadline) => store.reserve(key, fingerprint, leaseMs, ttlMs, { deadline }),
        (late) => {
          if (late.kind === 'reserved') lateReleases.push(release(key, late.token).catch(() => false));
        },
      ),
    complete: (key, token, response, ttlMs) =>
      bounded('complete', (deadline) => store.complete(key, token, response, ttlMs, { deadline })),
    release,
    extend: (key, token, leaseMs) =>
      bounded('extend', (deadline) => store.extend(key, token, leaseMs, { deadline })),
  };
}
