/**
 * A fetch that records every attempt idempotentFetch makes: the key it carried and what came back. It is the real
 * fetch over real HTTP (or the one the test wraps), only watched, so that a test can see the 409s and 503s the client swallows.
 */

/** One attempt as it went over the wire. */
export interface RecordedAttempt {
  /** The `Idempotency-Key` header as sent. */
  readonly key: string | null;
  /** `performance.now()` when it was sent. */
  readonly sentAt: number;
  /** `performance.now()` when the answer's head (or the error) came. */
  readonly answeredAt: number;
  /** The status, or `undefined` for a network error. */
  readonly status: number | undefined;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
}

/** The fetch to pass as `options.fetch`, and what it saw. */
export interface RecordingFetch {
  readonly fetch: typeof globalThis.fetch;
  readonly attempts: RecordedAttempt[];
}

/** Records the attempts made through `inner` (default `globalThis.fetch`). */
export function recordingFetch(inner: typeof globalThis.fetch = globalThis.fetch): RecordingFetch {
  const attempts: RecordedAttempt[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const seen = { key: request.headers.get('idempotency-key'), sentAt: performance.now() };
    try {
      const response = await inner(request);
      attempts.push({
        ...seen,
        answeredAt: performance.now(),
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        contentType: response.headers.get('content-type'),
      });
      return response;
    } catch (error) {
      attempts.push({
        ...seen,
        answeredAt: performance.now(),
        status: undefined,
        retryAfter: null,
        contentType: null,
      });
      throw error;
    }
  };
  return { fetch, attempts };
}
