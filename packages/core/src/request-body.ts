/**
 * Reading a keyed request's body with a bound (`maxRequestBodyBytes`): adapters that read the bytes themselves
 * use {@link readBoundedBody}, so that a 200 MB upload costs at most the limit in memory and is answered 413
 * before anything is reserved.
 */
import { RequestTooLargeError } from './errors.js';

const encoder = new TextEncoder();

/** The error a body over `maxBytes` raises, with one wording for every adapter. */
export function requestTooLarge(maxBytes: number, declared?: number): RequestTooLargeError {
  const seen = declared === undefined ? 'more than that' : `${declared} bytes`;
  return new RequestTooLargeError(
    `the request body must be at most ${maxBytes} bytes for a request with an idempotency key (got ${seen}); ` +
      'raise maxRequestBodyBytes for this route if larger bodies are expected',
    maxBytes,
  );
}

/**
 * The declared `Content-Length` of a request, when it is one valid decimal number; `undefined` otherwise
 * (absent, several different values, or not a number: the framework's own parser judges those).
 */
export function declaredLength(value: string | readonly string[] | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const first = typeof value === 'string' ? value : value[0];
  if (first === undefined || !/^\d+$/.test(first.trim())) return undefined;
  const n = Number(first.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Reads `source` into one byte array, throwing {@link RequestTooLargeError} as soon as more than `maxBytes`
 * arrived (or at once when `declared` already says so). On overflow the rest of the stream is left unread and
 * the iterator is not closed, so the adapter chooses how to discard it (for a Node request: write the 413, then
 * `resume()` it).
 */
export async function readBoundedBody(
  source: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
  declared?: number,
): Promise<Uint8Array> {
  if (declared !== undefined && declared > maxBytes) throw requestTooLarge(maxBytes, declared);
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = typeof next.value === 'string' ? encoder.encode(next.value) : next.value;
    total += chunk.length;
    if (total > maxBytes) throw requestTooLarge(maxBytes);
    chunks.push(chunk);
  }
  return concatBytes(chunks, total);
}

/**
 * The chunks joined into one byte array (the chunk itself when there is one). `total` is their summed length,
 * when the caller already counted it.
 */
export function concatBytes(
  chunks: readonly Uint8Array[],
  total = chunks.reduce((n, chunk) => n + chunk.length, 0),
): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
