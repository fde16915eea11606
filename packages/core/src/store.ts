/**
 * The store contract (docs/design.md "The store contract"). A store does the atomic part and nothing else: it never
 * sees HTTP, never decides policy, and persists the response as the opaque bytes core gives it.
 */

/** What {@link IdempotencyStore.reserve} found. */
export type ReserveResult =
  /** No live record existed: one was created in flight, owned by `token`. */
  | { readonly kind: 'reserved'; readonly token: string }
  /** A live record exists and is still being processed by its holder. */
  | { readonly kind: 'existing'; readonly state: 'in-flight'; readonly fingerprint: string }
  /** A live record exists with its stored response. */
  | {
      readonly kind: 'existing';
      readonly state: 'completed';
      readonly fingerprint: string;
      readonly response: Uint8Array;
    };

/**
 * What an operator may see of one record ({@link IdempotencyStore.get}): everything but the holder's token, so
 * that nothing read for support can complete, release or extend the record.
 */
export interface StoredRecord {
  /** `'in-flight'` while a handler runs (or ran and crashed), `'completed'` once its response is stored. */
  readonly state: 'in-flight' | 'completed';
  /** The fingerprint of the request that reserved the key: a retry with another one gets 422. */
  readonly fingerprint: string;
  /**
   * When the current holder reserved the key (a takeover starts a new record, so a new instant). `undefined`
   * for a record written by a version of the store that did not keep it.
   */
  readonly createdAt: Date | undefined;
  /**
   * In flight: when the holder's lease ends (its heartbeat moves it on). Once past, the holder is presumed dead
   * and the next `reserve` takes the key over. `undefined` once completed.
   */
  readonly leaseExpiresAt: Date | undefined;
  /** When the record's retention ends: from then on it is gone, whatever its state. */
  readonly expiresAt: Date;
  /** Completed: the stored response, as core encoded it (`decodeResponse` reads it). `undefined` in flight. */
  readonly response: Uint8Array | undefined;
}

/** Counts of the live records of one store ({@link IdempotencyStore.stats}); records past retention are not counted. */
export interface StoreStats {
  /** In-flight records whose lease still runs: a retry gets 409. */
  readonly inFlight: number;
  /** In-flight records whose lease has ended: their handler is presumed dead, the next retry takes them over. */
  readonly leaseExpired: number;
  /** Completed records: a retry gets the stored response. */
  readonly completed: number;
}

/** Options of {@link IdempotencyStore.delete}. */
export interface DeleteOptions {
  /** Delete an in-flight record whose lease still runs too. Default `false`: such a record is kept. */
  readonly force?: boolean | undefined;
}

/** What {@link IdempotencyStore.delete} did. */
export type DeleteResult = 'deleted' | 'in-flight' | 'not-found';

/**
 * The last argument of `reserve`, `complete`, `release` and `extend`: what the caller (core's engine) says about
 * this one call.
 *
 * Core owns the deadline of every call it makes: it arms the one timer (its `storeTimeoutMs`), answers its
 * caller with `StoreTimeoutError` when it fires, and releases a reservation that arrives after it.
 */
export interface StoreCallOptions {
  /**
   * When the caller stops waiting for this call, in epoch milliseconds (`Date.now()` time): `Date.now()` plus
   * core's `storeTimeoutMs`, computed once when core made the call. `undefined` (the default, as when a test or a
   * tool calls the store directly): the caller bounds the call itself, if at all.
   *
   * A store MAY use it to bound work on its side that would otherwise outlive its caller: a server-side limit
   * (MongoDB `maxTimeMS`, a PostgreSQL `lock_timeout`), the wait for a connection being opened, a pooled
   * connection obtained too late (handed back, nothing sent), a call not worth sending because the deadline has
   * passed (`StoreTimeoutError`, nothing sent). `remainingMs` and `checkDeadline` in `@idempo/core/store` read it.
   *
   * A store MUST NOT arm a timer of its own to reject the call at the deadline, nor release a reservation that
   * arrives after it: core does both, once. A call whose deadline has passed still resolves or rejects as it
   * would have: core drops a late failure and gives a late reservation back.
   */
  readonly deadline?: number | undefined;
}

/**
 * A store of idempotency records. Implementations must guarantee, across processes and machines:
 *
 * - exactly one concurrent caller of `reserve` for a key gets `reserved`;
 * - an in-flight record whose lease has expired, and any record past its retention, is taken over atomically by
 *   the next `reserve` with a NEW token; expiry is decided when the record is read, never left to a reaper alone;
 * - `complete`, `release` and `extend` write only while the record carries the caller's token (fencing), and
 *   then return `true`; otherwise they write nothing and return `false`. They are fenced by token, not by time:
 *   a holder whose lease has expired but whom nobody has taken over still holds the record (while it lives);
 * - an in-flight record lives at least as long as its lease: `reserve` keeps it `max(leaseMs, ttlMs)`, and
 *   `extend` moves its end to at least the new lease's end, never earlier;
 * - the response bytes come back exactly as written.
 *
 * Errors (connection lost, timeouts) are thrown; core maps them to its store-error policy. Core bounds every
 * `reserve`, `complete`, `release` and `extend` it makes and passes that bound on as
 * {@link StoreCallOptions.deadline}; a store arms no timer of its own for them. The conformance suite
 * `storeSuite` in `@idempo/testing` checks all of this.
 */
export interface IdempotencyStore {
  /**
   * Atomically reserves `key` for `fingerprint` with a lease of `leaseMs`. The in-flight record is kept for
   * `ttlMs`, and never less than its lease (`max(leaseMs, ttlMs)`): a record must outlive the lease that holds
   * it. Returns the existing record, unchanged, when a live one exists.
   */
  reserve(
    key: string,
    fingerprint: string,
    leaseMs: number,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<ReserveResult>;
  /**
   * Stores the response and marks the record completed for `ttlMs` from now. `false`: stale token, nothing
   * written.
   *
   * `response` is handed over: its caller never reads or writes the buffer after the call, so a store may keep it
   * as it is, without copying. Core encodes a fresh buffer for every call; a caller outside core (a test, a tool)
   * that would change a buffer it passed must pass a copy.
   */
  complete(
    key: string,
    token: string,
    response: Uint8Array,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean>;
  /** Deletes the in-flight record so that a retry may run. `false`: stale token, nothing written. */
  release(key: string, token: string, options?: StoreCallOptions): Promise<boolean>;
  /**
   * Extends the lease to `leaseMs` from now (the heartbeat), and whatever keeps the record alive (its retention,
   * a key's expiry, a TTL index's field) to at least the same instant, never shortening it: an in-flight record
   * lives as long as its lease is held, whatever `ttlMs` it was reserved with. `false`: stale token, nothing
   * written.
   */
  extend(key: string, token: string, leaseMs: number, options?: StoreCallOptions): Promise<boolean>;
  /**
   * Operations: the record of `key` as it is now, or `undefined` when there is none or its retention has ended.
   * Reads only: it never takes a record over, extends or drops one, whatever it finds. Optional for stores of
   * other authors; every idempo store has it, and `storeSuite` checks it unless told the store has none.
   */
  get?(key: string): Promise<StoredRecord | undefined>;
  /**
   * Operations: deletes the record of `key` so that the next request with the key runs afresh, deciding and
   * deleting atomically, by the store's clock:
   *
   * - `'deleted'`: a live record was deleted (completed, or in flight with its lease ended, or with `force`);
   * - `'in-flight'`: nothing deleted, the record is in flight and its lease still runs: its handler may be
   *   running, and deleting it would let a retry run the request a second time beside it. Pass `force` only when
   *   that handler is known to be dead: the holder then loses its record (its `complete`, `release` and `extend`
   *   return `false`; its response is sent but not stored);
   * - `'not-found'`: no live record (a record past its retention may be removed all the same).
   */
  delete?(key: string, options?: DeleteOptions): Promise<DeleteResult>;
  /** Operations: counts of the live records, by state. May read every record: a tool for operators, not a hot path. */
  stats?(): Promise<StoreStats>;
  /** Frees what the store holds. Stores over a client the user passed in leave that client open. */
  close?(): Promise<void>;
}
