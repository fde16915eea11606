/**
 * A keyed request's body, read ahead of its consumers with core's `readBoundedBody`: at most the limit of it (one
 * chunk more at worst), keeping the chunks, so that the fingerprint covers the bytes the handler will consume
 * whoever reads them (a replay serves them again, see {@link ReplaySource}), and a body over the limit costs at
 * most the limit in memory.
 */
import type { Readable } from 'node:stream';
import { RequestTooLargeError } from '../errors.js';
import { readBoundedBody, requestTooLarge } from '../request-body.js';
import { type Chunk, ChunkReader } from './chunk-reader.js';
import type { ReplaySource } from './replay-source.js';

/** What a body read ahead offers, whether it was read whole or not. */
interface CapturedBodyBase {
  /**
   * Core's body function: the bytes, `null` for an empty body, or `RequestTooLargeError` when the body is longer
   * than the limit it was read with (`maxBytes` is the limit the message names).
   */
  readonly read: (maxBytes: number) => Uint8Array | null;
  /** What the body's consumers are served: what was read, then the rest of the stream. Call it once. */
  readonly replay: () => ReplaySource;
}

/** A body read to its end, within the limit. */
interface WholeBody extends CapturedBodyBase {
  readonly overflow: false;
  /** The whole body (empty when there was none). */
  readonly bytes: Uint8Array;
}

/** A body longer than the limit: only its beginning was read. */
interface OverflowBody extends CapturedBodyBase {
  readonly overflow: true;
  readonly bytes: undefined;
  /** Throws `RequestTooLargeError`. */
  readonly read: (maxBytes: number) => never;
}

/** The body of one request as it was read ahead: `overflow` tells whether it was longer than the limit. */
export type CapturedBody = WholeBody | OverflowBody;

/**
 * Reads `stream` up to `maxBytes` (`declared`: the request's Content-Length, which when over the limit decides
 * without reading). On overflow the rest of the stream is left unread and paused, for a replay to serve or for
 * {@link discardRest} to drain. Rejects with the stream's error, or a premature-close error (`statusCode` 400)
 * when the client goes away mid-body.
 */
export async function captureBody(
  stream: Readable,
  maxBytes: number,
  declared: number | undefined,
): Promise<CapturedBody> {
  const reader = new ChunkReader(stream);
  const chunks: Buffer[] = [];
  const recording: AsyncIterable<Chunk> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const result = await reader.next();
        if (!result.done)
          chunks.push(typeof result.value === 'string' ? Buffer.from(result.value) : result.value);
        return result;
      },
    }),
  };
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedBody(recording, maxBytes, declared);
  } catch (error) {
    if (!(error instanceof RequestTooLargeError)) throw error;
    return {
      overflow: true,
      bytes: undefined,
      read: (limit) => {
        throw requestTooLarge(limit, declared !== undefined && declared > limit ? declared : undefined);
      },
      replay: () => ({ head: chunks, rest: reader, stream }),
    };
  }
  const body = bytes.length === 0 ? null : bytes;
  return {
    overflow: false,
    bytes,
    read: () => body,
    replay: () => ({
      head: body === null ? [] : [Buffer.from(body.buffer, body.byteOffset, body.byteLength)],
      rest: undefined,
      stream,
    }),
  };
}
