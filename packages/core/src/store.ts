/**
 * The store contract (DESIGN.md "The store contract"). A store does the atomic part and nothing else: it never
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
 * A store of idempotency records. Implementations must guarantee, across processes and machines:
 *
 * - exactly one concurrent caller of `reserve` for a key gets `reserved`;
 * - an in-flight record whose lease has expired, and any record past its retention, is taken over atomically by
 *   the next `reserve` with a NEW token; expiry is decided when the record is read, never left to a reaper alone;
 * - `complete`, `release` and `extend` write only while the record carries the caller's token (fencing), and
 *   then return `true`; otherwise they write nothing and return `false`. A holder whose lease has expired but
 *   whom nobody has taken over still holds the record;
 * - the response bytes come back exactly as written.
 *
 * Errors (connection lost, timeouts) are thrown; core maps them to its store-error policy. The conformance suite
 * `storeSuite` in `@idempo/testing` checks all of this.
 */
export interface IdempotencyStore {
  /**
   * Atomically reserves `key` for `fingerprint` with a lease of `leaseMs`; the record is kept at most `ttlMs`.
   * Returns the existing record, unchanged, when a live one exists.
   */
  reserve(key: string, fingerprint: string, leaseMs: number, ttlMs: number): Promise<ReserveResult>;
  /** Stores the response and marks the record completed for `ttlMs` from now. `false`: stale token, nothing written. */
  complete(key: string, token: string, response: Uint8Array, ttlMs: number): Promise<boolean>;
  /** Deletes the in-flight record so that a retry may run. `false`: stale token, nothing written. */
  release(key: string, token: string): Promise<boolean>;
  /** Extends the lease to `leaseMs` from now (the heartbeat). `false`: stale token, nothing written. */
  extend(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Frees what the store holds. Stores over a client the user passed in leave that client open. */
  close?(): Promise<void>;
}
