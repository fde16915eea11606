/**
 * A compressed body (a handler's own `Content-Encoding: gzip` or `deflate`) is stored decoded: the client that
 * asked gets the compressed bytes, and every replay gets the identity bytes, which any client accepts whatever
 * its `Accept-Encoding` (a retry may send another one; docs/behaviour.md I13). As in `@idempo/hono`.
 */
import { concatBytes } from '@idempo/core/adapter';

/** Content codings Web Streams decode (`DecompressionStream`), by their HTTP names. */
const FORMATS: Readonly<Record<string, 'gzip' | 'deflate'>> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
};

/** What to store of a body read whole. */
export interface StoredBody {
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * The body and headers to store for `body` sent with `headers`: decoded, without `Content-Encoding`, when it is
 * one coding Web Streams decode; as sent otherwise (no coding, another one, or bytes that do not decode).
 * `undefined` when the decoded body is longer than `maxBytes` (decoding stops there): it is not stored.
 */
export async function storedBody(
  body: Uint8Array,
  headers: Headers,
  maxBytes: number,
): Promise<StoredBody | undefined> {
  const coding = headers.get('content-encoding')?.trim().toLowerCase();
  const format = coding === undefined ? undefined : FORMATS[coding];
  if (format === undefined || typeof DecompressionStream === 'undefined') return { headers, body };
  try {
    const decoded = await decode(body, format, maxBytes);
    if (decoded === undefined) return undefined;
    const plain = new Headers(headers);
    plain.delete('content-encoding');
    plain.delete('content-length');
    return { headers: plain, body: decoded };
  } catch {
    return { headers, body };
  }
}

/** The decoded bytes, or `undefined` once they pass `maxBytes`. */
async function decode(
  body: Uint8Array,
  format: 'gzip' | 'deflate',
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const source = new Response(body as Uint8Array<ArrayBuffer>).body as ReadableStream<Uint8Array>;
  const decoder = new DecompressionStream(format) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const reader = source.pipeThrough(decoder).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
  }
  return concatBytes(chunks, total);
}
