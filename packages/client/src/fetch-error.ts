/** The error `idempotentFetch` rejects with when its attempts ran out on network errors. */

/**
 * Every attempt failed before an answer came (refused, reset, DNS, TLS, a per-attempt timeout) and `maxAttempts`
 * ran out. The key is still good: the server ran the request at most once under it, so keep `idempotencyKey` with
 * the operation and send it again later (docs/client.md "What is retried, and what is not"). The last network
 * error is the `cause`. An abort of `init.signal` is not this error: it rejects with the signal's reason.
 */
export class IdempotentFetchError extends Error {
  /** The key every attempt carried. */
  readonly idempotencyKey: string;
  /** Attempts made, the first included. */
  readonly attempts: number;

  constructor(idempotencyKey: string, attempts: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `idempotentFetch gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} with key ${JSON.stringify(idempotencyKey)}: ${why}`,
      { cause },
    );
    this.name = 'IdempotentFetchError';
    this.idempotencyKey = idempotencyKey;
    this.attempts = attempts;
  }
}
