/**
 * `idempotentFetch`: fetch with one `Idempotency-Key` for every attempt of one logical request, safe retries, and
 * the replay made visible. Web-standard APIs only: browsers, Node >= 20, Bun, Deno, Workers.
 */
import { backoffMs, retryAfterMs, sleep } from './delay.js';
import { IdempotentFetchError } from './fetch-error.js';
import { formatIdempotencyKey, newIdempotencyKey } from './key.js';
import { type IdempotentFetchOptions, type ResolvedFetchOptions, resolveFetchOptions } from './options.js';

/** The final answer, with what the retries learned. */
export type IdempotentResponse = Response & {
  /** The key every attempt carried. */
  readonly idempotencyKey: string;
  /** True when the server answered with a stored response (`Idempotent-Replayed: true`). */
  readonly replayed: boolean;
  /** Attempts made, the first included. */
  readonly attempts: number;
};

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError');
}

/** The body as something every attempt can send again: streams are read once, up front. */
async function replayableBody(request: Request): Promise<ArrayBuffer | null> {
  if (request.body === null) return null;
  return request.arrayBuffer();
}

function decorate(response: Response, options: ResolvedFetchOptions, attempts: number): IdempotentResponse {
  const replayed = response.headers.get(options.replayHeader)?.trim().toLowerCase() === 'true';
  return Object.defineProperties(response, {
    idempotencyKey: { value: options.key, enumerable: true },
    replayed: { value: replayed, enumerable: true },
    attempts: { value: attempts, enumerable: true },
  }) as IdempotentResponse;
}

/**
 * Sends the request with an `Idempotency-Key` and retries it, with the SAME key, after a network error, a 409
 * (the first attempt is still running; `Retry-After` honoured), or a status in `retryStatuses` (default 429, 502,
 * 503, 504), with exponential backoff and full jitter, up to `maxAttempts`. A 400 or 422 is never retried: the
 * request itself is wrong. Aborting `init.signal` stops at once (the call rejects with the signal's reason). Resolves
 * with the last response (check `ok`), or rejects with an {@link IdempotentFetchError} that carries the key, the
 * attempts and the last network error as its `cause`.
 *
 * @example
 * ```ts
 * const res = await idempotentFetch('https://api.example/payments', {
 *   method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payment),
 * });
 * if (res.replayed) console.log('already done earlier; this is the stored answer');
 * ```
 */
export async function idempotentFetch(
  input: RequestInfo | URL,
  init: RequestInit = {},
  options: IdempotentFetchOptions = {},
): Promise<IdempotentResponse> {
  const resolved = resolveFetchOptions(options, options.key ?? newIdempotencyKey());
  const base = new Request(input, init);
  const headers = new Headers(base.headers);
  headers.set(resolved.headerName, formatIdempotencyKey(resolved.key));
  const body = await replayableBody(base);
  const signal = base.signal;
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      // A fresh Request per attempt keeps everything of the caller's (mode, credentials, redirect, ...).
      response = await resolved.fetch(
        body === null ? new Request(base, { headers }) : new Request(base, { headers, body }),
      );
    } catch (error) {
      if (isAbort(error, signal)) throw error;
      if (attempt >= resolved.maxAttempts) throw new IdempotentFetchError(resolved.key, attempt, error);
      const delayMs = backoffMs(attempt, resolved.baseDelayMs, resolved.maxDelayMs, resolved.random);
      resolved.onRetry?.({ attempt: attempt + 1, delayMs, reason: { error } });
      await sleep(delayMs, signal);
      continue;
    }
    if (!resolved.retryStatuses.has(response.status) || attempt >= resolved.maxAttempts) {
      return decorate(response, resolved, attempt);
    }
    const told = retryAfterMs(response.headers.get('retry-after'));
    const delayMs = Math.min(
      resolved.maxDelayMs,
      told ?? backoffMs(attempt, resolved.baseDelayMs, resolved.maxDelayMs, resolved.random),
    );
    await response.body?.cancel().catch(() => undefined);
    resolved.onRetry?.({ attempt: attempt + 1, delayMs, reason: { status: response.status } });
    await sleep(delayMs, signal);
  }
}
