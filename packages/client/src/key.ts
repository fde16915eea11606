/** Keys: a fresh random one per logical request, sent as an RFC 8941 sf-string. */

/** A new random key (a UUID v4 from `crypto.randomUUID`). Make one per logical request, reuse it for its retries. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The header value for `key`: a quoted sf-string (draft-ietf-httpapi-idempotency-key-header §2.1), `"` and `\`
 * escaped. Throws a `RangeError` for a key a server would refuse: empty, or not printable ASCII.
 */
export function formatIdempotencyKey(key: string): string {
  if (key.length === 0 || !/^[\x20-\x7e]+$/.test(key)) {
    throw new RangeError('an Idempotency-Key must be 1 or more printable ASCII characters');
  }
  return `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
