/** Events reported through the `onEvent` option, for logs, metrics and traces. */

/** The kinds of {@link IdempotencyEvent}. */
export type IdempotencyEventType =
  /** A new key was reserved; the handler runs. */
  | 'reserved'
  /** A stored response was replayed. */
  | 'replayed'
  /** A duplicate arrived while the first was running: 409. */
  | 'in-flight'
  /** The key was reused with another payload: 422. */
  | 'mismatch'
  /** The key was invalid (400). */
  | 'invalid-key'
  /** The route requires a key and none was sent (400). */
  | 'missing-key'
  /** A keyed request's body was over `maxRequestBodyBytes` (413). */
  | 'too-large'
  /** The adapter cannot see the body the handler consumes: the body function threw `UnreadableBodyError` (500). */
  | 'unreadable-body'
  /**
   * The raw body bytes could not be seen (a parser consumed them and kept no copy): the parsed body was
   * fingerprinted as canonical JSON instead. Reported once per engine.
   */
  | 'parsed-body'
  /** The `principal` function returned something other than a string, `null` or `undefined` (500). */
  | 'invalid-principal'
  /** A custom `fingerprint` function returned something other than a string (500). */
  | 'invalid-fingerprint'
  /** The handler's response was stored. */
  | 'committed'
  /** The key was released: the handler threw, the response was not to be stored, or was too large. */
  | 'released'
  /**
   * The holder's lease is lost, once per execution while its handler runs (reason `extend`: an extend answered
   * `false`; `expired`: the lease ran out without a renewal, the store failing or stalling; `max-execution`: it
   * ran out after the heartbeat stopped at `maxExecutionMs`), or its completion was fenced off (reason
   * `complete`: the response was not stored).
   */
  | 'lease-lost'
  /** A store call failed or timed out. */
  | 'store-error';

/** One event. Keys are identified by `keyHash` (the storage key), never by the client's key itself. */
export interface IdempotencyEvent {
  readonly type: IdempotencyEventType;
  readonly method: string;
  readonly path: string;
  /** The storage key: a digest of (scope, principal, key). Absent before a key is known. */
  readonly keyHash?: string | undefined;
  /** Milliseconds idempo spent on this step (for `committed`/`released`, the time the handler ran is excluded). */
  readonly durationMs: number;
  /** Milliseconds spent waiting for the store, when the step called it. */
  readonly storeMs?: number | undefined;
  /** Milliseconds from reservation to commit or release. */
  readonly handlerMs?: number | undefined;
  /** The response status stored or replayed, or the rejection's status. */
  readonly status?: number | undefined;
  /** Body bytes stored or replayed. */
  readonly bytes?: number | undefined;
  /**
   * Why. For `released`: `abandoned` (the handler threw or its answer cannot be stored), `not-persisted`,
   * `persist-threw`, `encode-failed`, `too-large`, `handler-threw` (the framework answered a thrown error with a
   * 5xx under `onHandlerError: 'store'`), or `late-reservation` (a reserve that answered after its
   * timeout, given back). For `lease-lost`: `extend`, `expired`, `max-execution` or `complete`. For
   * `store-error`: the operation (`reserve`, `extend`, `complete`, `release`).
   */
  readonly reason?: string | undefined;
  /**
   * The error: for `store-error`, the store's; for `released`, what the handler or `persist` threw, or why the
   * response could not be encoded; for `invalid-principal` and `invalid-fingerprint`, the answer's error.
   */
  readonly error?: unknown;
  /** For a `store-error` of a release: what the release was for (the handler's or `persist`'s error), if any. */
  readonly cause?: unknown;
}
