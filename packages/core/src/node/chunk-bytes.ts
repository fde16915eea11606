/** The bytes of a chunk written to a Node `ServerResponse`. */

/** The bytes of a `write`/`end` chunk (`encoding`: the call's next argument; UTF-8 unless it names one). */
export function chunkBytes(chunk: unknown, encoding: unknown): Uint8Array | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}
