import type { IdempotencyStore } from '@idempo/core';

/**
 * Makes the store under test. {@link storeSuite} calls it once before the cases run (the cases share that
 * store and close it after the last one) and once more for the `close()` case, so it must return a new
 * store on each call. The store may share a client or a database with other runs: the suite writes only keys
 * under a random prefix of its own. The `stats()` case counts every record of the second store, so with
 * operations on, each call must give a store with a namespace of its own (a fresh key prefix, table or collection).
 */
export type StoreFactory = () => IdempotencyStore | Promise<IdempotencyStore>;

/** Options of {@link storeSuite}. */
export interface StoreSuiteOptions {
  /**
   * Multiplies every lease, retention and wait of the timing cases, and the test timeouts. Use a value above 1
   * for a store whose clock or expiry is coarse (for example a database that keeps times in whole seconds).
   * Default `1`: leases of 100 to 200 ms, waits with at least 100 ms of margin.
   */
  readonly timeScale?: number | undefined;
  /** Callers racing for one key in the race cases. Default `100`; at least `2`. */
  readonly raceSize?: number | undefined;
  /**
   * Whether the store has the operations `get`, `delete` and `stats` and the suite checks them. Default `true`:
   * every idempo store has them; `false` for a store of your own that does not (they are optional in the contract).
   */
  readonly operations?: boolean | undefined;
  /** The first part of every key the suite writes, before a random per-run part. Default `'idempo-suite'`. */
  readonly keyPrefix?: string | undefined;
}
