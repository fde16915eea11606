/**
 * `@idempo/client`: the client side of `Idempotency-Key`. One key per logical request, the same key on every
 * retry, retries only where they are safe and useful, and replays made visible.
 *
 * @packageDocumentation
 */
export { backoffMs, retryAfterMs } from './delay.js';
export { IdempotentFetchError } from './fetch-error.js';
export { type IdempotentResponse, idempotentFetch } from './idempotent-fetch.js';
export { formatIdempotencyKey, newIdempotencyKey } from './key.js';
export { type IdempotentFetchOptions, NEVER_RETRIED, type RetryInfo } from './options.js';
